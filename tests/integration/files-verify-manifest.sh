#!/bin/sh
# verify-backup ARCHIVE reads the archive against ARCHIVE.manifest and never the library:
# a good archive passes (with the library moved away, and strace shows no library file
# opened); a byte flipped inside a file in the archive, a manifest line changed, an entry
# missing from the archive, a truncated and a missing manifest each fail, naming the cause;
# a manifest of version 1 is still taken, with a warning.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"
need tar zstd bsdtar strace xxhsum

lib=$TEST_TMP/lib
make_library "$lib" "$TEST_TMP/outside" --large-mb 2
# a file whose bytes we can find inside the uncompressed tar
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "MARKER-%05d-", i }' > "$lib/library/admin/2024/01/marked.jpg"
arc=$TEST_TMP/lib.tar.zst
"$IMMICH_MIGRATE" backup "$lib" "$arc" 2> "$TEST_TMP/log" || { cat "$TEST_TMP/log"; fail "backup failed"; }
head -1 "$arc.manifest" | grep -q 'manifest 2: xxh64 size mtime type mode uid gid path' ||
    fail "the manifest has not the version 2 header"
tail -1 "$arc.manifest" | grep -Eq '^# end [0-9]+ [0-9a-f]{16}$' || fail "the manifest has no end line"
# the checksums are XXH64 as the xxHash project's own xxhsum computes it (-H1: XXH64)
want=$(xxhsum -H1 "$lib/library/admin/2024/01/marked.jpg" | cut -d' ' -f1)
got=$(grep ' library/admin/2024/01/marked.jpg$' "$arc.manifest" | cut -d' ' -f1)
[ -n "$want" ] && [ "$got" = "$want" ] || fail "manifest checksum $got, xxhsum says $want"
pass_step "the manifest's checksum of a file equals xxhsum -H1's"

# good archive, library out of reach: it is not needed
mv "$lib" "$TEST_TMP/lib.away"
"$IMMICH_MIGRATE" verify-backup "$arc" 2> "$TEST_TMP/log" ||
    { cat "$TEST_TMP/log"; fail "verify-backup rejects a good archive"; }
assert_contains "$TEST_TMP/log" "matches its manifest"
grep -E "progress: .* \(100%\)" "$TEST_TMP/log" | grep -q . || fail "no progress to 100 %"
mv "$TEST_TMP/lib.away" "$lib"
strace -f -qq -e trace=openat,open,openat2 -o "$TEST_TMP/strace" "$IMMICH_MIGRATE" verify-backup "$arc" 2>/dev/null ||
    fail "verify-backup failed under strace"
grep -q "lib.tar.zst\"" "$TEST_TMP/strace" || fail "strace saw no archive opened (wrong trace?)"
if grep -F "\"$lib/" "$TEST_TMP/strace" | grep -v "lib.tar.zst"; then
    fail "verify-backup opened files of the library"
fi
pass_step "good archive verified against its manifest; no library file opened (strace)"

# rewrite the archive with one byte flipped inside marked.jpg
zstd -dq "$arc" -o "$TEST_TMP/plain.tar"
off=$(grep -obUa 'MARKER-01000-' "$TEST_TMP/plain.tar" | head -1 | cut -d: -f1)
[ -n "$off" ] || fail "marker not found in the tar"
printf 'X' | dd of="$TEST_TMP/plain.tar" bs=1 seek="$off" conv=notrunc 2>/dev/null
mkdir "$TEST_TMP/flip"
zstd -q "$TEST_TMP/plain.tar" -o "$TEST_TMP/flip/lib.tar.zst"
cp -p "$arc.manifest" "$TEST_TMP/flip/lib.tar.zst.manifest"
expect_status 1 "$IMMICH_MIGRATE" verify-backup "$TEST_TMP/flip/lib.tar.zst" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "different: library/admin/2024/01/marked.jpg (content)"
assert_contains "$TEST_TMP/log" "1 different"
pass_step "a flipped byte inside a file of the archive fails, naming the file"

