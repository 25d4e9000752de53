#!/bin/bash
# The library's content is read once while Immich is down (issue 12, verify once): the live
# pre-copy (`copy --record R --live`) reads each copy back from the disk (fdatasync, then
# fadvise DONTNEED) against the hash taken while copying and marks it in the record (version
# 3: the copy's inode and ctime). After 1 file changed, 1 added, 1 deleted, the catch-up
# (`copy --record R`) reads only the 2 copies it made: strace shows no other library file
# opened, /proc/PID/io's rchar stays far below the library, its summary says how many were
# verified during the pre-copy; the target equals the source (diff -r, and type, mode, owner,
# links, size, mtime of every entry). A copy written into after the pre-copy (its times set
# back, so only its ctime tells) fails the catch-up; one written into without that is copied
# again; one damaged before a second pre-copy fails its read-back, which then lets the next
# run copy it again. A version 2 record (no marks) gets the full verification.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"
need strace diff cmp dd find awk

# Regular files' basenames of the library below $1 that a traced run opened (not as a
# directory), sorted and unique. Names of the library only: the record, libraries, locales
# are left out.
opened_files() {
    local trace=$1 lib=$2
    sed -n '/O_DIRECTORY/d; s/.*openat([0-9A-Z_]*, "\([^"]*\)", O_RDONLY.*/\1/p' "$trace" |
        LC_ALL=C sort -u > "$TEST_TMP/opened"
    ( find "$lib" -type f -printf '%f\n'; echo removed.webp ) | LC_ALL=C sort -u > "$TEST_TMP/names"
    LC_ALL=C comm -12 "$TEST_TMP/opened" "$TEST_TMP/names" | tr '\n' ' '
}
# run_io LOG CMD...: runs CMD (stderr to LOG) and prints its rchar (/proc/PID/io of the shell
# that reaped it: the kernel adds a reaped child's counters to its parent's). Fails with CMD.
run_io() {
    local log=$1; shift
    sh -c 'l=$1; shift; s=$(awk "\$1 == \"rchar:\" { print \$2 }" /proc/$$/io)
           "$@" 2> "$l" || exit 1
           awk -v s="$s" "\$1 == \"rchar:\" { print \$2 - s }" /proc/$$/io' sh "$log" "$@"
}
# Entry states: type, mode, owner, links, size (not for directories), mtime, symlink target.
listing() {
    ( cd "$1" && find . \( -type d -printf '%y %m %U:%G - %T@ %p\n' -o \
        -printf '%y %m %U:%G %n %s %T@ %l %p\n' \) | LC_ALL=C sort )
}
assert_exact() {
    diff -r --no-dereference "$1" "$2" || fail "$3: diff -r finds differences"
    listing "$1" > "$TEST_TMP/want-list"
    listing "$2" > "$TEST_TMP/got-list"
    diff "$TEST_TMP/want-list" "$TEST_TMP/got-list" || fail "$3: types, modes, owners or times differ"
}
# The summary's "N files (...) verified during the pre-copy, ...; M read now": "N M".
verified_counts() {
    sed -n 's/.*\] message: \([0-9]*\) files (.*) verified during the pre-copy.* \([0-9]*\) read now.*/\1 \2/p' "$1"
}

src=$TEST_TMP/src dst=$TEST_TMP/dst rec=$TEST_TMP/state/library-copy.record
mkdir -p "$TEST_TMP/state"
make_library "$src" "$TEST_TMP/outside" --large-mb 4 > /dev/null
printf 'profile picture\n' > "$src/profile/changed.jpg"
printf 'a thumbnail\n' > "$src/thumbs/ab/cd/removed.webp"
sleep 1.1 # a ctime younger than a second is not trusted by the record
N=$(du -sb "$src" | cut -f1)
large=library/admin/2024/01/large.mp4

# ---------------------------------------------------------------- the pre-copy reads back
strace -f -qq -e trace=openat,fdatasync,fadvise64 -o "$TEST_TMP/pre.trace" \
    "$IMMICH_MIGRATE" copy --record "$rec" --live "$src" "$dst" 2> "$TEST_TMP/pre.log" ||
    { cat "$TEST_TMP/pre.log"; fail "the pre-copy failed"; }
cat "$TEST_TMP/pre.log"
head -n 1 "$rec" | grep -q '^immich-migrate copy record 4 ' || fail "the record is not version 4"
hashed=$(grep -Ec '^f [0-9]+ [0-9.]+ [0-9.]+ [0-9a-f]{16} ' "$rec")
marked=$(grep -Ec '^f [0-9]+ [0-9.]+ [0-9.]+ [0-9a-f]{16} [0-9]+:[0-9]+\.[0-9]{9} ' "$rec")
[ "$hashed" -ge 10 ] || fail "only $hashed files with a hash in the record"
[ "$marked" = "$hashed" ] || fail "$marked of $hashed hashed files marked as read back"
ino=$(stat -c %i "$dst/$large")
grep -q "^f [0-9]* [0-9.]* [0-9.]* [0-9a-f]* $ino:[0-9.]* library/admin/2024/01/large.mp4\$" "$rec" ||
    fail "the mark of $large is not its copy's inode"
