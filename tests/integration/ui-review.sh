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
tmux_assert "Esc Back"
tmux_assert "Discover & check"
if tmux_screen | grep -qE 'stop_docker|verify_backup|prepare_db|discover  '; then
    _tmux_dump; fail "an internal stage id in the stage column"
fi
pass_step "the stage column shows the stages' titles"

# From the end of the list, e shows the errors from the first one on.
# Field 8 is the text (time, stage, kind, exit, seconds, bytes, items, text).
first_error=$(awk -F'\t' '!/^#/ && ($3 == "error" || ($3 == "command" && $4 > 0)) { print substr($8, 1, 30); exit }' "$log")
tmux_keys End
tmux_keys e
tmux_wait_for "$errors of $total records"
tmux_assert "errors only"
tmux_refute "migration started"
tmux_screen | sed -n '4p' | grep -qF -- "$first_error" || { _tmux_dump; fail "the first error is not the first row: $first_error"; }
tmux_keys e
tmux_wait_for "$total of $total records"
pass_step "errors only: $errors of $total, the first error in view"

tmux_keys s
tmux_wait_for "$in_stage of $total records  stage: Discover & check"
tmux_keys c
tmux_wait_for "$total of $total records"
pass_step "stage filter ($first_stage: $in_stage records), c clears it"

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

# The match is highlighted (reverse video) in the row and in the selected record's detail.
tmux_screen_raw | grep -q "$(printf '\033')\[[0-9;]*7m[^$(printf '\033')]*inspect immich_postgres" ||
    { _tmux_dump; fail "the match is not highlighted"; }
# n and N: next and previous match, wrapping.
tmux_keys /
tmux_wait_for "Find records containing:"
tmux_keys C-u
tmux_type "false inspect"
tmux_keys Enter
tmux_wait_for "search: false inspect"
detail() { # detail TEXT: the detail pane shows TEXT within 10 s (a loaded machine redraws late)
    _d=0
    until tmux_screen | sed -n '19,22p' | grep -qF -- "$1"; do
        _d=$((_d + 1)); [ $_d -le 100 ] || return 1
        sleep 0.1
    done
}
# the selection stays on the last match (immich_postgres); n wraps to the first one
detail "false inspect immich_postgres" || { _tmux_dump; fail "the search left the match"; }
tmux_keys n
detail "false inspect immich_server" || { _tmux_dump; fail "n did not go to the next match"; }
tmux_keys n
detail "false inspect immich_machine_learning" || { _tmux_dump; fail "n did not go on"; }
tmux_keys N
detail "false inspect immich_server" || { _tmux_dump; fail "N did not go to the previous match"; }
tmux_keys N
detail "false inspect immich_postgres" || { _tmux_dump; fail "N did not wrap backwards"; }
pass_step "n and N go to the next and previous match, shown whole under the list"

# Not found: said on the status line, no row drawn over.
tmux_keys /
tmux_wait_for "Find records containing:"
tmux_keys C-u
tmux_type "no such text anywhere"
tmux_keys Enter
tmux_wait_for "Not found."
rows_before=$(tmux_screen | grep -c "Discover & check")
[ "$(tmux_screen | sed -n '23p' | grep -c "Not found.")" = 1 ] || { _tmux_dump; fail "Not found. is not on the status line"; }
tmux_screen | grep "Not found." | grep -q "Discover & check" && { _tmux_dump; fail "Not found. drawn over a row"; }
[ "$rows_before" -ge 14 ] || { _tmux_dump; fail "rows hidden by the status: $rows_before"; }
pass_step "Not found. on the status line"
tmux_keys c
tmux_wait_for "$total of $total records"

tmux_resize 100 30
tmux_wait_for "$total of $total records"
tmux_keys q
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "review exited $status"
pass_step "q quits the review"