# one manifest line changed (the checksum of marked.jpg): the entry and the end line disagree
mkdir "$TEST_TMP/edit"
cp "$arc" "$TEST_TMP/edit/lib.tar.zst"
awk '$NF ~ /marked\.jpg$/ { $1 = "0000000000000000" } { print }' "$arc.manifest" > "$TEST_TMP/edit/lib.tar.zst.manifest"
cmp -s "$arc.manifest" "$TEST_TMP/edit/lib.tar.zst.manifest" && fail "the manifest edit did nothing"
expect_status 1 "$IMMICH_MIGRATE" verify-backup "$TEST_TMP/edit/lib.tar.zst" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "different: library/admin/2024/01/marked.jpg (content)"
assert_contains "$TEST_TMP/log" "was changed after the backup"
# the same with only the mode of a file changed in its line
awk '$NF ~ /run\.sh$/ { $5 = "777" } { print }' "$arc.manifest" > "$TEST_TMP/edit/lib.tar.zst.manifest"
expect_status 1 "$IMMICH_MIGRATE" verify-backup "$TEST_TMP/edit/lib.tar.zst" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "different: library/run.sh (mode)"
pass_step "a changed manifest line fails (the entry and the manifest's end line)"

# an entry missing from the archive: bsdtar copies every entry but one, in the same order
mkdir "$TEST_TMP/miss"
bsdtar --format pax --zstd -cf "$TEST_TMP/miss/lib.tar.zst" --exclude 'library/admin/2024/01/marked.jpg' "@$arc"
cp -p "$arc.manifest" "$TEST_TMP/miss/lib.tar.zst.manifest"
expect_status 1 "$IMMICH_MIGRATE" verify-backup "$TEST_TMP/miss/lib.tar.zst" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "missing from the archive (listed in its manifest): library/admin/2024/01/marked.jpg"
assert_contains "$TEST_TMP/log" "1 differences from the manifest"
pass_step "an entry missing from the archive fails, naming it"

# the manifest truncated (its end line lost, or cut mid-line), or missing
sed '$d' "$arc.manifest" > "$TEST_TMP/edit/lib.tar.zst.manifest"
expect_status 1 "$IMMICH_MIGRATE" verify-backup "$TEST_TMP/edit/lib.tar.zst" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "incomplete: its end line is missing"
head -c 300 "$arc.manifest" > "$TEST_TMP/edit/lib.tar.zst.manifest"
expect_status 1 "$IMMICH_MIGRATE" verify-backup "$TEST_TMP/edit/lib.tar.zst" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "incomplete"
rm "$TEST_TMP/edit/lib.tar.zst.manifest"
expect_status 1 "$IMMICH_MIGRATE" verify-backup "$TEST_TMP/edit/lib.tar.zst" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "cannot read the manifest"
assert_contains "$TEST_TMP/log" "compares with the library instead"
pass_step "a truncated or missing manifest is a failure, not a pass"

# a manifest of version 1 (before owners and the end line) is still taken, with a warning
mkdir "$TEST_TMP/v1"
cp "$arc" "$TEST_TMP/v1/lib.tar.zst"
{
    echo '# immich-migrate manifest 1: xxh64 size mtime type path'
    # drop mode, uid, gid (fields 5-7; the path may hold spaces); 'h' had no checksum
    sed -n '/^#/!p' "$arc.manifest" |
        sed -E 's/^([^ ]+) ([^ ]+) ([^ ]+) (.) [0-7]+ [0-9]+ [0-9]+ /\1 \2 \3 \4 /; s/^[0-9a-f]{16}( [^ ]+ [^ ]+ h )/-\1/'
} > "$TEST_TMP/v1/lib.tar.zst.manifest"
"$IMMICH_MIGRATE" verify-backup "$TEST_TMP/v1/lib.tar.zst" 2> "$TEST_TMP/log" ||
    { cat "$TEST_TMP/log"; fail "a version 1 manifest is refused"; }
assert_contains "$TEST_TMP/log" "older version"
pass_step "a version 1 manifest verifies, with a warning"
