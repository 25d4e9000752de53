#!/bin/sh
# restore-owners after an in-place chown: owners and modes identical to before (find -printf
# '%U %G %m %p'), hard links and symlinks (their own owners) included, names with a newline
# and ESC; the manifest is 0600, escaped, and complete (renamed into place) before the first
# fchownat; an existing manifest is kept by a second chown; without a manifest, refused; a
# replaced entry is reported and left alone, a vanished one reported, a directory replaced by
# a symlink never followed; a manifest naming /etc is refused with no change attempted. Runs
# in a private mount namespace where only the test directory is writable (readonly_root.sh).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/readonly_root.sh"
need strace find stat
readonly_root_enter
rw=$RW

lib=$rw/lib; state=$rw/state; outside=$rw/outside
nl='
'
esc=$(printf '\033')
odd="odd${nl}name${esc}[31m"
mkdir -p "$lib/upload/u1" "$lib/thumbs/t" "$lib/sub" "$outside"
echo outside > "$outside/target.txt"; chown 2001:2002 "$outside/target.txt"
echo photo > "$lib/upload/u1/a.jpg"; chown 1001:1002 "$lib/upload/u1/a.jpg"; chmod 4751 "$lib/upload/u1/a.jpg"
ln "$lib/upload/u1/a.jpg" "$lib/thumbs/t/a-link.jpg"
echo odd > "$lib/upload/$odd"; chown 1003:1004 "$lib/upload/$odd"; chmod 0604 "$lib/upload/$odd"
mkdir "$lib/upload/dir$nl$esc"; chmod 2750 "$lib/upload/dir$nl$esc"; chown 1005:1006 "$lib/upload/dir$nl$esc"
ln -s ../upload/u1/a.jpg "$lib/thumbs/rel-link"; chown -h 1007:1008 "$lib/thumbs/rel-link"
ln -s "$outside/target.txt" "$lib/thumbs/out-link"; chown -h 1009:1010 "$lib/thumbs/out-link"
chmod 1777 "$lib/thumbs"; chown 1011:1012 "$lib/thumbs"; chmod 0755 "$lib"
echo s > "$lib/sub/f"; chown 1013:1014 "$lib/sub/f"
snap() { (cd "$lib" && find . -printf '%U %G %m %p\n' | LC_ALL=C sort); }
before=$(snap)
outside_before=$(stat -c '%u:%g %a %Z' "$outside/target.txt")
owner=nobody:$(id -gn nobody)

# No manifest: refused, nothing changed.
expect_status 1 "$IMMICH_MIGRATE" restore-owners --state-dir "$state" --yes 2> "$rw/log"
assert_contains "$rw/log" "there is no owners manifest $state/owners.manifest"
[ "$(snap)" = "$before" ] || fail "restore-owners without a manifest changed something"
pass_step "restore-owners without a manifest refused"

strace -f -qq -o "$rw/trace" -e trace=rename,renameat,renameat2,fchownat,fchown,lchown,chown \
    "$IMMICH_MIGRATE" chown "$lib" "$owner" --target-location "$lib" --state-dir "$state" --yes \
    2> "$rw/log" || { cat "$rw/log"; fail "chown failed"; }
first=$(grep -E '(rename|chown)[a-z0-9]*\(' "$rw/trace" | head -n 1)
case $first in
*rename*owners.manifest*) ;;
*) cat "$rw/trace"; fail "the first change was not the manifest's rename: $first" ;;
esac
[ "$(stat -c %a "$state/owners.manifest")" = 600 ] || fail "the manifest is not 0600"
grep -q "$esc" "$state/owners.manifest" && fail "the manifest holds a raw ESC"
assert_contains "$state/owners.manifest" 'odd\x0aname\x1b[31m'
[ "$(grep -c . "$state/owners.manifest")" = "$(($(cd "$lib" && find . | grep -c '^\.') + 1))" ] ||
    fail "the manifest does not have one line per entry"
[ "$(snap)" != "$before" ] || fail "chown changed nothing"
pass_step "chown wrote a complete 0600 escaped manifest before its first fchownat"