assert_contains "$TEST_TMP/pre.log" "read back $hashed copied files"
# the copy is read from the disk: written out and dropped from the page cache first
grep -q 'fdatasync(' "$TEST_TMP/pre.trace" || fail "the read-back did not fdatasync the copies"
grep -q 'fadvise64(.*POSIX_FADV_DONTNEED' "$TEST_TMP/pre.trace" ||
    fail "the read-back did not drop the copies from the page cache"
# large.mp4 opened twice: the source to copy it (O_NOATIME), the copy to read it back
[ "$(grep -c '"large.mp4", O_RDONLY' "$TEST_TMP/pre.trace")" = 2 ] ||
    fail "the pre-copy did not open $large once to copy it and once to read it back"
pass_step "the pre-copy read back and marked all $hashed hashed copies (fdatasync, DONTNEED)"

# a second pre-copy, nothing changed: nothing read back again (and what a killed read-back
# left beside the record is replaced)
printf 'left by a killed read-back\n' > "$rec.readback"
strace -f -qq -e trace=openat -o "$TEST_TMP/pre2.trace" \
    "$IMMICH_MIGRATE" copy --record "$rec" --live "$src" "$dst" 2> "$TEST_TMP/pre2.log" ||
    { cat "$TEST_TMP/pre2.log"; fail "the second pre-copy failed"; }
assert_contains "$TEST_TMP/pre2.log" "read back 0 copied files"
assert_contains "$TEST_TMP/pre2.log" "$hashed ("
reads=$(opened_files "$TEST_TMP/pre2.trace" "$src")
[ -z "$reads" ] || fail "the second pre-copy read [$reads]"
[ ! -e "$rec.readback" ] || fail "the read-back's temporary record is left"
head -n 1 "$rec" | grep -q '^immich-migrate copy record 4 ' || fail "the record was damaged"
pass_step "a second pre-copy reads nothing back: the marks hold"

# --no-verify with --live: no read-back
"$IMMICH_MIGRATE" copy --record "$rec" --live --no-verify "$src" "$dst" 2> "$TEST_TMP/nov.log" ||
    { cat "$TEST_TMP/nov.log"; fail "the pre-copy with --no-verify failed"; }
assert_not_contains "$TEST_TMP/nov.log" "Reading back"
assert_contains "$TEST_TMP/pre.log" "Reading back"
pass_step "--live --no-verify skips the read-back"

# ---------------------------------------------------------------- the catch-up
printf 'longer than before\n' >> "$src/profile/changed.jpg"
printf 'a new photo\n' > "$src/library/admin/2024/01/added.jpg"
rm "$src/thumbs/ab/cd/removed.webp"
sleep 1.1
rchar=$(run_io "$TEST_TMP/catch.log" strace -f -qq -e trace=openat -o "$TEST_TMP/catch.trace" \
    "$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst") ||
    { cat "$TEST_TMP/catch.log"; fail "the catch-up failed"; }
cat "$TEST_TMP/catch.log"
echo "rchar of the catch-up (and strace): $rchar bytes, library N = $N bytes"
[ "$rchar" -lt $((N / 10)) ] || fail "the catch-up read $rchar bytes, not below 0.1 N = $((N / 10))"
assert_contains "$TEST_TMP/catch.log" "copied 2 files"
assert_contains "$TEST_TMP/catch.log" "removed 1 earlier copy"
assert_contains "$TEST_TMP/catch.log" "the copy $dst equals $src"
reads=$(opened_files "$TEST_TMP/catch.trace" "$src")
[ "$reads" = "added.jpg changed.jpg " ] ||
    fail "the catch-up opened [$reads], not just the 2 files it copied"
counts=$(verified_counts "$TEST_TMP/catch.log")
[ "$counts" = "$((hashed - 2)) 2" ] ||
    fail "the summary says [$counts] verified/read, not $((hashed - 2)) verified and 2 read"
assert_exact "$src" "$dst" "the catch-up"
pass_step "the catch-up read only the 2 files it copied ($((hashed - 2)) verified during the pre-copy); target equals source"

# rchar of a catch-up with nothing to copy: the record, the program and the 2 small copies the
# last catch-up made (not marked), none of the copies the pre-copy read back
rchar=$(run_io "$TEST_TMP/io.log" "$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst") ||
    { cat "$TEST_TMP/io.log"; fail "a second catch-up failed"; }
echo "rchar of the catch-up: $rchar bytes, library N = $N bytes"
[ "$rchar" -lt $((N / 10)) ] || fail "the catch-up read $rchar bytes, not below 0.1 N = $((N / 10))"
assert_contains "$TEST_TMP/io.log" "the copy $dst equals $src"
pass_step "a catch-up with nothing changed read $rchar bytes (rchar) of a $N-byte library"

