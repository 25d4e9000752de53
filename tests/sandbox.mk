# tests: sandbox (the stand-in Immich installation and its stand-in programs)
SANDBOX_TESTS = \
	tests/integration/sandbox-create.sh \
	tests/integration/sandbox-old.sh \
	tests/integration/sandbox-mount.sh \
	tests/integration/sandbox-docker.sh \
	tests/integration/sandbox-systemctl.sh
TESTS += $(SANDBOX_TESTS)
EXTRA_DIST += $(SANDBOX_TESTS) tests/integration/sandbox-lib.sh
EXTRA_DIST += tests/bench/sandbox-create
