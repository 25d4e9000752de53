#!/bin/sh
# In place (target_location = upload_location): a batch run that fails after chown (the
# immich-server unit does not start) names `immich-migrate restore-owners --state-dir DIR`,
# and that command gives the library back exactly the owners and modes it had before the run
# (find -printf '%U %G %m %p'), symlinks' own owners and hard links included.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need find

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 6
state="$TEST_TMP/state"
conf="$sb/immich-migrate.conf"
# The stand-in units use $sb/nixos/immich: the library moves there, and the Docker mount
# (docker/library) becomes a symlink to it, so both locations are one directory.
lib="$sb/nixos/immich"
rm -rf "$lib" && mv "$sb/docker/library" "$lib" && ln -s "$lib" "$sb/docker/library"
ln -s upload "$lib/link-to-upload"
[ "$(id -u)" != 0 ] || chown -h 1234:2345 "$lib/link-to-upload"
f=$(find "$lib/upload" -type f | head -n 1)
ln "$f" "$lib/hardlink"
chmod 0640 "$f"
snap() { (cd "$lib" && find . -printf '%U %G %m %p\n' | LC_ALL=C sort); }
before=$(snap)

expect_status 1 env IMMICH_SANDBOX_FAIL_START=immich-server "$IMMICH_MIGRATE" --batch --yes \
    -c "$conf" --state-dir "$state" 2> "$TEST_TMP/err"
assert_contains "$TEST_TMP/err" "is the Docker library itself: files stay in place"
assert_contains "$TEST_TMP/err" "Saved the owners and modes of"
assert_contains "$TEST_TMP/err" 'stage "Start Immich" failed'
assert_contains "$TEST_TMP/err" "to put them back: immich-migrate restore-owners --state-dir $state"
[ "$(snap)" != "$before" ] || fail "chown changed nothing"
pass_step "a failure after chown names restore-owners"

"$IMMICH_MIGRATE" restore-owners -c "$conf" --state-dir "$state" --yes 2> "$TEST_TMP/log" ||
    { cat "$TEST_TMP/log"; fail "restore-owners failed"; }
after=$(snap)
[ "$after" = "$before" ] || { printf '%s\n---\n%s\n' "$before" "$after"; fail "owners differ"; }
pass_step "restore-owners after an in-place run: owners and modes identical to before"
