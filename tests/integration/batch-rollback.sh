#!/bin/sh
# Batch mode after a failure before the import: exit 1 with a one-line reason, the Docker
# containers are not started behind the user's back, and the command to start them is shown.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 4
conf="$TEST_TMP/plan.conf"
cp "$sb/immich-migrate.conf" "$conf"

# pg_dump fails: the dump stage, after Docker was stopped. (A backup_dir that cannot be made
# is refused by the checks already, before Docker is stopped.)
expect_status 1 env IMMICH_SANDBOX_FAIL_PG_DUMP=1 "$IMMICH_MIGRATE" --batch --yes -c "$conf" \
    --state-dir "$TEST_TMP/state" 2> "$TEST_TMP/err"
assert_contains "$TEST_TMP/err" 'stage "Dump database" failed'
assert_contains "$TEST_TMP/err" "To run the old installation again: $sb/bin/docker start immich_server immich_machine_learning"
grep -q "^docker	stop	immich_server	immich_machine_learning" "$sb/calls.log" || fail "docker stop was not called"
if grep -q "^docker	start	" "$sb/calls.log"; then fail "batch started the containers by itself"; fi
pass_step "failure before the import: reason and rollback command shown, nothing started"

# --report DIR (separate word) works like --report=DIR.
"$IMMICH_MIGRATE" --report "$TEST_TMP/state" > "$TEST_TMP/report.md"
assert_contains "$TEST_TMP/report.md" "failed"
pass_step "--report DIR"
