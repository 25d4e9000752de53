# Shared by every shell test: fail loudly, clean up always.
# Usage: . "$top_srcdir/tests/lib/common.sh"
set -eu

: "${top_srcdir:?run through make check (top_srcdir unset)}"
: "${top_builddir:?run through make check (top_builddir unset)}"
: "${IMMICH_MIGRATE:=$top_builddir/src/immich-migrate}"
: "${IMMICH_MIGRATE_DATADIR:=$top_srcdir/data}"
export IMMICH_MIGRATE IMMICH_MIGRATE_DATADIR

# A scratch directory for this test, removed at exit (see cleanup hooks below).
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/im-test.XXXXXX")
chmod 755 "$TEST_TMP"
_cleanup_hooks=""
at_exit() { _cleanup_hooks="$1
$_cleanup_hooks"; }
_run_cleanup() {
    rc=$?
    set +e
    printf '%s\n' "$_cleanup_hooks" | while IFS= read -r hook; do
        [ -n "$hook" ] && eval "$hook"
    done
    rm -rf "$TEST_TMP"
    exit $rc
}
trap _run_cleanup EXIT
trap 'exit 130' INT TERM HUP

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
pass_step() { printf 'ok: %s\n' "$*"; }

# A tool the test needs: missing means failure, never a silent skip.
need() {
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || fail "required tool '$t' is not installed"
    done
}

# assert_contains FILE TEXT: FILE (or - for stdin) contains TEXT.
assert_contains() {
    if [ "$1" = - ]; then grep -qF -- "$2" || fail "output lacks: $2"
    else grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "$1 lacks: $2"; }
    fi
}
assert_not_contains() {
    if grep -qF -- "$2" "$1"; then echo "--- $1:"; cat "$1"; fail "$1 contains: $2"; fi
}
# expect_status N CMD...: runs CMD, asserts its exit status is N.
expect_status() {
    want=$1; shift
    set +e; "$@"; got=$?; set -e
    [ "$got" = "$want" ] || fail "expected exit $want, got $got: $*"
}
