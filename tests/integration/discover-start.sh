#!/bin/sh
# Start finds Immich where the unit says it listens (IMMICH_HOST/IMMICH_PORT of `systemctl
# show`, no immich_url in the plan), a typed/config immich_url still wins, malformed values are
# ignored with a warning; Start gives up within seconds when a unit has failed or keeps
# restarting, and shows the unit's last journal lines and the command to read more.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need grep sed timeout

sb=$TEST_TMP/sb
sandbox_create "$sb"
runner=$top_builddir/tests/integration/discover-run-stage
state=$TEST_TMP/state
out=$TEST_TMP/out
errf=$TEST_TMP/err
calls() { tr '\t' ' ' <"$CALLS_LOG"; }
# The fake Immich listens on a free port, never Immich's default.
[ "$IMMICH_PORT" != 2283 ] || fail "the sandbox picked port 2283"

# run_start WANT PLAN [STEP...]: runs the steps (default: start) under a time limit of half
# the 600 s Start waits by default; asserts the exit status and stops the units again. A Start
# that waited for a failed or restarting unit instead of giving up would be killed by the limit
# (exit 124, not the 1 wanted). No wall-clock bound beyond that: 64 s were seen on a machine
# loaded with twice CI's work.
run_start() {
    want=$1 plan=$2; shift 2
    [ $# -gt 0 ] || set -- start
    set +e; timeout 300 "$runner" -c "$plan" -s "$state" "$@" >"$out" 2>"$errf"; got=$?; set -e
    "$SYSTEMCTL" stop immich-server.service immich-machine-learning.service
    [ "$got" = "$want" ] || { cat "$out" "$errf"; fail "expected exit $want, got $got: $*"; }
}

grep -v '^immich_url' "$PLAN" >"$TEST_TMP/plan-nourl"
grep -q "$IMMICH_PORT" "$TEST_TMP/plan-nourl" && fail "the plan still names the port"

# --- the port comes from the unit ------------------------------------------------------------
: >"$CALLS_LOG"
run_start 0 "$TEST_TMP/plan-nourl"
assert_contains "$errf" "Immich answers at http://127.0.0.1:$IMMICH_PORT after"
calls | head -n 1 | grep -qx 'systemctl show immich-server.service -p Environment' ||
    fail "start did not read the unit's environment first: $(calls | head -n 1)"
pass_step "start finds a non-default port in the unit's IMMICH_PORT"

# Discovery fills it too, so the NixOS snippet keeps the unit's port.
"$runner" -n -c "$TEST_TMP/plan-nourl" -s "$state" discover nixos >"$out" 2>"$errf" || true
assert_contains "$out" "port = $IMMICH_PORT;"
pass_step "discovery takes immich_url from the unit"

# The any-address values and localhost mean this machine (the fake listens on 127.0.0.1).
for host in 0.0.0.0 localhost '"0.0.0.0"'; do
    IMMICH_SANDBOX_UNIT_HOST=$host run_start 0 "$TEST_TMP/plan-nourl"
    assert_contains "$errf" "Immich answers at http://"
done
IMMICH_SANDBOX_UNIT_HOST=localhost run_start 0 "$TEST_TMP/plan-nourl"
assert_contains "$errf" "Immich answers at http://localhost:$IMMICH_PORT after"
pass_step "0.0.0.0 and localhost reach the loopback"

# --- the plan's value wins over the unit's ----------------------------------------------------
sed "s|^immich_url = .*|immich_url = http://127.0.0.1:1|" "$PLAN" >"$TEST_TMP/plan-wrongurl"
IMMICH_MIGRATE_WAIT_TIMEOUT=2 run_start 1 "$TEST_TMP/plan-wrongurl"
assert_contains "$errf" "Immich did not answer GET http://127.0.0.1:1/api/server/ping within 2 s"
assert_contains "$errf" "immich-server.service listens at http://127.0.0.1:$IMMICH_PORT (IMMICH_HOST/IMMICH_PORT), but immich_url (config file) is http://127.0.0.1:1"
# The same address spelt otherwise is no reason to warn.
sed "s|^immich_url = .*|immich_url = http://localhost:$IMMICH_PORT/|" "$PLAN" >"$TEST_TMP/plan-localhost"
run_start 0 "$TEST_TMP/plan-localhost"
if grep -q "listens at" "$errf"; then fail "warned about the same address: $(cat "$errf")"; fi
pass_step "a configured immich_url wins, with a warning when the unit listens elsewhere"

# --- malformed values are ignored with a warning ---------------------------------------------
for port in 99999 0 '3001x' '"3001' '"30\x0a01"'; do
    IMMICH_MIGRATE_WAIT_TIMEOUT=1 IMMICH_SANDBOX_UNIT_PORT=$port run_start 1 "$TEST_TMP/plan-nourl"
    assert_contains "$errf" "is no port number (1-65535): ignored, immich_url stays http://127.0.0.1:2283"
    assert_contains "$errf" "within 1 s"
done
assert_contains "$errf" 'IMMICH_PORT=30\x0a01 is no port number'
IMMICH_MIGRATE_WAIT_TIMEOUT=1 IMMICH_SANDBOX_UNIT_HOST='"bad host"' run_start 1 "$TEST_TMP/plan-nourl"
assert_contains "$errf" "IMMICH_HOST=bad host is no IP address or host name: ignored"
pass_step "malformed IMMICH_PORT/IMMICH_HOST are ignored with a warning"

# --- a unit that fails: Start stops within seconds and shows the journal ------------------------
esc=$(printf '\033')
printf 'IMMICH_SANDBOX_SERVER_ERROR="Detected an inconsistent media location %s[31mred"\n' "$esc" >"$sb/faults.env"
run_start 1 "$PLAN"
assert_contains "$errf" "The last lines of the journal of immich-server.service:"
assert_contains "$errf" "ERROR [Api:Bootstrap] Detected an inconsistent media location \\x1b[31mred"
if grep -q "$esc" "$errf"; then fail "a raw escape byte reached the output"; fi
assert_contains "$errf" "immich-server.service has failed; read its journal with: $JOURNALCTL -u immich-server.service --since @"
grep -q "^journalctl	-u	immich-server.service	-n	20	--no-pager$" "$CALLS_LOG" ||
    fail "the journal was not read through journalctl_command: $(calls | grep journalctl)"
pass_step "a failed unit stops Start at once, with its journal lines and the command"

# The same server under Restart=: activating, NRestarts growing, never "failed".
IMMICH_SANDBOX_RESTART=1; export IMMICH_SANDBOX_RESTART
run_start 1 "$PLAN"
assert_contains "$errf" "immich-server.service keeps restarting (3 restarts while waiting); read its journal with: $JOURNALCTL -u immich-server.service"
assert_contains "$errf" "Detected an inconsistent media location"
unset IMMICH_SANDBOX_RESTART
rm -f "$sb/faults.env"
pass_step "a unit that keeps restarting stops Start too"
