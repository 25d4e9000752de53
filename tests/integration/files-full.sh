#!/bin/sh
# A full disk: the backup says so clearly and leaves neither ARCHIVE.partial nor anything
# that looks complete; copy checks the room it needs (what is not copied yet) before it starts or creates DST. Two ways: a 1 MiB tmpfs (root only: mount), where the free-space check
# refuses before writing and, with --no-space-check, the write fails with ENOSPC; and a
# file-size limit (ulimit -f, works for everyone), where the write fails with EFBIG.
# SIGINT in the middle leaves nothing either.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"

lib=$TEST_TMP/lib
make_library "$lib" "$TEST_TMP/outside" --large-mb 3

check_clean() { # DIR: no file left behind
    [ -z "$(ls -A "$1")" ] || { ls -la "$1"; fail "files left in $1 after a failed backup"; }
}

if [ "$(id -u)" = 0 ]; then
    mnt=$TEST_TMP/small
    mkdir "$mnt"
    mount -t tmpfs -o size=1m,mode=0700 tmpfs "$mnt" || fail "cannot mount a tmpfs as root"
    at_exit "umount '$mnt'"
    expect_status 1 "$IMMICH_MIGRATE" backup "$lib" "$mnt/lib.tar.zst" 2> "$TEST_TMP/log"
    assert_contains "$TEST_TMP/log" "not enough free space in $mnt"
    check_clean "$mnt"
    expect_status 1 "$IMMICH_MIGRATE" backup --no-space-check "$lib" "$mnt/lib.tar.zst" 2> "$TEST_TMP/log"
    cat "$TEST_TMP/log"
    assert_contains "$TEST_TMP/log" "No space left on device"
    check_clean "$mnt"
    pass_step "tmpfs: refused before, and ENOSPC during the write, nothing left"

    # copy: refused before it writes anything; without the check, ENOSPC is a clear error.
    expect_status 1 "$IMMICH_MIGRATE" copy "$lib" "$mnt/copy" 2> "$TEST_TMP/log"
    assert_contains "$TEST_TMP/log" "not enough free space in $mnt/copy"
    [ ! -e "$mnt/copy" ] || fail "copy created DST although its space check refused"
    expect_status 1 "$IMMICH_MIGRATE" copy --no-space-check "$lib" "$mnt/copy" 2> "$TEST_TMP/log"
    assert_contains "$TEST_TMP/log" "No space left on device"
    rm -rf "$mnt/copy"
    check_clean "$mnt"
    # 5 files of 150 KiB (750 KiB) fit into 1 MiB, although with two more names for one of
    # them the sizes add up to 1050 KiB: a file with several names needs its room once.
    small=$TEST_TMP/small-lib
    mkdir "$small"
    for i in 1 2 3 4 5; do head -c 153600 /dev/urandom > "$small/f$i.jpg"; done
    ln "$small/f1.jpg" "$small/link1.jpg"
    ln "$small/f1.jpg" "$small/link2.jpg"
    "$IMMICH_MIGRATE" copy "$small" "$mnt/copy" 2> "$TEST_TMP/log" ||
        { cat "$TEST_TMP/log"; fail "the copy of 750 KiB into 1 MiB was refused"; }
    # Run again with less than 750 KiB free: nothing is left to copy, so it goes on.
    free_kb=$(df -k --output=avail "$mnt" | tail -n 1)
    [ "$free_kb" -lt 750 ] || fail "expected less than 750 KiB free after the copy, df says $free_kb"
    "$IMMICH_MIGRATE" copy "$small" "$mnt/copy" 2> "$TEST_TMP/log" ||
        { cat "$TEST_TMP/log"; fail "the rerun of a finished copy was refused"; }
    assert_contains "$TEST_TMP/log" "copied 0 files"
    pass_step "copy: refused without room, hard links counted once, a rerun needs room only for what is left"
fi

out=$TEST_TMP/out
mkdir "$out"
set +e
( ulimit -f 1024; exec "$IMMICH_MIGRATE" backup "$lib" "$out/lib.tar.zst" ) 2> "$TEST_TMP/log"
st=$?
set -e
cat "$TEST_TMP/log"
[ $st = 1 ] || fail "expected exit 1 at the file-size limit, got $st"
assert_contains "$TEST_TMP/log" "File too large"
check_clean "$out"
pass_step "file-size limit: clear error, nothing left"

# SIGINT in the middle of the large file: cancelled, nothing left
IMMICH_MIGRATE_TEST_FILES_DELAY_MS=300 "$IMMICH_MIGRATE" backup "$lib" "$out/lib.tar.zst" 2> "$TEST_TMP/log" &
pid=$!
i=0
until [ -f "$out/lib.tar.zst.partial" ] && grep -q 'large.mp4' "$TEST_TMP/log"; do
    i=$((i + 1))
    [ $i -lt 400 ] || { kill -9 $pid; fail "the backup never reached the large file"; }
    sleep 0.05
done
kill -INT $pid
set +e; wait $pid; st=$?; set -e
[ $st = 130 ] || { cat "$TEST_TMP/log"; fail "expected exit 130 after SIGINT, got $st"; }
assert_contains "$TEST_TMP/log" "cancelled"
check_clean "$out"
pass_step "SIGINT: cancelled, nothing left"
