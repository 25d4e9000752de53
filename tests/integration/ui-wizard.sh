#!/bin/sh
# The wizard in a real terminal (tmux, 80x24): every screen, help, Esc back, editing a
# setting, a stage that fails honestly, resize to 100x30 and back, quit confirmation, and the
# refusal to run without a terminal.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"

state="$TEST_TMP/state"
conf="$TEST_TMP/plan.conf"
# Commands that fail at once: stages that need Docker or systemd fail, and nothing real is
# touched on the machine running the tests.
cat >"$conf" <<CONF
backup_dir = $TEST_TMP/backup
docker_command = false
systemctl_command = false
journalctl_command = false
target_dsn = host=$TEST_TMP/no-such-socket-dir
CONF

# Without a terminal: one line pointing to --batch, exit 2.
set +e
"$IMMICH_MIGRATE" -c "$conf" --state-dir "$TEST_TMP/notty" </dev/null >"$TEST_TMP/notty.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || { cat "$TEST_TMP/notty.out"; fail "without a terminal the wizard exited $rc, not 2"; }
assert_contains "$TEST_TMP/notty.out" "--batch"
pass_step "no terminal: exit 2 with a hint to --batch"

nstages=$("$IMMICH_MIGRATE" --dry-run -c "$conf" | grep -c '^## [0-9]')
[ "$nstages" -ge 5 ] || fail "dry run lists $nstages stages"
nscreens=$nstages # the first stage (discover) is the checks screen, "Step 1"

tmux_start -- "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state"
tmux_wait_for "Welcome"
tmux_assert "Discover & check"
tmux_assert "Enter Start"
tmux_assert "q Quit"

# Help overlay, closed with Esc.
tmux_keys '?'
tmux_wait_for "Keys everywhere"
tmux_keys Escape
tmux_wait_gone "Keys everywhere"
tmux_keys F1
tmux_wait_for "Keys everywhere"
tmux_keys q
tmux_wait_gone "Keys everywhere"
pass_step "help with ? and F1"

# Settings: values with their sources; edit one.
tmux_keys Enter
tmux_wait_for "Settings"
tmux_assert "backup_dir"
tmux_assert "config file"
tmux_assert "default"
tmux_keys Down Down Enter
tmux_wait_for "Ctrl-A/E/W/U/K"
tmux_keys C-u
tmux_type "$TEST_TMP/target"
tmux_keys Enter
tmux_wait_gone "Ctrl-A/E/W/U/K"
tmux_screen | grep -F "target_location" | grep -qF "typed" || { tmux_screen; fail "edited value not shown as typed"; }
grep -qF "$TEST_TMP/target" "$state/journal" || fail "the edited value is not in the journal"
pass_step "settings: sources shown, an edited value is typed and saved"

# Esc goes back, Enter forward again.
tmux_keys Escape
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "Settings"
pass_step "Esc goes back"

# Checks run by themselves and fail honestly with this plan.
tmux_keys n
tmux_wait_for "Findings"
tmux_wait_for "Failed:" 60
tmux_assert "Step 1 of $nscreens"
tmux_keys n
tmux_wait_for "Step 2 of $nscreens"
tmux_assert "Pre-copy library"
tmux_keys n
tmux_wait_for "Step 3 of $nscreens"
tmux_assert "Stop Docker"
tmux_assert "Will run"
tmux_assert "false stop"
pass_step "checks fail honestly; stage screen shows the exact commands"

# Resize to 100x30: the layout follows; and back to 80x24.
line_width() { tmux_screen | sed -n "$1p" | sed 's/ *$//' | wc -m; }
# until CONDITION...: polls for up to 10 s (the redraw after SIGWINCH may take a moment).
until_true() { _u=0; until "$@"; do _u=$((_u + 1)); [ $_u -lt 100 ] || return 1; sleep 0.1; done; }
wide_title() { [ "$(line_width 1)" -gt 90 ]; }
keys_on_30() { tmux_screen | sed -n 30p | grep -qF "Quit"; }
# (tmux keeps the bottom lines when the window shrinks: the old key bar is on line 24 at once,
# only the title on line 1 shows that the program has redrawn)
narrow_title() {
    [ "$(line_width 1)" -le 80 ] && tmux_screen | sed -n 24p | grep -qF "Quit" &&
        tmux_screen | sed -n 1p | grep -qF "Step 3 of $nscreens"
}
tmux_resize 100 30
until_true wide_title || { tmux_screen; fail "title bar not redrawn at 100 columns"; }
until_true keys_on_30 || { tmux_screen; fail "key bar not on line 30"; }
tmux_resize 80 24
until_true narrow_title || { tmux_screen; fail "title bar wider than 80 or key bar not on line 24 after resizing back"; }
tmux_screen | sed -n 1p | grep -qF "Step 3 of $nscreens" || { tmux_screen; fail "title lost after resize"; }
tmux_screen | sed -n 24p | grep -qF "Quit" || { tmux_screen; fail "key bar not on line 24"; }
pass_step "resize 80x24 -> 100x30 -> 80x24 redraws the layout"

