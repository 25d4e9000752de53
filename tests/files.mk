# tests: files (backup, verify-backup, copy, chown)
check_PROGRAMS += tests/unit/test_files_hash tests/unit/test_files_walk tests/unit/test_files_stages
TESTS += tests/unit/test_files_hash tests/unit/test_files_walk tests/unit/test_files_stages
tests_unit_test_files_stages_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_files_stages_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_files_hash_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_files_hash_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_files_walk_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_files_walk_LDADD = $(LDADD) $(CMOCKA_LIBS)
EXTRA_DIST += tests/lib/makelib.sh tests/bench/files tests/bench/library
FILES_TESTS = tests/integration/files-backup.sh tests/integration/files-verify.sh \
	tests/integration/files-copy.sh tests/integration/files-chown.sh \
	tests/integration/files-full.sh tests/integration/files-refuse.sh \
	tests/integration/files-special.sh tests/integration/files-reflink.sh \
	tests/integration/files-strategies.sh tests/integration/files-restore-owners.sh \
	tests/integration/files-verify-manifest.sh \
	tests/integration/files-precopy.sh tests/integration/files-precopy-dirkill.sh \
	tests/integration/batch-precopy.sh \
	tests/integration/files-copy-hash.sh tests/integration/files-copy-verify-once.sh \
	tests/integration/files-onepass.sh
TESTS += $(FILES_TESTS)
EXTRA_DIST += $(FILES_TESTS)
