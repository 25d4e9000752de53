# tests: pg (the SQL dump engine, issue 3)
check_PROGRAMS += tests/unit/test_sql_lexer tests/unit/test_sql_meta tests/unit/test_sql_walker \
	tests/unit/test_sql_policy tests/fuzz/fuzz_sql_lexer_driver
TESTS += tests/unit/test_sql_lexer tests/unit/test_sql_meta tests/unit/test_sql_walker \
	tests/unit/test_sql_policy tests/fuzz/run-sql-lexer-corpus.sh
tests_unit_test_sql_lexer_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sql_lexer_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_sql_meta_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sql_meta_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_sql_walker_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sql_walker_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_sql_policy_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sql_policy_LDADD = $(LDADD) $(CMOCKA_LIBS)
# The libFuzzer target, run over its corpus by a plain-C driver (no clang needed for check).
tests_fuzz_fuzz_sql_lexer_driver_SOURCES = tests/fuzz/fuzz_sql_lexer.c tests/fuzz/fuzz_driver.c
EXTRA_DIST += tests/fuzz/run-sql-lexer-corpus.sh tests/fuzz/build-sql-lexer.sh \
	tests/fuzz/corpus-sql-lexer tests/data/pg

PG_SHELL_TESTS = tests/integration/import-differential.sh tests/integration/import-bad-input.sh \
	tests/integration/import-variants.sh tests/integration/import-sandbox.sh \
	tests/integration/sql-policy-valgrind.sh tests/integration/import-hostile.sh \
	tests/integration/import-large-objects.sh
TESTS += $(PG_SHELL_TESTS)
EXTRA_DIST += $(PG_SHELL_TESTS)
EXTRA_DIST += tests/bench/import