# ---------------------------------------------------------------- damaged copies
# written into, its times set back: size and mtime as recorded, only the ctime tells
damage() {
    local f=$1 was
    was=$(od -An -tx1 -j 1000 -N 1 "$f" | tr -d ' ')
    if [ "$was" = 5a ]; then printf '\xa5'; else printf '\x5a'; fi |
        dd of="$f" bs=1 seek=1000 conv=notrunc status=none
    cmp -s "$src/$large" "$f" && fail "the test did not change $f"
    touch -r "$src/$large" "$f"
}
damage "$dst/$large"
strace -f -qq -e trace=openat -o "$TEST_TMP/bad.trace" \
    "$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst" 2> "$TEST_TMP/bad.log" &&
    { cat "$TEST_TMP/bad.log"; fail "a copy written into after its read-back verified"; }
assert_contains "$TEST_TMP/bad.log" "different in the copy: $large (content)"
reads=$(opened_files "$TEST_TMP/bad.trace" "$src")
# (the 2 copies the catch-up made carry no mark: each catch-up reads them by their hash)
[ "$reads" = "added.jpg changed.jpg large.mp4 " ] ||
    fail "finding the damage opened [$reads], not just $large and the catch-up's own copies"
pass_step "a copy written into (times set back) after the read-back fails the catch-up"

# written into, times not set back: the catch-up copies it again and reads the new copy
printf 'scribble' | dd of="$dst/$large" bs=1 seek=5 conv=notrunc status=none
"$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst" 2> "$TEST_TMP/fixed.log" ||
    { cat "$TEST_TMP/fixed.log"; fail "the catch-up did not repair a copy written into"; }
assert_contains "$TEST_TMP/fixed.log" "copied 1 files"
assert_contains "$TEST_TMP/fixed.log" "the copy $dst equals $src"
assert_exact "$src" "$dst" "the repaired copy"
pass_step "a copy written into (new mtime) is copied again by the catch-up and read"

# damaged before a second pre-copy: its read-back fails, naming the file; the next copies it
"$IMMICH_MIGRATE" copy --record "$rec" --live "$src" "$dst" 2> /dev/null || fail "pre-copy failed"
grep -Eq " [0-9]+:[0-9.]+ library/admin/2024/01/large.mp4\$" "$rec" || fail "$large not marked again"
damage "$dst/$large"
"$IMMICH_MIGRATE" copy --record "$rec" --live "$src" "$dst" 2> "$TEST_TMP/prebad.log" &&
    { cat "$TEST_TMP/prebad.log"; fail "a damaged copy passed the read-back"; }
assert_contains "$TEST_TMP/prebad.log" "the copy of $large does not match what was copied"
"$IMMICH_MIGRATE" copy --record "$rec" --live "$src" "$dst" 2> "$TEST_TMP/prefix.log" ||
    { cat "$TEST_TMP/prefix.log"; fail "the pre-copy after a failed read-back failed"; }
assert_contains "$TEST_TMP/prefix.log" "copied 1 files"
assert_contains "$TEST_TMP/prefix.log" "read back 1 copied files"
cmp "$src/$large" "$dst/$large" || fail "the damaged copy was not copied again"
pass_step "a copy damaged before a pre-copy fails its read-back, naming it; the next run copies it again"

# ---------------------------------------------------------------- a version 2 record
sed -i -E -e '1s/^immich-migrate copy record 4 /immich-migrate copy record 2 /' \
    -e 's/^([fdls] [0-9]+ [0-9.]+ [0-9.]+ ([0-9a-f]{16}|-)) ([0-9]+:[0-9.]+|-) /\1 /' "$rec"
grep -Eq ' [0-9]+:[0-9]+\.[0-9]{9} ' "$rec" && fail "the test left marks in the version 2 record"
strace -f -qq -e trace=openat -o "$TEST_TMP/v2.trace" \
    "$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst" 2> "$TEST_TMP/v2.log" ||
    { cat "$TEST_TMP/v2.log"; fail "the catch-up with a version 2 record failed"; }
assert_contains "$TEST_TMP/v2.log" "copied 0 files"
assert_contains "$TEST_TMP/v2.log" "the copy $dst equals $src"
counts=$(verified_counts "$TEST_TMP/v2.log")
[ "${counts%% *}" = 0 ] || fail "with a version 2 record, [$counts] verified during a pre-copy"
grep -q '"large.mp4", O_RDONLY' "$TEST_TMP/v2.trace" || fail "with a version 2 record, $large was not read"
head -n 1 "$rec" | grep -q '^immich-migrate copy record 4 ' || fail "the record was not renewed as version 4"
pass_step "a version 2 record: every copy read (full verification), the record renewed as version 4"
