# tests: discover (issue 6): .env and JSON readers, docker/systemd parsing, discovery, checks,
# the Docker/NixOS/start/verify stages against the sandbox's stand-ins.
check_PROGRAMS += tests/unit/test_dotenv tests/unit/test_discover_parsers
TESTS += tests/unit/test_dotenv tests/unit/test_discover_parsers
tests_unit_test_dotenv_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_dotenv_LDADD = $(LDADD) $(CMOCKA_LIBS)
tests_unit_test_discover_parsers_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_discover_parsers_LDADD = $(LDADD) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_unit_env
TESTS += tests/unit/test_unit_env
tests_unit_test_unit_env_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_unit_env_LDADD = $(LDADD) $(CMOCKA_LIBS)

# The dotenv fuzz target: corpus run in make check; `make fuzz-dotenv` builds the libFuzzer
# binary with clang (run: tests/fuzz/fuzz-dotenv NEW_DIR $(top_srcdir)/tests/fuzz/dotenv-corpus).
check_PROGRAMS += tests/fuzz/fuzz_dotenv_driver
TESTS += tests/fuzz/fuzz_dotenv_driver
tests_fuzz_fuzz_dotenv_driver_SOURCES = tests/fuzz/fuzz_dotenv.c tests/fuzz/corpus_driver.c
tests_fuzz_fuzz_dotenv_driver_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS=\"tests/fuzz/dotenv-corpus\"
EXTRA_DIST += tests/fuzz/dotenv-corpus
fuzz-dotenv: $(top_srcdir)/tests/fuzz/fuzz_dotenv.c $(top_srcdir)/src/discover/dotenv.c
	$(MKDIR_P) tests/fuzz
	clang -g -O1 -fsanitize=fuzzer,address,undefined -include config.h -I$(top_builddir) \
	  -I$(top_srcdir)/src $(top_srcdir)/tests/fuzz/fuzz_dotenv.c \
	  $(top_srcdir)/src/discover/dotenv.c $(top_srcdir)/src/sys/fdio.c $(top_srcdir)/src/common.c \
	  -o tests/fuzz/fuzz-dotenv
.PHONY: fuzz-dotenv

# The `docker inspect` and `systemctl show` readers, fuzzed the same way: each corpus runs in
# make check through corpus_driver.c; `make fuzz-docker-inspect` / `make fuzz-systemctl-show`
# build the libFuzzer binaries with clang (run: tests/fuzz/fuzz-docker-inspect -max_total_time=60
# NEW_DIR $(top_srcdir)/tests/fuzz/docker-inspect-corpus).
fuzz_inspect_srcs = src/discover/inspect.c src/textesc.c src/sys/fdio.c src/common.c
check_PROGRAMS += tests/fuzz/fuzz_docker_inspect_driver tests/fuzz/fuzz_systemctl_show_driver
TESTS += tests/fuzz/fuzz_docker_inspect_driver tests/fuzz/fuzz_systemctl_show_driver
tests_fuzz_fuzz_docker_inspect_driver_SOURCES = tests/fuzz/fuzz_docker_inspect.c \
	tests/fuzz/corpus_driver.c
tests_fuzz_fuzz_docker_inspect_driver_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS=\"tests/fuzz/docker-inspect-corpus\"
tests_fuzz_fuzz_systemctl_show_driver_SOURCES = tests/fuzz/fuzz_systemctl_show.c \
	tests/fuzz/corpus_driver.c
tests_fuzz_fuzz_systemctl_show_driver_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS=\"tests/fuzz/systemctl-show-corpus\"
EXTRA_DIST += tests/fuzz/docker-inspect-corpus tests/fuzz/systemctl-show-corpus
fuzz-docker-inspect fuzz-systemctl-show: $(top_builddir)/config.h
	$(MKDIR_P) tests/fuzz
	clang -g -O1 -fsanitize=fuzzer,address,undefined -include config.h -I$(top_builddir) \
	  -I$(top_srcdir)/src $(JANSSON_CFLAGS) $(top_srcdir)/tests/fuzz/$(subst -,_,$@).c \
	  $(fuzz_inspect_srcs:%=$(top_srcdir)/%) $(JANSSON_LIBS) $(LIBINTL) -o tests/fuzz/$@
.PHONY: fuzz-docker-inspect fuzz-systemctl-show
CLEANFILES += tests/fuzz/fuzz-docker-inspect tests/fuzz/fuzz-systemctl-show

# Runs single stages (and the rollback) for the shell tests below.
check_PROGRAMS += tests/integration/discover-run-stage
tests_integration_discover_run_stage_SOURCES = tests/integration/discover-run-stage.c

TESTS += tests/integration/discover-check.sh tests/integration/discover-stages.sh \
	tests/integration/discover-verify.sh tests/integration/discover-start.sh \
	tests/integration/discover-safety.sh tests/integration/discover-temps.sh
EXTRA_DIST += tests/integration/discover-check.sh tests/integration/discover-stages.sh \
	tests/integration/discover-verify.sh tests/integration/discover-start.sh \
	tests/integration/discover-safety.sh tests/integration/discover-temps.sh \
	tests/integration/discover-run-stage.c

EXTRA_DIST += tests/bench/discover-verify
check_PROGRAMS += tests/unit/test_estimate
TESTS += tests/unit/test_estimate
tests_unit_test_estimate_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_estimate_LDADD = $(LDADD) $(CMOCKA_LIBS)
