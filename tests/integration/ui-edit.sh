#!/bin/sh
# Reading and editing a setting, and trusting what is on screen (tmux, 80x24, UTF-8): the
# edit line moves and deletes as readline does, the selected setting's whole value shows in
# the detail pane, checks found with other settings are marked stale and n runs them again,
# quitting prints the command that resumes, an interrupted stage says so.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"

state="$TEST_TMP/state"
conf="$TEST_TMP/plan.conf"
long="$TEST_TMP/backups/a-rather-long-directory-name/for-the-photos-end"
cat >"$conf" <<CONF
backup_dir = $long
docker_command = false
systemctl_command = false
journalctl_command = false
target_dsn = host=$TEST_TMP/no-such-socket-dir
CONF
screen_joined() { _tmux capture-pane -p -J -t "$TMUX_SESSION"; }
# The value of plan key $1 in the journal's plan snapshot.
journal_value() { sed -n "s/^$1 = \"\(.*\)\"\$/\1/p" "$state/journal"; }
# Waits up to 10 s until plan key $1 is $2 in the journal (saved just after the dialog closed).
wait_value() {
    _w=0
    while [ "$(journal_value "$1")" != "$2" ] && [ $_w -lt 100 ]; do sleep 0.1; _w=$((_w + 1)); done
    [ "$(journal_value "$1")" = "$2" ]
}

tmux_start -- env LANG=C.UTF-8 LC_ALL=C.UTF-8 "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state"
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "Settings"

# The list cuts the long value and marks it; selected, the detail pane shows all of it.
tmux_screen | grep -F "backup_dir" | grep -qF "…" || { tmux_screen; fail "cut value not marked with …"; }
i=0
while [ $i -lt 11 ]; do tmux_keys Down; i=$((i + 1)); done
tmux_wait_for "Where backups and dumps are written"
screen_joined | grep -qF "$long" || { tmux_screen; fail "the selected value is not shown whole"; }
pass_step "a cut value is marked, the selected one is shown whole"

# Home then typing inserts at the start of a (long, scrolled) value.
tmux_keys Enter
tmux_wait_for "Enter accept"
tmux_keys Home
tmux_type "/x"
tmux_keys Enter
tmux_wait_gone "Enter accept"
wait_value backup_dir "/x$long" || fail "Home + typing gave $(journal_value backup_dir)"
pass_step "Home then typing inserts at the start"

# Readline keys on target_location (the third setting), with a two-byte character.
tmux_keys Home Down Down
tmux_wait_for "Library location for NixOS"
tmux_keys Enter
tmux_wait_for "Enter accept"
tmux_keys C-u
tmux_type "one two three"
tmux_keys C-w             # "one two "
tmux_type "3"             # "one two 3"
tmux_keys Home
tmux_type "X"             # "Xone two 3", cursor after X
tmux_keys DC              # "Xne two 3"
tmux_keys End Left Left C-k   # "Xne two"
tmux_keys Left Left Left Right BSpace  # "Xne wo", cursor before "wo"
tmux_type "é"             # "Xne éwo"
tmux_keys Left BSpace     # "Xneéwo"
tmux_keys C-e
tmux_type "/"             # "Xneéwo/"
tmux_keys C-a Right C-k   # "X"
tmux_type "y"             # "Xy"
tmux_keys Enter
tmux_wait_gone "Enter accept"
wait_value target_location "Xy" || fail "editing keys gave \"$(journal_value target_location)\", not \"Xy\""
tmux_keys Enter
tmux_wait_for "Enter accept"
tmux_keys C-u
tmux_type "/tmp/Xneé one two"
tmux_keys C-a C-f C-f C-d C-b C-b DC End C-w BSpace Home
tmux_type "Z"
tmux_keys Enter
tmux_wait_gone "Enter accept"
wait_value target_location "Ztp/Xneé one" ||
    fail "UTF-8 editing gave \"$(journal_value target_location)\", not \"Ztp/Xneé one\""
tmux_screen | grep -F "target_location" | grep -qF "Ztp/Xneé one" || { tmux_screen; fail "the edited UTF-8 value is not shown"; }
pass_step "Left/Right/Home/End, Ctrl-A/E/W/U/K, Delete, Backspace, by characters"

# The checks run and fail; a changed setting marks their findings stale; n runs them again.
tmux_keys n
tmux_wait_for "Findings"
tmux_wait_for "Failed:" 60
tmux_refute "Stale"
tmux_keys Escape
tmux_wait_for "Settings"
# A value valid in form that a failed check names is no longer marked as fine.
tmux_screen | grep -F "db_username" | grep -q '^ ! db_username' || { tmux_screen; fail "db_username keeps its ✓ after a failed check named it"; }
tmux_keys Enter
tmux_wait_for "Enter accept"
tmux_keys C-u
tmux_type "$TEST_TMP/target"
tmux_keys Enter
tmux_wait_gone "Enter accept"
tmux_keys n
tmux_wait_for "Stale: the settings changed"
tmux_assert "n Run again"
runs=$(grep -c "	discover	.*Discover & check: failed" "$state/migration.log" || true)
tmux_keys n
tmux_wait_gone "Stale: the settings changed" 30
tmux_wait_for "Failed:" 60
runs2=$(grep -c "	discover	.*Discover & check: failed" "$state/migration.log" || true)
[ "$runs2" -gt "$runs" ] || fail "n did not run the checks again ($runs then $runs2 runs)"
pass_step "stale checks are marked and n runs them again"

# The help explains the stage marks.
tmux_keys '?'
tmux_wait_for "Stage marks:"
tmux_keys Escape
tmux_wait_gone "Stage marks:"
pass_step "help explains the stage marks"

# Quit: the command that resumes, with the state dir (not the default) and the config.
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "wizard exited $status"
screen_joined | grep -qF "immich-migrate --resume --state-dir $state -c $conf" ||
    { screen_joined; fail "quit did not print the resume command"; }
pass_step "quit prints the resume command with --state-dir and -c"

# A stage killed while running (the journal still says running): welcome and stage screen
# say it was interrupted, when, and that r resumes it; the welcome names the next stage.
now=$(date +%s)
awk -v now="$now" '/^plan$/ { printf "stage\tstop_docker\trunning\t%s\t\n", now } { print }' \
    "$state/journal" >"$state/journal.new"
grep -q "^stage	stop_docker	running" "$state/journal.new" || { cat "$state/journal.new"; fail "no stop_docker line"; }
mv "$state/journal.new" "$state/journal"
chmod 600 "$state/journal"
tmux_start -- env LANG=C.UTF-8 LC_ALL=C.UTF-8 "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state" --resume
tmux_wait_for "Welcome"
tmux_assert "Stop Docker (interrupted)"
tmux_assert "Next: 1. Discover & check"
tmux_keys Enter
tmux_wait_for "Findings"
tmux_wait_for "r Run again" 60
tmux_keys n
tmux_wait_for "Step 2 of" # the pre-copy
tmux_keys n
tmux_wait_for "Step 3 of"
tmux_wait_for "Interrupted: started 20"
tmux_assert "r resumes it"
pass_step "an interrupted stage says so, when, and that r resumes it"
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
tmux_wait_exit 10 >/dev/null
