# Test programs and scripts. Unit tests: cmocka programs in tests/unit; integration tests:
# shell scripts in tests/integration (they use tests/lib/*.sh).
EXTRA_DIST += tests/lib/pg.sh tests/lib/common.sh
