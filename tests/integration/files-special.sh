#!/bin/sh
# Library entries that broke the file stages:
# - a FIFO swapped in for a regular file between the walk's stat and the open: backup and copy
#   fail clearly instead of hanging (strace delays that one open, the test swaps the file);
# - library files named like copy's temporaries (.immich-migrate.partial and
#   .immich-migrate.XXXXXXXXXXXX.partial) are copied like any other, on every run, while a
#   temporary an interrupted run left in DST is removed;
# - chown leaves a file alone whose hard links lie partly outside DIR, and reports it; a file
#   whose links are all inside DIR changes.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"
need strace timeout mkfifo

# --- a FIFO swapped in between stat and open -------------------------------------------
# swap_run NAME CMD...: runs CMD under strace with the open of lib/b.jpg delayed by 3 s; as
# soon as the walk has stat'ed b.jpg, replaces it by a FIFO. CMD must end within 20 s.
swap_run() {
    name=$1; shift
    lib=$TEST_TMP/fifo-$name
    rm -rf "$lib" "$TEST_TMP/fifo-out-$name"
    mkdir -p "$lib"
    printf 'a\n' > "$lib/a.jpg"
    printf 'b\n' > "$lib/b.jpg"
    # Which openat of the process opens b.jpg, after how many stats of it (a scan first
    # stats it too)? The same run without the delay tells.
    strace -qq -e trace=openat,newfstatat,fstatat64,statx -o "$TEST_TMP/count" "$@" > /dev/null 2>&1 || true
    rm -rf "$TEST_TMP/fifo-out-$name" "$TEST_TMP"/fifo-$name.tar.zst*
    n=$(grep 'openat(' "$TEST_TMP/count" | grep -n '"b.jpg"' | head -n 1 | cut -d: -f1)
    [ -n "$n" ] || { cat "$TEST_TMP/count"; fail "$name never opened b.jpg"; }
    k=$(sed -n '/openat(.*"b.jpg"/q;p' "$TEST_TMP/count" | grep -c 'stat.*"b.jpg"' || true)
    [ "$k" -gt 0 ] || { cat "$TEST_TMP/count"; fail "$name never stat'ed b.jpg before opening it"; }
    : > "$TEST_TMP/trace"
    set +e
    timeout -s KILL 20 strace -qq -e trace=openat,newfstatat,fstatat64,statx \
        -e inject=openat:delay_enter=3000000:when="$n" -o "$TEST_TMP/trace" "$@" \
        > "$TEST_TMP/out" 2> "$TEST_TMP/log" &
    pid=$!
    i=0
    until [ "$(grep -c 'stat.*"b.jpg"' "$TEST_TMP/trace" || true)" -ge "$k" ]; do
        i=$((i + 1))
        [ $i -lt 200 ] || { kill $pid; fail "$name never stat'ed b.jpg"; }
        sleep 0.02
    done
    rm "$lib/b.jpg"
    mkfifo "$lib/b.jpg"
    wait $pid
    rc=$?
    set -e
    if [ "$rc" = 137 ] || [ "$rc" = 124 ]; then
        # strace is gone, the program still waits for a writer: be one, so that it ends.
        timeout 5 sh -c ': > "$1"' sh "$lib/b.jpg" || true
        fail "$name hung on a FIFO swapped in for a regular file"
    fi
    [ "$rc" = 1 ] || { cat "$TEST_TMP/log"; fail "$name: expected exit 1, got $rc"; }
    grep -q '"b.jpg".*O_NONBLOCK' "$TEST_TMP/trace" || { cat "$TEST_TMP/trace"; fail "$name: no delayed open"; }
    assert_contains "$TEST_TMP/log" "b.jpg"
}
swap_run backup "$IMMICH_MIGRATE" backup "$TEST_TMP/fifo-backup" "$TEST_TMP/fifo-backup.tar.zst"
[ ! -e "$TEST_TMP/fifo-backup.tar.zst" ] || fail "backup left an archive after the swap"
swap_run copy "$IMMICH_MIGRATE" copy "$TEST_TMP/fifo-copy" "$TEST_TMP/fifo-out-copy"
[ ! -e "$TEST_TMP/fifo-out-copy/b.jpg" ] || fail "copy made b.jpg of a FIFO"
pass_step "backup and copy fail at once on a FIFO swapped in between stat and open"

# A FIFO that is in the library from the start is kept as a FIFO, never opened.
fl=$TEST_TMP/fifo-lib
mkdir "$fl" && mkfifo "$fl/pipe" && printf 'x\n' > "$fl/x.jpg"
timeout -s KILL 20 "$IMMICH_MIGRATE" backup "$fl" "$TEST_TMP/fifo-lib.tar.zst" 2> "$TEST_TMP/log" ||
    { cat "$TEST_TMP/log"; fail "backup of a library with a FIFO failed or hung"; }
timeout -s KILL 20 "$IMMICH_MIGRATE" copy "$fl" "$TEST_TMP/fifo-lib-copy" 2> "$TEST_TMP/log" ||
    { cat "$TEST_TMP/log"; fail "copy of a library with a FIFO failed or hung"; }
[ -p "$TEST_TMP/fifo-lib-copy/pipe" ] || fail "the FIFO was not copied as a FIFO"
pass_step "a FIFO in the library is archived and copied as a FIFO"

