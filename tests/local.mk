# Test programs and scripts. Unit tests: cmocka programs in tests/unit; integration tests:
# shell scripts in tests/integration (they use tests/lib/*.sh). Each area has its fragment.
EXTRA_DIST += tests/lib/pg.sh tests/lib/common.sh tests/lib/readonly_root.sh

include tests/core.mk
include tests/pg.mk
include tests/files.mk
include tests/db.mk
include tests/sandbox.mk
include tests/ui.mk
include tests/discover.mk
include tests/e2e.mk
include tests/bench/bench.mk
