# tests: db (dump, fixup, prepare-db)
check_PROGRAMS += tests/unit/test_fixup_parts
TESTS += tests/unit/test_fixup_parts
tests_unit_test_fixup_parts_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_fixup_parts_LDADD = $(LDADD) $(CMOCKA_LIBS)

# The fuzz target's corpus through a plain-C driver (no clang needed); `make fuzz-copyrow`
# builds the libFuzzer binary. Both link exactly the sources listed here (not libimmich.a), so
# building the driver in `make check` proves the list is complete for the fuzz binary too.
fuzz_copyrow_srcs = src/db/copyrow.c src/db/copytext.c src/db/pathmap.c src/common.c \
	src/sys/fdio.c
check_PROGRAMS += tests/fuzz/copyrow_driver
TESTS += tests/fuzz/copyrow_driver
tests_fuzz_copyrow_driver_SOURCES = tests/fuzz/copyrow_driver.c tests/fuzz/fuzz_copyrow.c \
	$(fuzz_copyrow_srcs)
tests_fuzz_copyrow_driver_LDADD = $(LIBINTL)
EXTRA_DIST += tests/fuzz/copyrow-corpus

FUZZ_CC = clang
fuzz-copyrow: $(top_builddir)/config.h
	$(MKDIR_P) tests/fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(DEFS) $(AM_CPPFLAGS) $(CPPFLAGS) \
		$(LIBZSTD_CFLAGS) -o tests/fuzz/fuzz-copyrow $(srcdir)/tests/fuzz/fuzz_copyrow.c \
		$(fuzz_copyrow_srcs:%=$(srcdir)/%) $(LIBINTL)
	@echo "run: tests/fuzz/fuzz-copyrow -max_total_time=60 NEW_DIR $(srcdir)/tests/fuzz/copyrow-corpus"
.PHONY: fuzz-copyrow
CLEANFILES += tests/fuzz/fuzz-copyrow

TESTS += tests/integration/db-fixup.sh tests/integration/db-dump.sh tests/integration/db-prepare.sh \
	tests/integration/db-stages.sh tests/integration/db-role-quoting.sh \
	tests/integration/db-fixup-report.sh tests/integration/db-prepare-differential.sh
EXTRA_DIST += tests/integration/db-lib.sh tests/integration/db-fixup.sh \
	tests/integration/db-dump.sh tests/integration/db-prepare.sh tests/integration/db-stages.sh \
	tests/integration/db-role-quoting.sh tests/integration/db-fixup-report.sh \
	tests/integration/db-prepare-differential.sh
EXTRA_DIST += tests/bench/fixup