# --- names like copy's temporaries ----------------------------------------------------
src=$TEST_TMP/src
mkdir -p "$src/sub"
printf 'real 1\n' > "$src/.immich-migrate.partial"
printf 'real 2\n' > "$src/sub/.immich-migrate.partial"
printf 'real 3\n' > "$src/sub/.immich-migrate.abcdefghijkl.partial"
printf 'photo\n' > "$src/sub/photo.jpg"
ln -s photo.jpg "$src/sub/link.jpg"
tree_listing "$src" "$TEST_TMP/want"
dst=$TEST_TMP/dst
for run in 1 2; do
    "$IMMICH_MIGRATE" copy "$src" "$dst" 2> "$TEST_TMP/log" ||
        { cat "$TEST_TMP/log"; fail "copy run $run failed on files named like its temporaries"; }
    tree_listing "$dst" "$TEST_TMP/got"
    cmp -s "$TEST_TMP/want" "$TEST_TMP/got" || { show_listing_diff "$TEST_TMP/want" "$TEST_TMP/got"; fail "copy run $run differs"; }
done
# A temporary an interrupted run left behind is ours (SRC has no such name): removed.
printf 'half' > "$dst/sub/.immich-migrate.zzzzzzzzzzzz.partial"
touch "$src/sub/photo.jpg" # copied again
"$IMMICH_MIGRATE" copy "$src" "$dst" 2> "$TEST_TMP/log" || { cat "$TEST_TMP/log"; fail "copy with a leftover failed"; }
[ ! -e "$dst/sub/.immich-migrate.zzzzzzzzzzzz.partial" ] || fail "a leftover temporary stayed"
[ -z "$(find "$dst" -name '.immich-migrate.*.partial' ! -name '.immich-migrate.abcdefghijkl.partial')" ] ||
    fail "temporaries left: $(find "$dst" -name '.immich-migrate.*')"
[ "$(cat "$dst/sub/.immich-migrate.abcdefghijkl.partial")" = "real 3" ] || fail "a library file was taken for a temporary"
pass_step "files named like copy's temporaries are copied, on every run; leftovers removed"

# --- hard links that leave the tree ----------------------------------------------------
if [ "$(id -u)" = 0 ]; then
    user=nobody; group=$(id -gn nobody)
else
    user=$(id -un); group=$(id -gn)
fi
uid=$(id -u "$user"); gid=$(getent group "$group" | cut -d: -f3)
lib=$TEST_TMP/lib
mkdir -p "$lib/a" "$lib/b" "$TEST_TMP/elsewhere"
printf 'secret\n' > "$TEST_TMP/elsewhere/shadow"
ln "$TEST_TMP/elsewhere/shadow" "$lib/a/innocent.jpg"
ln "$TEST_TMP/elsewhere/shadow" "$lib/b/innocent2.jpg"
printf 'pic\n' > "$lib/a/both.jpg"
ln "$lib/a/both.jpg" "$lib/b/both.jpg"
printf 'one\n' > "$lib/a/one.jpg"
outside_before=$(stat -c '%u:%g %Z' "$TEST_TMP/elsewhere/shadow")
"$IMMICH_MIGRATE" chown "$lib" "$user:$group" --target-location "$lib" --state-dir "$TEST_TMP/state" --yes 2> "$TEST_TMP/log" ||
    { cat "$TEST_TMP/log"; fail "chown failed"; }
[ "$(stat -c '%u:%g %Z' "$TEST_TMP/elsewhere/shadow")" = "$outside_before" ] ||
    fail "chown changed a file outside DIR through a hard link"
assert_contains "$TEST_TMP/log" "left alone: $lib/a/innocent.jpg has 3 hard links, 1 of them outside $lib"
assert_contains "$TEST_TMP/log" "1 files were left alone"
[ "$(stat -c %u:%g "$lib/a/both.jpg")" = "$uid:$gid" ] || fail "a file linked only inside DIR was not changed"
[ "$(stat -c %u:%g "$lib/a/one.jpg")" = "$uid:$gid" ] || fail "a plain file was not changed"
pass_step "chown leaves files with hard links outside DIR alone and reports them"

# --- terminal escapes in file names ----------------------------------------------------
# libarchive warns about a name that is not UTF-8 and quotes it raw; stderr must show the
# escape sequence and the carriage return as \xHH, never the bytes themselves.
esc=$TEST_TMP/esc
mkdir "$esc"
bad=$(printf '\033[31mred\r\377.jpg')
printf 'x' > "$esc/$bad"
"$IMMICH_MIGRATE" backup "$esc" "$TEST_TMP/esc.tar.zst" 2> "$TEST_TMP/log" ||
    { cat -v "$TEST_TMP/log"; fail "backup of a name with escapes failed"; }
assert_contains "$TEST_TMP/log" "Can't translate pathname"
if LC_ALL=C grep -q "$(printf '[\033\r]')" "$TEST_TMP/log"; then
    cat -v "$TEST_TMP/log"; fail "raw control bytes from a file name reached stderr"
fi
assert_contains "$TEST_TMP/log" '\x1b[31mred\x0d'
# and the failure line of a subcommand: copy into a DST where that name is a directory
mkdir -p "$TEST_TMP/esc-dst/$bad"
: > "$TEST_TMP/esc-dst/$bad/blocker"
expect_status 1 "$IMMICH_MIGRATE" copy --no-verify "$esc" "$TEST_TMP/esc-dst" 2> "$TEST_TMP/log"
if LC_ALL=C grep -q "$(printf '[\033\r]')" "$TEST_TMP/log"; then
    cat -v "$TEST_TMP/log"; fail "raw control bytes from a file name reached stderr"
fi
pass_step "control bytes of file names and libarchive's messages are escaped on stderr"