# Run the stage (the failed checks are overridden by typing the word): it fails with the
# command's error, never a fake success.
tmux_keys r
tmux_wait_for 'Type "override" to confirm' 30
tmux_type override
tmux_keys Enter
tmux_wait_for "Failed:" 30
tmux_assert "$ false stop"
grep -q "stop_docker" "$state/migration.log" || fail "the run is not in the log"
pass_step "a failing stage shows its error and the command it ran"

# Walk every other stage screen to the summary.
i=4
while [ $i -le "$nscreens" ]; do
    tmux_keys n
    tmux_wait_for "Step $i of $nscreens"
    tmux_assert "Will run"
    i=$((i + 1))
done
tmux_keys n
tmux_wait_for "Summary"
tmux_assert "The migration is not complete yet."
tmux_assert "migration.log"
tmux_keys Escape
tmux_wait_for "Step $nscreens of $nscreens"
tmux_keys n
tmux_wait_for "Summary"
pass_step "every stage screen and the summary"

# q asks first; n stays, y quits with status 0.
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys n
tmux_wait_gone "Quit?"
tmux_assert "Summary"
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "wizard exited $status after quit"
pass_step "quit asks first"

# Starting again finds the unfinished migration: review, then resume at the first open stage.
tmux_start -- "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state"
tmux_wait_for "An unfinished migration was found"
tmux_keys v
tmux_wait_for "records"
tmux_keys End   # the stage's records come after the checks' lines
tmux_wait_for "Stop Docker"
tmux_keys q
tmux_wait_for "An unfinished migration was found"
tmux_keys r
tmux_wait_for "Step 1 of $nscreens"
pass_step "unfinished migration: review and resume"

# SIGHUP (the SSH connection dropped): clean exit with 128+1, terminal state saved.
kill -HUP "$(tmux_pid)"
status=$(tmux_wait_exit 20)
[ "$status" = 129 ] || fail "after SIGHUP the wizard exited $status, not 129"
pass_step "SIGHUP ends the wizard cleanly"

# Quitting while a stage runs: the wizard asks, cancels, and waits until the stage reached
# its safe point (here: its command ended) before it exits. A stand-in docker that takes
# two seconds to fail makes the stage run long enough.
slow="$TEST_TMP/slow-docker"
cat >"$slow" <<SLOW
#!/bin/sh
if [ "\$1" = stop ]; then sleep 2; echo ended >> "$TEST_TMP/stops"; fi
echo "Cannot connect to the Docker daemon" >&2
exit 1
SLOW
chmod +x "$slow"
state2="$TEST_TMP/state2"
sed "s|^docker_command = .*|docker_command = $slow|" "$conf" >"$TEST_TMP/slow.conf"
to_stop_docker() {
    tmux_wait_for "Findings"
    tmux_wait_for "Failed:" 60
    tmux_keys n
    tmux_wait_for "Step 2 of $nscreens"
    tmux_keys n
    tmux_wait_for "Step 3 of $nscreens"
}
run_overridden() { # r on a stage whose checks failed: type the override
    tmux_keys r
    tmux_wait_for 'Type "override" to confirm' 30
    tmux_type override
    tmux_keys Enter
}
tmux_start -- "$IMMICH_MIGRATE" -c "$TEST_TMP/slow.conf" --state-dir "$state2"
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "Settings"
tmux_keys n
to_stop_docker
run_overridden
tmux_wait_for "c Cancel"
tmux_keys q
tmux_wait_for "A stage is running. Quit?"
tmux_keys y
status=$(tmux_wait_exit 20)
[ "$status" = 0 ] || fail "quit while running exited $status"
[ "$(wc -l <"$TEST_TMP/stops")" = 1 ] || fail "the wizard exited before the stage's command ended"
grep -q "^stage	stop_docker	running" "$state2/journal" && fail "journal still says running after quit"
pass_step "quit while a stage runs waits for its safe point"

# SIGTERM while a stage runs: same, without asking; exit 128+15.
tmux_start -- "$IMMICH_MIGRATE" -c "$TEST_TMP/slow.conf" --state-dir "$state2"
tmux_wait_for "An unfinished migration was found"
tmux_keys r
to_stop_docker
run_overridden
tmux_wait_for "c Cancel"
kill -TERM "$(tmux_pid)"
status=$(tmux_wait_exit 20)
[ "$status" = 143 ] || fail "after SIGTERM the wizard exited $status, not 143"
[ "$(wc -l <"$TEST_TMP/stops")" = 2 ] || fail "the wizard exited before the stage's command ended"
grep -q "^stage	stop_docker	running" "$state2/journal" && fail "journal still says running after SIGTERM"
pass_step "SIGTERM while a stage runs: safe point, then exit 143"
