#!/bin/bash
# One read of the source (issue 12 item 2, the copy): the copy hashes (XXH64) each file while
# it reads it and keeps the hash in the copy record; the verification then reads only the
# copy and compares with the record, the source only by stat. After a pre-copy and a
# catch-up, strace shows the catch-up (copy and verification) opening for reading only the
# source files it copied, each once; a byte of a copied file changed in the target (same
# size, mtime restored) is found by a later verified run without reading the source; an old
# (version 1, hashless) record still works, by comparing byte for byte.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"
need strace diff cmp dd

# The source files a traced run opened for reading (open_for_reading: O_NOATIME as root),
# basenames sorted, one per open.
source_reads() {
    sed -n 's/.*openat([0-9]*, "\([^"]*\)", O_RDONLY|O_NONBLOCK.*O_NOATIME.*/\1/p' "$1" |
        LC_ALL=C sort | tr '\n' ' '
}

src=$TEST_TMP/src dst=$TEST_TMP/dst rec=$TEST_TMP/state/library-copy.record
mkdir -p "$TEST_TMP/state"
make_library "$src" "$TEST_TMP/outside" --large-mb 3 > /dev/null
printf 'profile picture\n' > "$src/profile/changed-size.jpg"
sleep 1.1 # a ctime younger than a second is not trusted by the record
"$IMMICH_MIGRATE" copy --record "$rec" --live "$src" "$dst" 2> "$TEST_TMP/pre.log" ||
    { cat "$TEST_TMP/pre.log"; fail "the pre-copy failed"; }
head -n 1 "$rec" | grep -q '^immich-migrate copy record 4 ' || fail "the record is not version 4"
grep -Eq '^f [0-9]+ [0-9.]+ [0-9.]+ [0-9a-f]{16} ' "$rec" || fail "the record holds no hashes"

# ---------------------------------------------------------------- the catch-up, verified
printf 'a new photo\n' > "$src/library/admin/2024/01/new-photo.jpg"
printf 'longer than before\n' >> "$src/profile/changed-size.jpg"
sleep 1.1
strace -f -qq -e trace=openat -o "$TEST_TMP/trace" \
    "$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst" 2> "$TEST_TMP/catch.log" ||
    { cat "$TEST_TMP/catch.log"; fail "the verified catch-up failed"; }
assert_contains "$TEST_TMP/catch.log" "the copy $dst equals $src"
assert_contains "$TEST_TMP/catch.log" "copied 2 files"
assert_contains "$TEST_TMP/catch.log" "checked against the hash taken while copying them"
reads=$(source_reads "$TEST_TMP/trace")
[ "$reads" = "changed-size.jpg new-photo.jpg " ] ||
    fail "the catch-up read [$reads] of the source, not just each changed file once"
diff -r --no-dereference "$src" "$dst" || fail "the copy differs"
pass_step "the verified catch-up read only the 2 changed source files, once each; the copy equals the source"

# ---------------------------------------------------------------- damage found by the hash
victim=library/admin/2024/01/large.mp4
[ -f "$dst/$victim" ] || fail "no $victim in the test library"
printf '\x5a' | dd of="$dst/$victim" bs=1 seek=1000 conv=notrunc status=none
cmp -s "$src/$victim" "$dst/$victim" && printf '\xa5' | dd of="$dst/$victim" bs=1 seek=1000 conv=notrunc status=none
cmp -s "$src/$victim" "$dst/$victim" && fail "the test did not change the copy"
touch -r "$src/$victim" "$dst/$victim"
strace -f -qq -e trace=openat -o "$TEST_TMP/trace2" \
    "$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst" 2> "$TEST_TMP/damaged.log" &&
    { cat "$TEST_TMP/damaged.log"; fail "a copy with a changed byte verified"; }
assert_contains "$TEST_TMP/damaged.log" "different in the copy: $victim (content)"
reads=$(source_reads "$TEST_TMP/trace2")
[ -z "$reads" ] || fail "finding the damage read the source: [$reads]"
pass_step "a changed byte in $victim (same size and mtime) is found by its hash, no source file read"

# ---------------------------------------------------------------- an old record
sed -i -E -e '1s/^immich-migrate copy record 4 /immich-migrate copy record 1 /' \
    -e 's/^([fdls] [0-9]+ [0-9.]+ [0-9.]+) ([0-9a-f]{16}|-) ([0-9]+:[0-9.]+|-) /\1 /' "$rec"
grep -Eq '^f [0-9]+ [0-9.]+ [0-9.]+ [0-9a-f]{16} ' "$rec" && fail "the test left hashes in the old record"
"$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst" 2> "$TEST_TMP/old.log" &&
    { cat "$TEST_TMP/old.log"; fail "with an old record, the changed byte verified"; }
assert_contains "$TEST_TMP/old.log" "different in the copy: $victim (content)"
cp -p "$src/$victim" "$dst/$victim" # repaired: the same size and mtime
"$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst" 2> "$TEST_TMP/old2.log" ||
    { cat "$TEST_TMP/old2.log"; fail "with an old record, a good copy did not verify"; }
assert_contains "$TEST_TMP/old2.log" "copied 0 files"
assert_contains "$TEST_TMP/old2.log" "the copy $dst equals $src"
head -n 1 "$rec" | grep -q '^immich-migrate copy record 4 ' || fail "the record was not renewed as version 4"
pass_step "an old (hashless) record is read: the copy is compared byte for byte, the record renewed"
