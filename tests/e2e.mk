# tests: e2e (the whole migration on the sandbox: resume after kills, wizard, dry run, report, demo)
E2E_TESTS = \
	tests/integration/e2e-resume.sh \
	tests/integration/e2e-resume-output.sh \
	tests/integration/e2e-dryrun.sh \
	tests/integration/e2e-review.sh \
	tests/integration/e2e-wizard.sh \
	tests/integration/e2e-finish.sh \
	tests/integration/e2e-demo.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += $(E2E_TESTS) tests/integration/e2e-lib.sh
