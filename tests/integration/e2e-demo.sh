#!/bin/bash
# The demo (issue 7): `immich-migrate --demo` builds a sandbox, says it is a demo, and removes
# the sandbox on exit (after a finished batch run, after quitting the wizard, and when the
# terminal goes away with SIGHUP), leaving no directory and no process behind; with
# --keep-sandbox the sandbox and its finished migration stay.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need pgrep

# demo_root FILE: the demo's directory from its "Building the demo sandbox in ROOT/sandbox" line.
demo_root() {
    sed -n 's|.* \(/tmp/immich-migrate-demo\.[A-Za-z0-9]*\)/sandbox .*|\1|p' "$1" | head -n 1
}
assert_gone() { # assert_gone ROOT: no directory, no process mentioning it
    for _ in $(seq 100); do
        [ -e "$1" ] || [ -n "$(pgrep -f -- "$1" || true)" ] || return 0
        sleep 0.1
    done
    [ ! -e "$1" ] || { ls -la "$1"; fail "the demo left $1 behind"; }
    pgrep -af -- "$1" >&2 || true
    fail "processes of the demo in $1 are still running"
}

# ---------------------------------------------------------------- batch: built, run, removed
"$IMMICH_MIGRATE" --demo --batch --yes 2>"$TEST_TMP/batch.err" ||
    { tail -n 20 "$TEST_TMP/batch.err"; fail "--demo --batch --yes failed"; }
root=$(demo_root "$TEST_TMP/batch.err")
[ -n "$root" ] || { head "$TEST_TMP/batch.err"; fail "the demo did not say where it builds the sandbox"; }
at_exit "[ ! -d '$root/sandbox' ] || '$SANDBOX_TOOL' destroy '$root/sandbox' >/dev/null 2>&1; rm -rf '$root'"
assert_contains "$TEST_TMP/batch.err" "migration finished"
assert_contains "$TEST_TMP/batch.err" "[Verify] message: Verify: done"
assert_gone "$root"
pass_step "--demo --batch: sandbox built, migration finished, sandbox and its servers gone"

# ---------------------------------------------------------------- --keep-sandbox
"$IMMICH_MIGRATE" --demo --keep-sandbox --batch --yes 2>"$TEST_TMP/keep.err" ||
    { tail -n 20 "$TEST_TMP/keep.err"; fail "--demo --keep-sandbox failed"; }
root=$(demo_root "$TEST_TMP/keep.err")
[ -n "$root" ] || fail "the demo did not say where it builds the sandbox"
at_exit "[ ! -d '$root/sandbox' ] || '$SANDBOX_TOOL' destroy '$root/sandbox' >/dev/null 2>&1; rm -rf '$root'"
assert_contains "$TEST_TMP/keep.err" "The sandbox is kept in $root/sandbox"
[ -f "$root/sandbox/sandbox.env" ] || fail "the kept sandbox is incomplete"
n=$(grep -c "^stage	[^	]*	done	" "$root/state/journal")
[ "$n" = 14 ] || fail "the kept state holds $n done stages, not 14"
. "$root/sandbox/sandbox.env"
"$PG_BINDIR/psql" -X -At -h "$DST_HOST" -U postgres -d immich -c 'SELECT count(*) FROM asset' | grep -qx "$ASSETS" ||
    fail "the kept sandbox's target does not hold the $ASSETS assets"
"$SANDBOX_TOOL" destroy "$root/sandbox" >/dev/null
rm -rf "$root"
assert_gone "$root"
pass_step "--keep-sandbox keeps the sandbox with its finished migration"

# ---------------------------------------------------------------- wizard: banner, quit
tmux_start 80 24 -- "$IMMICH_MIGRATE" --demo
tmux_wait_for "Welcome" 180
tmux_assert "DEMO — sandbox, nothing real is touched"
root=$(tmux_demo_root)
[ -n "$root" ] || fail "cannot find the demo's directory"
at_exit "[ ! -d '$root/sandbox' ] || '$SANDBOX_TOOL' destroy '$root/sandbox' >/dev/null 2>&1; rm -rf '$root'"
[ -d "$root/sandbox/src-pg" ] || fail "no sandbox in $root"
tmux_keys q
tmux_wait_for "Quit" 10
tmux_keys y
[ "$(tmux_wait_exit 60)" = 0 ] || fail "quitting the demo wizard did not exit 0"
assert_gone "$root"
pass_step "wizard demo: DEMO banner; quitting removes the sandbox"

# ---------------------------------------------------------------- wizard: SIGHUP
tmux_start 80 24 -- "$IMMICH_MIGRATE" --demo
tmux_wait_for "Welcome" 180
pid=$(tmux_pid)
root=$(tmux_demo_root)
[ -n "$root" ] || fail "cannot find the demo's directory"
at_exit "[ ! -d '$root/sandbox' ] || '$SANDBOX_TOOL' destroy '$root/sandbox' >/dev/null 2>&1; rm -rf '$root'"
kill -HUP "$pid"
tmux_wait_exit 60 >/dev/null
assert_gone "$root"
pass_step "SIGHUP (terminal gone) ends the demo and removes the sandbox"
