#!/bin/sh
# The wizard on the sandbox, in tmux at 80x24: checks pass, stages run on the worker with
# progress and log, and a confirmation from a stage (chown) is asked in a dialog: Esc
# declines (nothing changes), y accepts (the library changes owner); a failure after chown
# names `immich-migrate restore-owners`.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need stat

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 12
state="$TEST_TMP/state"
conf="$sb/immich-migrate.conf"
owner=$(sed -n 's/^media_owner *= *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$conf")
target=$(sed -n 's/^target_location *= *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$conf")
[ -n "$owner" ] && [ -n "$target" ] || fail "cannot read media_owner/target_location from $conf"

# A finished stage's bar reads 100 % with its final figures; a rate has a unit per second
# ("12.3 MiB/s"), never "seconds/s"; the item worked on is gone.
bar_finished() {
    scr=$(tmux_screen)
    if printf '%s\n' "$scr" | grep -E '[0-9]+%' | grep -vqE '(^|[^0-9])100%'; then
        _tmux_dump; fail "a finished stage's bar is not at 100 %"
    fi
    if printf '%s\n' "$scr" | grep -qE '^ +[0-9]+(/[0-9]+)? files(: .*)?$'; then
        _tmux_dump; fail "a finished stage still shows the item it worked on"
    fi
    if printf '%s\n' "$scr" | grep -qE 'seconds/s|ETA'; then
        _tmux_dump; fail "a finished stage shows a rate of seconds or a time left"
    fi
}

run_here() { # r, then wait for the result line
    tmux_keys r
    tmux_wait_for "${1:-Result: done}" 120
    bar_finished
}

tmux_start -- "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state"
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "Settings"
tmux_screen | grep -F "compose_dir" | grep -qF "config file" || { tmux_screen; fail "compose_dir not from the config file"; }
tmux_keys n
tmux_wait_for "Result: done" 120
tmux_assert "[ ok ]"
tmux_refute "[FAIL]"
grep -qE "needs [0-9.]+ (B|KiB|MiB|GiB), you have [0-9.]+ (B|KiB|MiB|GiB|TiB) free" "$state/migration.log" ||
    fail "the free space has no unit: $(grep -o 'Free space[^	]*' "$state/migration.log")"
tmux_assert "Time estimate"
grep -qE "Time estimate: Immich down about [0-9.]+ (s|min [0-9]{2} s|h [0-9]{2} min) \(Stop Docker to Start Immich\).*write [0-9.]+ [KMG]iB/s \(measured\)" "$state/migration.log" ||
    fail "no estimate among the checks: $(grep -o 'Time estimate[^	]*' "$state/migration.log")"
grep -qx "backup_dir = $sb/backup" "$conf" || fail "the sandbox's backup_dir moved"
ls -a "$sb/backup" | grep -q '^\.immich-migrate-speed' &&
    fail "the write-rate sample was left in backup_dir"
pass_step "checks pass on the sandbox; free space with units; the time estimate on the checks screen"

wizard_next_to "Stop Docker"
run_here
grep -q "^docker	stop	" "$sb/calls.log" || fail "docker stop was not called"
wizard_next_to "Back up library"
run_here
tmux_assert "100%"
wizard_next_to "Verify backup"
run_here
tmux_assert "100%"
pass_step "stop, backup (with progress) and verify ran through the worker"

# chown needs the NixOS stage done (its units stopped): run it first.
wizard_next_to "Configure NixOS"
run_here
wizard_next_to "Copy library"
run_here
wizard_next_to "Set owner"
tmux_keys r
tmux_wait_for "Question" 60
tmux_assert "$owner"
tmux_keys Escape
tmux_wait_for "not confirmed" 60
[ "$(stat -c %U:%G "$target")" != "$owner" ] || [ "$(id -un):$(id -gn)" = "$owner" ] \
    || fail "declined chown changed the owner anyway"
tmux_keys r
tmux_wait_for "Question" 60
tmux_keys y
tmux_wait_for "Result: done" 120
bar_finished
grep -qF "now belong to $owner (" "$state/migration.log" || fail "chown's report does not name $owner"
[ "$(stat -c %U:%G "$target")" = "$owner" ] || fail "target is owned by $(stat -c %U:%G "$target"), not $owner"
grep -q "^stage	chown	done" "$state/journal" || fail "journal does not say chown done"
pass_step "a stage's confirmation: Esc declines, y accepts"

# A stage failing after chown: the wizard names the command that puts the owners back and
# offers to run it (the dialog wraps its text, so each check is a phrase within one line).
echo "IMMICH_SANDBOX_FAIL_START=immich-server" > "$sb/faults.env"
wizard_next_to "Start Immich"
tmux_keys r
tmux_wait_for "restore-owners" 120
tmux_assert "owners and modes from before"
tmux_assert "Put them back now?"
tmux_assert "Enter answers no"
tmux_keys Escape
tmux_wait_gone "Put them back now?" 20
tmux_wait_for "Failed: systemctl start failed" 20
tmux_refute "restore-owners"
[ "$(stat -c %U:%G "$target")" = "$owner" ] || fail "declining restore-owners changed the owner anyway"
grep -q "^stage	chown	done" "$state/journal" || fail "declining restore-owners changed the journal"
rm "$sb/faults.env"
pass_step "after chown, a failure offers immich-migrate restore-owners; Esc declines and changes nothing"

tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "exit $status"
