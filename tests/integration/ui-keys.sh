#!/bin/sh
# Keys people know (issue 13, items 1, 6 and 10), in tmux at 80x24:
# - Enter does the key bar's first action on every screen (settings: edit; checks: run the
#   stale checks again; a stage: run; the welcome of an unfinished migration: resume);
# - y/n dialogs show their default ([Y/n] / [y/N]) and Enter answers it; Tab switches it;
# - F10 quits (after the quit question, whose default is yes);
# - a checks finding cut at the top of the pane (marked …) is shown whole with p;
# - the stage screens say exactly what they change and ask: chown names the plan's
#   media_owner and target, prepare-db the database and the typed confirmation;
# - a cancel confirmed after the stage already finished says that nothing was cancelled.
# Docker is a stand-in that fails after a pause, so the checks run long enough to be
# cancelled and fail honestly; nothing real is touched.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"

slow="$TEST_TMP/slow-false"
printf '#!/bin/sh\nsleep 1\nexit 1\n' >"$slow"
chmod 755 "$slow"
state="$TEST_TMP/state"
conf="$TEST_TMP/plan.conf"
cat >"$conf" <<CONF
backup_dir = $TEST_TMP/backup
target_location = $TEST_TMP/media
docker_command = $slow
systemctl_command = false
journalctl_command = false
target_dsn = host=$TEST_TMP/no-such-socket-dir
target_db_name = photos_db
media_owner = daemon:daemon
CONF

# The first pair of the key bar (the bottom line) starts with $1.
keybar_first() {
    _i=0
    until tmux_screen | tail -n 1 | grep -q "^$1"; do
        _i=$((_i + 1)); [ $_i -lt 100 ] || { _tmux_dump; fail "the key bar does not start with $1"; }
        sleep 0.1
    done
}
# The screen as one line, wrapped text joined (a wrapped sentence may break anywhere).
screen_joined() { tmux_screen | sed 's/^ *//; s/ *$//' | tr '\n' ' '; }
joined_has() { screen_joined | grep -qF -- "$1" || { _tmux_dump; fail "screen lacks: $1"; }; }
# Waits until the checks finished (the result line says so) and no dialog is open.
checks_finished() { tmux_wait_for "Failed:" 90; }

tmux_start -- env LANG=C.UTF-8 LC_ALL=C.UTF-8 "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state"
tmux_wait_for "Welcome"
keybar_first "Enter Start"
tmux_keys Enter
tmux_wait_for "Value"
keybar_first "Enter Edit"
tmux_keys Enter
tmux_wait_for "Enter accept"
tmux_keys Escape
tmux_wait_gone "Enter accept"
pass_step "welcome and settings: the key bar starts with what Enter does, and Enter does it"

# Tab moves to the next field (setting), not to the next screen.
tmux_screen | grep -q '^── compose_dir' || { _tmux_dump; fail "compose_dir is not the selected setting"; }
tmux_keys Tab
tmux_wait_for "── upload_location"
tmux_assert "Value"
pass_step "Tab selects the next setting"

# p shows the selected value whole.
tmux_keys p
tmux_wait_for "Esc, q or Enter close"
tmux_keys q
tmux_wait_gone "Esc, q or Enter close"

# ---- the checks: cancel asked while they run, answered after they finished
tmux_keys n
tmux_wait_for "Running..." 30
keybar_first "Enter/p Full text"
tmux_keys c
tmux_wait_for "Cancel the running stage?"
tmux_assert "[Y/n]"
checks_finished # behind the open question
tmux_keys Enter # the default: yes
tmux_wait_for "Nothing was cancelled: the stage had already finished."
pass_step "a cancel confirmed after the stage finished says nothing was cancelled"

# A finding whose first lines scrolled off the pane is marked … and shown whole with p.
tmux_keys Up # any key clears the status line; Up scrolls the pane by one line
tmux_keys Down
tmux_wait_gone "Nothing was cancelled"
tmux_screen | grep -q '^ … ' || { _tmux_dump; fail "no finding is marked as cut at the top of the pane"; }
tmux_refute "Discover & check: started"
keybar_first "Enter/n Next"
tmux_keys p
tmux_wait_for "Esc, q or Enter close"
tmux_assert "Discover & check: started"
tmux_keys Escape
tmux_wait_gone "Esc, q or Enter close"
pass_step "a finding cut at the top is marked … and p shows every finding whole"

# ---- the stage screens say what they change and ask
wizard_next_to "Prepare database"
tmux_wait_for "Drops and recreates the schemas"
joined_has "Drops and recreates the schemas of the database photos_db on host=$TEST_TMP/no-such-socket-dir"
joined_has "Asks you to type the database name (photos_db) before it drops anything."
keybar_first "Enter/r Run"
wizard_next_to "Set owner"
tmux_wait_for "Sets the owner of"
joined_has "Sets the owner of $TEST_TMP/media and everything in it to daemon:daemon"
joined_has "Asks yes or no before it changes anything"
pass_step "Prepare database names the database and the typed confirmation; Set owner the media_owner"

# ---- y/n defaults: Skip defaults to no; Tab switches what Enter answers
tmux_keys s
tmux_wait_for "Skip this stage?"
tmux_assert "[y/N]"
tmux_keys Enter
tmux_wait_gone "Skip this stage?"
sleep 0.3
! grep -q "^stage	chown	skipped" "$state/journal" || fail "Enter skipped the stage though the default is no"
tmux_assert "Not run yet."
tmux_keys s
tmux_wait_for "Skip this stage?"
tmux_keys Tab
tmux_wait_for "[Y/n]"
tmux_keys Enter
tmux_wait_for "Skipped:"
grep -q "^stage	chown	skipped" "$state/journal" || { cat "$state/journal"; fail "Tab then Enter did not skip"; }
keybar_first "Enter/n Next"
pass_step "y/n: Enter answers the default shown, Tab switches it"

# ---- the stale checks: Enter runs them again (the key bar's first pair)
wizard_back_to "Settings"
tmux_keys Enter
tmux_wait_for "Enter accept"
tmux_keys C-u
tmux_type "nobody:nogroup"
tmux_keys Enter
tmux_wait_gone "Enter accept"
tmux_keys n
tmux_wait_for "Stale: the settings changed"
keybar_first "Enter/n Run again"
runs=$(grep -c "	discover	.*Discover & check: failed" "$state/migration.log" || true)
tmux_keys Enter
tmux_wait_gone "Stale: the settings changed" 30
checks_finished
runs2=$(grep -c "	discover	.*Discover & check: failed" "$state/migration.log" || true)
[ "$runs2" -gt "$runs" ] || fail "Enter did not run the stale checks again ($runs then $runs2 runs)"
pass_step "stale checks: Enter runs them again"

# ---- F10 quits, after the quit question; Enter answers its default (yes)
tmux_keys F10
tmux_wait_for "Quit?"
tmux_assert "[Y/n]"
tmux_keys Enter
status=$(tmux_wait_exit 15)
[ "$status" = 0 ] || fail "F10 and Enter exited $status"
pass_step "F10 asks Quit? [Y/n] and Enter quits"

# ---- the welcome of an unfinished migration: Enter resumes
tmux_start -- env LANG=C.UTF-8 LC_ALL=C.UTF-8 "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state"
tmux_wait_for "An unfinished migration was found"
keybar_first "Enter Resume"
tmux_keys Enter
tmux_wait_gone "An unfinished migration was found"
tmux_wait_for "Step 1 of"
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
status=$(tmux_wait_exit 15)
[ "$status" = 0 ] || fail "quit exited $status"
pass_step "welcome of an unfinished migration: Enter resumes"
