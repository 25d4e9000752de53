# tests: core (plan, journal, lock, log, redaction, command line)
check_PROGRAMS += tests/unit/test_plan tests/unit/test_journal
TESTS += tests/unit/test_plan tests/unit/test_journal
tests_unit_test_plan_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_plan_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_journal_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_journal_LDADD = $(LDADD) $(CMOCKA_LIBS)
# the status file and log tail an attached viewer reads (runstatus.h, mlog_read_new)
check_PROGRAMS += tests/unit/test_runstatus
TESTS += tests/unit/test_runstatus
tests_unit_test_runstatus_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_runstatus_LDADD = $(LDADD) $(CMOCKA_LIBS)
# sys/zread: the compressed-dump decoder under db/dumpio and pg/sql_input
check_PROGRAMS += tests/unit/test_zread
TESTS += tests/unit/test_zread
tests_unit_test_zread_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_zread_LDADD = $(LDADD) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_artifacts
TESTS += tests/unit/test_artifacts
tests_unit_test_artifacts_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_artifacts_LDADD = $(LDADD) $(CMOCKA_LIBS)
TESTS += tests/integration/cli.sh
EXTRA_DIST += tests/integration/cli.sh
TESTS += tests/integration/batch-rollback.sh tests/integration/batch-restore-owners.sh \
	tests/integration/cli-confirm.sh \
	tests/integration/batch-gates.sh tests/integration/cli-gates.sh \
	tests/integration/cli-hardening.sh
EXTRA_DIST += tests/integration/batch-rollback.sh tests/integration/batch-restore-owners.sh \
	tests/integration/cli-confirm.sh \
	tests/integration/batch-gates.sh tests/integration/cli-gates.sh \
	tests/integration/cli-hardening.sh
TESTS += tests/integration/include-cycles.sh
EXTRA_DIST += tests/integration/include-cycles.sh
