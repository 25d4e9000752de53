#!/bin/bash
# The pre-copy and the catch-up (issue 12 item 1), with `copy --record [--live]` on a real
# library: after a pre-copy, files are added, removed, changed (one keeping its size and
# mtime, so only its ctime tells), a directory vanishes and a file we did not copy appears in
# the target; the catch-up then makes the target equal the source (diff -r, and type, mode,
# owner, link count, size, mtime of every entry), keeps the foreign file, leaves the source
# untouched, and opens for reading only the new and changed files (strace). Then the same
# with SIGKILL at random points of the pre-copy (changes made in between) and of the
# catch-up, each resumed: the same exact result.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"
need strace diff find

seed=${PRECOPY_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
echo "random seed: $seed (PRECOPY_SEED=$seed reproduces the kill points)"

# The state of every entry below DIR but the foreign ones: type, mode, owner, links and size
# (not for directories: the target's deep/a holds the foreign b), mtime, symlink target, path.
listing() {
    ( cd "$1" && find . \( -path ./library/foreign.txt -o -path ./deep/a/b \) -prune -o \
        \( -type d -printf '%y %m %U:%G - %T@ %p\n' -o -printf '%y %m %U:%G %n %s %T@ %l %p\n' \) |
        LC_ALL=C sort )
}
# ctime and atime of everything in the source: reading must not change them.
src_state() { ( cd "$1" && find . -printf '%C@ %A@ %p\0' | LC_ALL=C sort -z ) > "$2"; }
# find reads the directories once: relatime then moves the atime of those changed since
# they were last read, which is the kernel's doing and not the copy's.
settle_atime() { find "$1" > /dev/null; }

# Changes while "Immich runs", after (or between kills of) the pre-copy. Basenames are unique
# so that the strace below can tell which files were read.
change_source() {
    local s=$1 f
    printf 'a new photo\n' > "$s/library/admin/2024/01/new-photo.jpg"
    mkdir -p "$s/upload/new-dir"
    printf 'in a new directory\n' > "$s/upload/new-dir/new-upload.jpg"
    rm -f "$s/thumbs/ab/cd/thumb-removed.webp"
    rm -rf "$s/deep/a/b"                        # a whole directory tree vanishes
    printf 'longer than before\n' >> "$s/profile/changed-size.jpg"
    # Same size, same mtime, other content: only the ctime tells.
    f=$s/profile/same-size.jpg
    local mtime
    mtime=$(stat -c %y "$f")
    printf 'XXXX' | dd of="$f" bs=1 seek=2 conv=notrunc status=none
    touch -d "$mtime" "$f"
}
# Files change_source adds or changes: exactly what the catch-up must read.
changed_names="changed-size.jpg new-photo.jpg new-upload.jpg same-size.jpg"

make_src() {
    make_library "$1" "$TEST_TMP/outside" --large-mb "${2:-3}" >/dev/null
    printf 'a thumbnail\n' > "$1/thumbs/ab/cd/thumb-removed.webp"
    printf 'profile picture\n' > "$1/profile/changed-size.jpg"
    printf 'same size same time\n' > "$1/profile/same-size.jpg"
    touch -d '2024-05-06 07:08:09.123456789' "$1/profile/same-size.jpg"
    sleep 1.1 # a ctime younger than a second is not trusted by the record (racy)
}

# Asserts that dst equals src (but for the foreign entries), that they are still there.
assert_exact() {
    local src=$1 dst=$2 what=$3
    diff -r --no-dereference "$src" "$dst" > "$TEST_TMP/diff" 2>&1 || true
    if grep -v -e "^Only in $dst/library: foreign.txt\$" -e "^Only in $dst/deep/a: b\$" \
        "$TEST_TMP/diff" | grep -q .; then
        cat "$TEST_TMP/diff"; fail "$what: diff -r finds differences"
    fi
    listing "$src" > "$TEST_TMP/want-list"
    listing "$dst" > "$TEST_TMP/got-list"
    diff "$TEST_TMP/want-list" "$TEST_TMP/got-list" || fail "$what: types, modes, owners or times differ"
    [ "$(cat "$dst/library/foreign.txt")" = "not ours" ] || fail "$what: the foreign file is gone"
    [ "$(cat "$dst/deep/a/b/foreign-in-vanished.txt")" = "not ours either" ] ||
        fail "$what: the foreign file in a vanished directory is gone"
    [ -z "$(ls -A "$dst/deep/a/b" | grep -v foreign-in-vanished.txt)" ] ||
        fail "$what: our copies in the vanished directory stayed"
    [ -z "$(find "$dst" -name '.immich-migrate.*.partial')" ] || fail "$what: a partial file is left"
    [ ! -e "$dst/thumbs/ab/cd/thumb-removed.webp" ] || fail "$what: a removed file stayed"
}

# Foreign entries appear in the target after the pre-copy: one beside our files, one in a
# directory that then vanishes from the source.
add_foreign() {
    printf 'not ours' > "$1/library/foreign.txt"
    printf 'not ours either' > "$1/deep/a/b/foreign-in-vanished.txt"
}

# ------------------------------------------------------------------ plain run
src=$TEST_TMP/src dst=$TEST_TMP/dst rec=$TEST_TMP/state/library-copy.record
mkdir -p "$TEST_TMP/state"
make_src "$src"
"$IMMICH_MIGRATE" copy --record "$rec" --live "$src" "$dst" 2> "$TEST_TMP/pre.log" ||
    { cat "$TEST_TMP/pre.log"; fail "the pre-copy failed"; }
[ -f "$rec" ] && [ ! -e "$rec.partial" ] || fail "the pre-copy left no record"
[ "$(stat -c %a "$rec")" = 600 ] || fail "the record is not 0600"
grep -q "Verifying" "$TEST_TMP/pre.log" && fail "the live pre-copy verified against a moving source"
add_foreign "$dst"
change_source "$src"
sleep 1.1 # a file changed within the last second is recorded as untrusted (copied again)
settle_atime "$src"
src_state "$src" "$TEST_TMP/src-before"

strace -f -qq -e trace=openat -o "$TEST_TMP/trace" \
    "$IMMICH_MIGRATE" copy --record "$rec" --no-verify "$src" "$dst" 2> "$TEST_TMP/catch.log" ||
    { cat "$TEST_TMP/catch.log"; fail "the catch-up failed"; }
cat "$TEST_TMP/catch.log"
# open_for_reading opens the source files with O_NOATIME (root) and O_NONBLOCK.
read_names=$(sed -n 's/.*openat([0-9]*, "\([^"]*\)", O_RDONLY|O_NONBLOCK.*O_NOATIME.*/\1/p' "$TEST_TMP/trace" |
    LC_ALL=C sort | tr '\n' ' ')
[ "$read_names" = "$changed_names " ] ||
    fail "the catch-up read [$read_names], not just the changed files [$changed_names]"
src_state "$src" "$TEST_TMP/src-after" # before anything else reads the source
assert_contains "$TEST_TMP/catch.log" "copied 4 files"
grep -q "already complete" "$TEST_TMP/catch.log" || fail "no summary"
# removed: thumb-removed.webp; deep/a/b's files, directories (b itself stays: foreign inside)
removed=$(sed -n 's/.*removed \([0-9]*\) earlier cop.*/\1/p' "$TEST_TMP/catch.log")
[ -n "$removed" ] && [ "$removed" -ge 2 ] || fail "the catch-up removed none of our copies"
pass_step "catch-up read only the $(echo $changed_names | wc -w) new and changed files, removed $removed of our copies"

assert_exact "$src" "$dst" "catch-up"
diff <(tr "\0" "\n" < "$TEST_TMP/src-before") <(tr "\0" "\n" < "$TEST_TMP/src-after") || fail "the catch-up touched the source"
"$IMMICH_MIGRATE" copy --record "$rec" "$src" "$dst" 2> "$TEST_TMP/again.log" ||
    { cat "$TEST_TMP/again.log"; fail "a verified rerun failed"; }
assert_contains "$TEST_TMP/again.log" "copied 0 files"
assert_contains "$TEST_TMP/again.log" "the copy $dst equals $src"
pass_step "target equals source, foreign files kept, source untouched, a rerun copies nothing"

# Without a record (today's copy), the same-size-same-mtime change is missed: the record is
# what finds it.
src2=$TEST_TMP/src2 dst2=$TEST_TMP/dst2
make_src "$src2"
"$IMMICH_MIGRATE" copy --no-verify "$src2" "$dst2" 2>/dev/null || fail "plain copy failed"
change_source "$src2"
"$IMMICH_MIGRATE" copy --no-verify "$src2" "$dst2" 2>/dev/null || fail "plain copy failed"
cmp -s "$src2/profile/same-size.jpg" "$dst2/profile/same-size.jpg" &&
    fail "the test's same-size change is found without a record: it tests nothing"
pass_step "(a copy without the record misses the ctime-only change)"

# ------------------------------------------------------------------ killed and resumed
# kill_somewhere DELAY_MS CMD...: runs CMD with slow chunks, SIGKILLs it after a random time
# below DELAY_MS ms; returns 0 when it was killed, 1 when it finished first.
kill_somewhere() {
    local max=$1; shift
    IMMICH_MIGRATE_TEST_FILES_DELAY_MS=15 "$@" 2>> "$TEST_TMP/kill.log" &
    local pid=$! ms=$((RANDOM % max))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
        return 0
    fi
    wait "$pid" || { tail -n 5 "$TEST_TMP/kill.log"; fail "$* failed"; }
    return 1
}

kills=0
for round in 1 2 3; do
    ks=$TEST_TMP/ks$round kd=$TEST_TMP/kd$round r=$TEST_TMP/kstate$round/library-copy.record
    mkdir -p "$TEST_TMP/kstate$round"
    make_src "$ks" 4
    # pre-copy: killed, then the source changes while "Immich runs", then resumed
    if kill_somewhere 900 "$IMMICH_MIGRATE" copy --record "$r" --live "$ks" "$kd"; then
        kills=$((kills + 1))
    fi
    if [ "$round" = 2 ]; then
        change_source "$ks" # changes between a kill and the resume of the pre-copy
    fi
    while kill_somewhere 600 "$IMMICH_MIGRATE" copy --record "$r" --live "$ks" "$kd"; do
        kills=$((kills + 1))
    done
    mkdir -p "$kd/deep/a/b" "$kd/library"
    add_foreign "$kd"
    [ "$round" = 2 ] || change_source "$ks"
    printf 'grown while Immich ran\n' >> "$ks/library/admin/2024/01/large.mp4" # a long catch-up
    sleep 1.1
    settle_atime "$ks"
    src_state "$ks" "$TEST_TMP/ks-before"
    while kill_somewhere 500 "$IMMICH_MIGRATE" copy --record "$r" --no-verify "$ks" "$kd"; do
        kills=$((kills + 1))
    done
    src_state "$ks" "$TEST_TMP/ks-after"
    cmp -s "$TEST_TMP/ks-before" "$TEST_TMP/ks-after" || fail "round $round: the catch-up touched the source"
    "$IMMICH_MIGRATE" copy --record "$r" "$ks" "$kd" 2> "$TEST_TMP/kfinal.log" ||
        { cat "$TEST_TMP/kfinal.log"; fail "round $round: the final verified run failed"; }
    assert_contains "$TEST_TMP/kfinal.log" "copied 0 files"
    assert_exact "$ks" "$kd" "round $round"
done
[ "$kills" -ge 3 ] || fail "only $kills kills landed inside a run"
pass_step "$kills kills (SIGKILL) in pre-copies and catch-ups, each resumed: exact every time"
