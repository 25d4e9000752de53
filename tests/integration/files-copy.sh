#!/bin/sh
# copy: an exact copy (content, modes, owners, nanosecond times, symlinks, hard links,
# dot-files, empty directories) that never changes the source; after kill -9 in the middle of
# a large file a rerun completes it, skipping the finished files, and the result is exact;
# the same directory is not copied; nested directories are refused; a damaged copy is found.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"
need sha256sum

src=$TEST_TMP/src
make_library "$src" "$TEST_TMP/outside" --large-mb 8
tree_listing "$src" "$TEST_TMP/want"
src_state() { ( cd "$src" && find . -printf '%C@ %A@ %p\0' | sort -z ) > "$1"; }
src_state "$TEST_TMP/src-before"

dst=$TEST_TMP/dst
"$IMMICH_MIGRATE" copy "$src" "$dst" 2> "$TEST_TMP/log" || { cat "$TEST_TMP/log"; fail "copy failed"; }
assert_contains "$TEST_TMP/log" "the copy $dst equals $src"
tree_listing "$dst" "$TEST_TMP/got"
cmp -s "$TEST_TMP/want" "$TEST_TMP/got" || { show_listing_diff "$TEST_TMP/want" "$TEST_TMP/got"; fail "copy differs"; }
[ "$dst/upload/ab/cd/photo one.jpg" -ef "$dst/library/admin/2024/01/photo one.jpg" ] || fail "hard link lost"
[ "$(readlink "$dst/library/outside-link")" = "$TEST_TMP/outside/target.txt" ] || fail "symlink changed"
[ "$(stat -c %a "$dst")" = "$(stat -c %a "$src")" ] || fail "root mode not kept"
src_state "$TEST_TMP/src-after"
cmp -s "$TEST_TMP/src-before" "$TEST_TMP/src-after" || fail "the source was touched (ctime/atime changed)"
pass_step "exact copy, source untouched"

# a second run copies nothing and still verifies
"$IMMICH_MIGRATE" copy "$src" "$dst" 2> "$TEST_TMP/log" || { cat "$TEST_TMP/log"; fail "rerun failed"; }
assert_contains "$TEST_TMP/log" "copied 0 files"
pass_step "rerun copies nothing"

# kill -9 in the middle of the large file, then resume
dst2=$TEST_TMP/dst2
IMMICH_MIGRATE_TEST_FILES_DELAY_MS=60 "$IMMICH_MIGRATE" copy "$src" "$dst2" 2> "$TEST_TMP/log1" &
pid=$!
# the temporary name of the large file: .immich-migrate.XXXXXXXXXXXX.partial
partial_of() { find "$dst2/library/admin/2024/01" -maxdepth 1 -name '.immich-migrate.*.partial' 2>/dev/null | head -n 1; }
i=0
until partial=$(partial_of) && [ -n "$partial" ] && [ "$(stat -c %s "$partial")" -ge 1048576 ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || { kill -9 $pid; fail "the copy never reached the large file"; }
    kill -0 $pid 2>/dev/null || { cat "$TEST_TMP/log1"; fail "the copy ended before the kill"; }
    sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null || true
[ ! -e "$dst2/library/admin/2024/01/large.mp4" ] || fail "an incomplete file got its final name"
pass_step "killed in the middle of the large file"
"$IMMICH_MIGRATE" copy "$src" "$dst2" 2> "$TEST_TMP/log2" || { cat "$TEST_TMP/log2"; fail "resumed copy failed"; }
cat "$TEST_TMP/log2"
grep -q 'already complete' "$TEST_TMP/log2" || fail "no summary"
skipped=$(sed -n 's/.*, \([0-9]*\) already complete.*/\1/p' "$TEST_TMP/log2")
[ "$skipped" -gt 0 ] || fail "the resumed copy did not skip the finished files"
[ ! -e "$partial" ] && [ -z "$(find "$dst2" -name '.immich-migrate.*.partial')" ] || fail "partial file left"
tree_listing "$dst2" "$TEST_TMP/got2"
cmp -s "$TEST_TMP/want" "$TEST_TMP/got2" || { show_listing_diff "$TEST_TMP/want" "$TEST_TMP/got2"; fail "resumed copy differs"; }
pass_step "resumed copy is exact ($skipped files skipped)"

# the verification finds damage done behind the copy's back
touch -r "$dst2/thumbs/ab/cd/thumb.webp" "$TEST_TMP/stamp"
printf 'Q' | dd of="$dst2/thumbs/ab/cd/thumb.webp" bs=1 seek=10 conv=notrunc 2>/dev/null
touch -r "$TEST_TMP/stamp" "$dst2/thumbs/ab/cd/thumb.webp"
expect_status 1 "$IMMICH_MIGRATE" copy "$src" "$dst2" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "different in the copy: thumbs/ab/cd/thumb.webp (content)"
pass_step "a damaged copy is reported"

# same directory (also through a symlink): nothing copied
ln -s "$src" "$TEST_TMP/src-link"
"$IMMICH_MIGRATE" copy "$src" "$TEST_TMP/src-link" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "same directory: nothing to copy"
expect_status 1 "$IMMICH_MIGRATE" copy "$src" "$src/upload/inner" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "inside one another"
[ ! -e "$src/upload/inner" ] || fail "created a directory inside the source"
src_state "$TEST_TMP/src-end"
cmp -s "$TEST_TMP/src-before" "$TEST_TMP/src-end" || fail "the source was touched"
pass_step "same and nested directories"
