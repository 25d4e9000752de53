#!/bin/sh
# The wizard's rollback after Set owner (issue 12, item 5): in place (target_location =
# upload_location), a stage that fails after chown offers to put the library's owners and
# modes back. No (Enter, the default) changes nothing; yes gives the library exactly the owners
# and modes it had before the run (find -printf '%U %G %m %p', symlinks' own owners and hard
# links included), logs it as the rollback and makes Set owner pending again.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need find

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 6
state="$TEST_TMP/state"
conf="$sb/immich-migrate.conf"
# As in batch-restore-owners.sh: the library moves to the stand-in units' location and the
# Docker mount becomes a symlink to it, so both locations are one directory.
lib="$sb/nixos/immich"
rm -rf "$lib" && mv "$sb/docker/library" "$lib" && ln -s "$lib" "$sb/docker/library"
ln -s upload "$lib/link-to-upload"
[ "$(id -u)" != 0 ] || chown -h 1234:2345 "$lib/link-to-upload"
f=$(find "$lib/upload" -type f | head -n 1)
ln "$f" "$lib/hardlink"
chmod 0640 "$f"
snap() { (cd "$lib" && find . -printf '%U %G %m %p\n' | LC_ALL=C sort); }
before=$(snap)

# Batch runs the migration up to Start Immich, which fails: chown has run.
expect_status 1 env IMMICH_SANDBOX_FAIL_START=immich-server "$IMMICH_MIGRATE" --batch --yes \
    -c "$conf" --state-dir "$state" 2> "$TEST_TMP/err"
assert_contains "$TEST_TMP/err" 'stage "Start Immich" failed'
changed=$(snap)
[ "$changed" != "$before" ] || fail "chown changed nothing"
grep -q "^stage	chown	done" "$state/journal" || { cat "$state/journal"; fail "Set owner is not done"; }

# The wizard resumes it; Start Immich fails again and the rollback is offered.
tmux_start 100 30 -- env IMMICH_SANDBOX_FAIL_START=immich-server "$IMMICH_MIGRATE" -c "$conf" \
    --state-dir "$state" --resume
tmux_wait_for "Welcome" 60
tmux_keys_new_screen Enter
wizard_next_to "Start Immich"
tmux_keys r
tmux_wait_for "Put them back now?" 120
tmux_assert "restore-owners"
log_lines=$(wc -l < "$state/migration.log")
tmux_keys Enter # the default is no
sleep 1
[ "$(snap)" = "$changed" ] || fail "declining the rollback changed owners"
if tail -n +"$((log_lines + 1))" "$state/migration.log" | grep -q "rollback"; then
    fail "declining the rollback logged one"
fi
grep -q "^stage	chown	done" "$state/journal" || fail "declining the rollback changed the journal"
pass_step "offered after a failure past chown; Enter (no) changes nothing"

tmux_keys r
tmux_wait_for "Put them back now?" 120
tmux_keys y
tmux_wait_for "from before chown again" 60
after=$(snap)
[ "$after" = "$before" ] || { printf '%s\n---\n%s\n' "$before" "$after"; fail "owners differ"; }
grep -q "^stage	chown	pending" "$state/journal" || { cat "$state/journal"; fail "Set owner is not pending again"; }
grep -q "rollback" "$state/migration.log" || fail "the rollback is not in the log"
pass_step "yes: owners and modes identical to before the run, Set owner pending, logged"

tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "exit $status"
