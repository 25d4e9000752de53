# tests: db (dump, fixup, prepare-db)
check_PROGRAMS += tests/unit/test_fixup_parts
TESTS += tests/unit/test_fixup_parts
tests_unit_test_fixup_parts_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_fixup_parts_LDADD = $(LDADD) $(CMOCKA_LIBS)

# The fuzz target's corpus through a plain-C driver (no clang needed); `make fuzz-copyrow`
# builds the libFuzzer binary.
check_PROGRAMS += tests/fuzz/copyrow_driver
TESTS += tests/fuzz/copyrow_driver
tests_fuzz_copyrow_driver_SOURCES = tests/fuzz/copyrow_driver.c tests/fuzz/fuzz_copyrow.c
EXTRA_DIST += tests/fuzz/copyrow-corpus

FUZZ_CC = clang
fuzz-copyrow: libimmich.a
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(DEFS) $(AM_CPPFLAGS) $(CPPFLAGS) \
		$(LIBZSTD_CFLAGS) -o tests/fuzz/fuzz-copyrow $(srcdir)/tests/fuzz/fuzz_copyrow.c \
		$(srcdir)/src/db/copyrow.c $(srcdir)/src/db/copytext.c $(srcdir)/src/db/pathmap.c \
		$(srcdir)/src/common.c $(LIBINTL)
	@echo "run: tests/fuzz/fuzz-copyrow -max_total_time=60 $(srcdir)/tests/fuzz/copyrow-corpus"
.PHONY: fuzz-copyrow
CLEANFILES += tests/fuzz/fuzz-copyrow

TESTS += tests/integration/db-fixup.sh tests/integration/db-dump.sh tests/integration/db-prepare.sh \
	tests/integration/db-stages.sh tests/integration/db-role-quoting.sh
EXTRA_DIST += tests/integration/db-lib.sh tests/integration/db-fixup.sh \
	tests/integration/db-dump.sh tests/integration/db-prepare.sh tests/integration/db-stages.sh \
	tests/integration/db-role-quoting.sh
EXTRA_DIST += tests/bench/fixup
