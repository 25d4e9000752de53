#!/bin/sh
# --review: the log browser in tmux at 80x24: every record, the errors-only and stage filters,
# search, a record in full, quitting. Expected counts come from the log file itself (awk).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
need awk

state="$TEST_TMP/state"
conf="$TEST_TMP/plan.conf"
cat >"$conf" <<CONF
backup_dir = $TEST_TMP/backup
docker_command = false
systemctl_command = false
journalctl_command = false
target_dsn = host=$TEST_TMP/no-such-socket-dir
CONF
# A batch run that fails in its first stage leaves a log with messages, commands and errors.
expect_status 1 "$IMMICH_MIGRATE" --batch -c "$conf" --state-dir "$state" 2>/dev/null
log="$state/migration.log"
[ -s "$log" ] || fail "no log written"
total=$(awk -F'\t' '!/^#/' "$log" | wc -l)
errors=$(awk -F'\t' '!/^#/ && ($3 == "error" || ($3 == "command" && $4 > 0))' "$log" | wc -l)
first_stage=$(awk -F'\t' '!/^#/ && $2 != "" { print $2; exit }' "$log")
in_stage=$(awk -F'\t' -v s="$first_stage" '!/^#/ && $2 == s' "$log" | wc -l)
[ "$errors" -gt 0 ] && [ "$errors" -lt "$total" ] || fail "log has $errors errors of $total records"

# Without a terminal: a hint to --report and exit 2; an unreadable log: exit 1 before curses.
set +e
"$IMMICH_MIGRATE" --review="$state" </dev/null >"$TEST_TMP/notty.out" 2>&1; rc=$?
"$IMMICH_MIGRATE" --review="$TEST_TMP/nothing-here" </dev/null >"$TEST_TMP/nolog.out" 2>&1; rc2=$?
set -e
[ "$rc" = 2 ] || fail "review without a terminal exited $rc"
assert_contains "$TEST_TMP/notty.out" "--report"
[ "$rc2" = 1 ] || fail "review of a missing log exited $rc2"
assert_contains "$TEST_TMP/nolog.out" "immich-migrate:"
pass_step "review without a terminal or without a log"

tmux_start -- "$IMMICH_MIGRATE" --review="$state"
tmux_wait_for "$total of $total records"
tmux_assert "migration started"
tmux_assert "Time"
tmux_assert "q Quit"

tmux_keys e
tmux_wait_for "$errors of $total records"
tmux_assert "errors only"
tmux_refute "migration started"
tmux_keys e
tmux_wait_for "$total of $total records"
pass_step "errors only: $errors of $total"

tmux_keys s
tmux_wait_for "$in_stage of $total records  stage: $first_stage"
tmux_keys Escape
tmux_wait_for "$total of $total records"
pass_step "stage filter ($first_stage: $in_stage records), Esc clears it"

tmux_keys /
tmux_wait_for "Find records containing:"
tmux_type "inspect immich_postgres"
tmux_keys Enter
tmux_wait_gone "Find records containing:"
tmux_assert "search: inspect immich_postgres"
tmux_keys Enter
tmux_wait_for "Kind: command"
tmux_assert "Exit status: 1"
tmux_assert "false inspect immich_postgres"
tmux_keys q
tmux_wait_gone "Kind: command"
pass_step "search and a record in full"

tmux_resize 100 30
tmux_wait_for "$total of $total records"
tmux_keys q
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "review exited $status"
pass_step "q quits the review"
