#!/bin/sh
# A full disk: the backup says so clearly and leaves neither ARCHIVE.partial nor anything
# that looks complete. Two ways: a 1 MiB tmpfs (root only: mount), where the free-space check
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
    mount -t tmpfs -o size=1m tmpfs "$mnt" || fail "cannot mount a tmpfs as root"
    at_exit "umount '$mnt'"
    expect_status 1 "$IMMICH_MIGRATE" backup "$lib" "$mnt/lib.tar.zst" 2> "$TEST_TMP/log"
    assert_contains "$TEST_TMP/log" "not enough free space in $mnt"
    check_clean "$mnt"
    expect_status 1 "$IMMICH_MIGRATE" backup --no-space-check "$lib" "$mnt/lib.tar.zst" 2> "$TEST_TMP/log"
    cat "$TEST_TMP/log"
    assert_contains "$TEST_TMP/log" "No space left on device"
    check_clean "$mnt"
    pass_step "tmpfs: refused before, and ENOSPC during the write, nothing left"
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
