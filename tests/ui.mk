# tests: ui (event queue, worker, the wizard and review driven in tmux)
EXTRA_DIST += tests/lib/tmux.sh

check_PROGRAMS += tests/unit/test_events
TESTS += tests/unit/test_events
tests_unit_test_events_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_events_LDADD = $(LDADD) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_events_runview
TESTS += tests/unit/test_events_runview
tests_unit_test_events_runview_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_events_runview_LDADD = $(LDADD) $(CMOCKA_LIBS)

UI_SHELL_TESTS = tests/integration/ui-tsan.sh tests/integration/ui-wizard.sh tests/integration/ui-review.sh tests/integration/ui-german.sh \
	tests/integration/ui-plain.sh tests/integration/ui-sandbox.sh tests/integration/ui-rollback.sh \
	tests/integration/ui-gates.sh tests/integration/ui-edit.sh tests/integration/ui-wrap.sh \
	tests/integration/ui-backup-none.sh tests/integration/ui-detach.sh tests/integration/ui-keys.sh \
	tests/integration/ui-restore-owners.sh
TESTS += $(UI_SHELL_TESTS)
EXTRA_DIST += $(UI_SHELL_TESTS)
