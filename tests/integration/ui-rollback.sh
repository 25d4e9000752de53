#!/bin/sh
# Rolling back: when a stage fails after Docker was stopped but before the import, the wizard
# offers to start the Docker containers again; yes runs `docker start SERVER ML` (never the
# database container) and leaves everything else alone.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 6
state="$TEST_TMP/state"
conf="$TEST_TMP/plan.conf"
# The backup cannot be written: backup_dir lies under a regular file, made once the checks
# have passed (they refuse such a backup_dir before Docker is stopped).
{ cat "$sb/immich-migrate.conf"; echo "backup_dir = $TEST_TMP/not-a-directory/backups"; } > "$conf"


tmux_start -- "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state"
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "Settings"
tmux_keys n
tmux_wait_for "Result:" 120
wizard_next_to "Stop Docker"
tmux_keys r
tmux_wait_for "Result: done" 60
grep -q "^docker	stop	immich_server	immich_machine_learning" "$sb/calls.log" || fail "docker stop not called"
: > "$TEST_TMP/not-a-directory"
wizard_next_to "Back up library"
tmux_keys r
tmux_wait_for "failed before the import" 60
tmux_assert "immich_server"
calls_before=$(wc -l < "$sb/calls.log")
# No: nothing is started.
tmux_keys n
sleep 1
[ "$(wc -l < "$sb/calls.log")" = "$calls_before" ] || fail "declining the rollback ran something"
# Run the stage again, fail again, and accept this time.
tmux_keys r
tmux_wait_for "failed before the import" 60
tmux_keys y
tmux_wait_for "runs again" 60
grep -q "^docker	start	immich_server	immich_machine_learning$" "$sb/calls.log" || { cat "$sb/calls.log"; fail "docker start not called"; }
if grep -q "^docker	\(stop\|start\|rm\|volume\).*immich_postgres" "$sb/calls.log"; then fail "the database container was touched"; fi
grep -q "^stage	stop_docker	pending" "$state/journal" || fail "journal still says Docker is stopped"
grep -q "rollback" "$state/migration.log" || fail "the rollback is not in the log"
pass_step "rollback offered, declined, then accepted"

tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "exit $status"