# A second chown keeps the first manifest (the owners from before any chown).
cp "$state/owners.manifest" "$rw/manifest.1"
"$IMMICH_MIGRATE" chown "$lib" "$owner" --target-location "$lib" --state-dir "$state" --yes 2> "$rw/log"
assert_contains "$rw/log" "Kept $state/owners.manifest"
cmp -s "$state/owners.manifest" "$rw/manifest.1" || fail "a second chown replaced the manifest"
pass_step "a second chown keeps the manifest"

# -c with another target_location: refused.
printf 'target_location = %s\n' "$outside" > "$rw/other.conf"
expect_status 1 "$IMMICH_MIGRATE" restore-owners -c "$rw/other.conf" --state-dir "$state" --yes 2> "$rw/log"
assert_contains "$rw/log" "the manifest holds the owners of $lib, not of target_location $outside"
expect_status 1 "$IMMICH_MIGRATE" restore-owners --state-dir "$state" < /dev/null 2> "$rw/log"
assert_contains "$rw/log" "not confirmed"
pass_step "a plan of another target_location and an unconfirmed run refused"

printf 'target_location = %s\n' "$lib" > "$rw/plan.conf"
"$IMMICH_MIGRATE" restore-owners -c "$rw/plan.conf" --state-dir "$state" --yes 2> "$rw/log" ||
    { cat "$rw/log"; fail "restore-owners failed"; }
after=$(snap)
[ "$after" = "$before" ] || { printf '%s\n---\n%s\n' "$before" "$after"; fail "owners or modes differ after restore-owners"; }
[ "$(stat -c '%u:%g %a %Z' "$outside/target.txt")" = "$outside_before" ] || fail "the symlink's target outside changed"
assert_contains "$rw/log" "0 vanished, 0 replaced, 0 failures"
pass_step "restore-owners: owners and modes identical to before (hard links, symlinks, odd names)"

# Replaced and vanished entries: left alone and reported; the rest restored.
"$IMMICH_MIGRATE" chown "$lib" "$owner" --target-location "$lib" --state-dir "$state" --yes 2> "$rw/log"
rm "$lib/upload/$odd"; echo new > "$lib/upload/$odd"; chown 4242:4243 "$lib/upload/$odd"
rm -r "$lib/sub"; ln -s "$outside" "$lib/sub"
rm "$lib/thumbs/rel-link"
expect_status 1 "$IMMICH_MIGRATE" restore-owners --state-dir "$state" --yes 2> "$rw/log"
assert_contains "$rw/log" "replaced by another file since the manifest, left alone: $lib/upload/odd\\x0aname\\x1b[31m"
assert_contains "$rw/log" "replaced by another file since the manifest, left alone: $lib/sub"
assert_contains "$rw/log" "vanished, not restored: $lib/sub/f"
assert_contains "$rw/log" "vanished, not restored: $lib/thumbs/rel-link"
assert_contains "$rw/log" "2 vanished, 2 replaced, 0 failures"
[ "$(stat -c %u:%g "$lib/upload/$odd")" = 4242:4243 ] || fail "a replaced file was changed"
[ "$(stat -c '%u:%g %a %Z' "$outside/target.txt")" = "$outside_before" ] || fail "restore went through a symlink"
[ "$(stat -c %u:%g:%a "$lib/upload/u1/a.jpg")" = 1001:1002:4751 ] || fail "the rest was not restored"
pass_step "replaced and vanished entries reported and left alone, symlinks never followed"

# A manifest naming /etc: refused before any change.
mkdir "$rw/evil"
printf 'immich-migrate-owners 1\t/etc\n1\t1\t0\t0\t40755\t1\t\n' > "$rw/evil/owners.manifest"
set +e
strace -f -qq -o "$rw/trace" -e trace=chown,fchown,fchownat,lchown,chmod,fchmod,fchmodat \
    "$IMMICH_MIGRATE" restore-owners --state-dir "$rw/evil" --yes 2> "$rw/log"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$rw/log"; fail "expected exit 1, got $rc"; }
assert_contains "$rw/log" "refusing a system directory"
if grep -E '(chown|chmod)[a-z]*\(' "$rw/trace" | grep -q .; then cat "$rw/trace"; fail "a change was attempted"; fi
pass_step "a manifest of /etc refused, no change attempted"
