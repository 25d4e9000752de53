#!/bin/sh
# copy on a file system that clones (XFS with reflink=1, loop-mounted in a private mount
# namespace so that the mount vanishes with the test): every file is cloned (FICLONE), the
# summary says so ("N cloned, 0 B written"), the free space hardly drops, the content is
# identical, and the verification compares the clones' metadata without reading their content
# again (strace: no read of a file of the copy). A pre-copy (--live) marks its clones in the
# record without reading them, and the catch-up reads neither them nor their sources; a clone
# changed afterwards is compared again. On tmpfs (no reflink) everything is written and
# the copy is verified byte for byte as before. Loop mounts are required: where they are
# impossible the test FAILS saying so, it does not skip.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"
need unshare mount umount losetup mkfs.xfs strace cmp sha256sum stat truncate
[ "$(id -u)" = 0 ] || fail "needs root: the reflink test loop-mounts an XFS image"

if [ "${IM_REFLINK_INSIDE:-}" != yes ]; then
    losetup -f >/dev/null 2>&1 ||
        fail "loop devices are not available on this machine (losetup -f failed): cannot mount the XFS image this test needs"
    truncate -s 300M "$TEST_TMP/xfs.img"
    mkfs.xfs -q -m reflink=1 "$TEST_TMP/xfs.img" || fail "mkfs.xfs -m reflink=1 failed"
    IM_REFLINK_INSIDE=yes IM_REFLINK_TMP=$TEST_TMP \
        unshare --mount --propagation private sh "$0"
    exit $?
fi

T=$IM_REFLINK_TMP
xfs=$T/xfs
tmpfs=$T/tmpfs
mkdir -p "$xfs" "$tmpfs"
mount -o loop "$T/xfs.img" "$xfs" ||
    fail "cannot loop-mount the XFS image (mount -o loop): loop mounts are impossible here"
at_exit "umount '$xfs'"
mount -t tmpfs -o size=200m tmpfs "$tmpfs" || fail "cannot mount a tmpfs"
at_exit "umount '$tmpfs'"

# a library with some weight: make_library's files plus 3 x 16 MiB
fill() {
    make_library "$1/src" "$1/outside" --large-mb 8
    for i in 1 2 3; do head -c 16777216 /dev/urandom > "$1/src/library/admin/2024/01/video$i.mp4"; done
    tree_listing "$1/src" "$1/want"
}
# bytes of the regular files, each inode once (hard links are linked, not copied)
library_bytes() { find "$1" -type f -printf '%i %s\n' | sort -u | awk '{ s += $2 } END { print s }'; }
free_bytes() { echo $(($(stat -f -c '%a' "$1") * $(stat -f -c '%S' "$1"))); }
# the figures of the summary "copied N files (TOTAL: CLONED cloned, WRITTEN written) ..."
figure() { sed -n "s/.*copied [0-9]* files ([^:]*: \(.*\) cloned, \(.*\) written).*/\\$2/p" "$1"; }
# reads (strace -y) of files of the copy DST, one line each
dst_reads() { grep -E "^([0-9]+ +)?(read|pread64)\([0-9]+<$2/" "$1" || true; }

# --- XFS with reflink: cloned ---
fill "$xfs"
size=$(library_bytes "$xfs/src")
before=$(free_bytes "$xfs")
strace -f -y -qq -e trace=read,pread64 -o "$T/xfs.trace" \
    "$IMMICH_MIGRATE" copy "$xfs/src" "$xfs/dst" 2> "$T/xfs.log" || { cat "$T/xfs.log"; fail "copy on XFS failed"; }
cat "$T/xfs.log"
sync
after=$(free_bytes "$xfs")
assert_contains "$T/xfs.log" "the copy $xfs/dst equals $xfs/src"
[ "$(figure "$T/xfs.log" 2)" = "0 B" ] || fail "bytes written on a reflink file system: $(figure "$T/xfs.log" 2)"
cloned=$(figure "$T/xfs.log" 1)
case $cloned in *MiB) ;; *) fail "cloned bytes not reported in MiB: '$cloned'" ;; esac
expect=$(awk -v s="$size" 'BEGIN { printf "%.1f MiB", s / 1048576 }')
[ "$cloned" = "$expect" ] || fail "cloned $cloned, the library holds $expect"
pass_step "reported: $cloned cloned, 0 B written (library $expect)"

drop=$((before - after))
[ "$drop" -lt $((size / 10)) ] || fail "the copy took $drop bytes of new space for a library of $size"
pass_step "free space dropped by $drop bytes for a library of $size"

tree_listing "$xfs/dst" "$xfs/got"
cmp -s "$xfs/want" "$xfs/got" || { show_listing_diff "$xfs/want" "$xfs/got"; fail "the clone differs"; }
for f in large video1 video2 video3; do
    cmp "$xfs/src/library/admin/2024/01/$f.mp4" "$xfs/dst/library/admin/2024/01/$f.mp4" || fail "$f differs"
done
pass_step "content identical"

assert_contains "$T/xfs.log" "are clones made by this copy: their content was not read again"
n=$(dst_reads "$T/xfs.trace" "$xfs/dst" | wc -l)
[ "$n" -eq 0 ] || { dst_reads "$T/xfs.trace" "$xfs/dst" | head; fail "the verification read $n times from cloned files"; }
grep -qE '^([0-9]+ +)?read\([0-9]+<' "$T/xfs.trace" || fail "strace recorded no read at all (is the trace working?)"
pass_step "cloned files verified by their metadata, not read again"

# a rerun clones nothing, so nothing is trusted: the content is compared again
"$IMMICH_MIGRATE" copy "$xfs/src" "$xfs/dst" 2> "$T/xfs2.log" || { cat "$T/xfs2.log"; fail "rerun failed"; }
assert_contains "$T/xfs2.log" "copied 0 files (0 B: 0 B cloned, 0 B written)"
assert_not_contains "$T/xfs2.log" "clones made by this copy"
pass_step "a rerun trusts nothing it did not clone itself"

# without FICLONE, XFS's copy_file_range clones implicitly: FIEMAP finds the shared extents
IMMICH_MIGRATE_TEST_NO_FICLONE=1 strace -f -y -qq -e trace=read,pread64,ioctl -o "$T/xfs3.trace" \
    "$IMMICH_MIGRATE" copy "$xfs/src" "$xfs/dst3" 2> "$T/xfs3.log" || { cat "$T/xfs3.log"; fail "copy without FICLONE failed"; }
cat "$T/xfs3.log"
! grep -q FICLONE "$T/xfs3.trace" || fail "FICLONE was tried although the test turned it off"
grep -q FS_IOC_FIEMAP "$T/xfs3.trace" || fail "FIEMAP was not asked"
[ "$(figure "$T/xfs3.log" 1)" = "$expect" ] || fail "copy_file_range's clones not counted: $(figure "$T/xfs3.log" 1) cloned"
[ "$(figure "$T/xfs3.log" 2)" = "0 B" ] || fail "written $(figure "$T/xfs3.log" 2) although XFS cloned"
assert_contains "$T/xfs3.log" "are clones made by this copy"
[ "$(dst_reads "$T/xfs3.trace" "$xfs/dst3" | grep -c 'video1.mp4>')" -eq 0 ] || fail "an implicit clone was read again"
tree_listing "$xfs/dst3" "$xfs/got3"
cmp -s "$xfs/want" "$xfs/got3" || { show_listing_diff "$xfs/want" "$xfs/got3"; fail "the implicit clone differs"; }
pass_step "copy_file_range's implicit clones counted through FIEMAP"

# --- XFS: the pre-copy while Immich runs, then the catch-up after the stop ---
# The pre-copy's clones are marked in the record (hash field "=", DST's inode and ctime) without
# being read; the catch-up then reads neither them nor their sources: only what changed.
rec=$T/live.record
"$IMMICH_MIGRATE" copy --record "$rec" --live "$xfs/src" "$xfs/live" 2> "$T/live.log" ||
    { cat "$T/live.log"; fail "the pre-copy on XFS failed"; }
cat "$T/live.log"
assert_contains "$T/live.log" "are clones of the source (they share its blocks): not read"
clones=$(grep -Ec '^f [0-9]+ [0-9.]+ [0-9.]+ = [0-9]+:[0-9]+\.[0-9]{9} ' "$rec")
# every file the record trusts (its ctime; the two names of the hard-linked file are not)
files=$(grep -a '^f ' "$rec" | grep -Evc '^f [0-9]+ [0-9.]+ 0\.000000000 ')
[ "$clones" -ge 10 ] || fail "only $clones clones marked in the record"
[ "$clones" = "$files" ] || { cat "$rec"; fail "$clones of $files files marked as clones"; }
printf 'a new photo\n' > "$xfs/src/library/admin/2024/01/new-photo.jpg"
sleep 1.1 # a ctime younger than a second is not trusted by the record
strace -f -y -qq -e trace=read,pread64 -o "$T/catchup.trace" \
    "$IMMICH_MIGRATE" copy --record "$rec" "$xfs/src" "$xfs/live" 2> "$T/catchup.log" ||
    { cat "$T/catchup.log"; fail "the catch-up on XFS failed"; }
cat "$T/catchup.log"
assert_contains "$T/catchup.log" "copied 1 files"
verified=$(sed -n 's/.*\] message: \([0-9]*\) files (.*) verified during the pre-copy.*/\1/p' "$T/catchup.log")
[ "${verified:-0}" -ge "$clones" ] || fail "the catch-up trusted ${verified:-0} of $clones marked clones"
others=$( (dst_reads "$T/catchup.trace" "$xfs/live"; dst_reads "$T/catchup.trace" "$xfs/src") | grep -v 'new-photo.jpg>' || true)
[ -z "$others" ] || { echo "$others" | head; fail "the catch-up read unchanged files or their clones"; }
grep -qE '^([0-9]+ +)?read\([0-9]+<' "$T/catchup.trace" || fail "strace recorded no read at all (is the trace working?)"
tree_listing "$xfs/src" "$xfs/want-live"
tree_listing "$xfs/live" "$xfs/got-live"
cmp -s "$xfs/want-live" "$xfs/got-live" || { show_listing_diff "$xfs/want-live" "$xfs/got-live"; fail "the catch-up's copy differs"; }
pass_step "pre-copy: $clones clones marked without reading; catch-up: none read again, only the new file"

# a clone changed after the pre-copy (same size, times set back) is no longer trusted: the
# catch-up compares it with the source and fails naming it
victim=library/admin/2024/01/video2.mp4
printf 'X' | dd of="$xfs/live/$victim" bs=1 seek=4096 conv=notrunc status=none
touch -r "$xfs/src/$victim" "$xfs/live/$victim"
"$IMMICH_MIGRATE" copy --record "$rec" "$xfs/src" "$xfs/live" 2> "$T/damaged.log" &&
    { cat "$T/damaged.log"; fail "a changed clone verified"; }
assert_contains "$T/damaged.log" "different in the copy: $victim (content)"
pass_step "a clone changed after the pre-copy is compared again and the difference found"

# --- tmpfs, no reflink: written and read back as before ---
fill "$tmpfs"
strace -f -y -qq -e trace=read,pread64 -o "$T/tmpfs.trace" \
    "$IMMICH_MIGRATE" copy "$tmpfs/src" "$tmpfs/dst" 2> "$T/tmpfs.log" || { cat "$T/tmpfs.log"; fail "copy on tmpfs failed"; }
cat "$T/tmpfs.log"
assert_contains "$T/tmpfs.log" "the copy $tmpfs/dst equals $tmpfs/src"
[ "$(figure "$T/tmpfs.log" 1)" = "0 B" ] || fail "cloned on tmpfs: $(figure "$T/tmpfs.log" 1)"
[ "$(figure "$T/tmpfs.log" 2)" = "$expect" ] || fail "written $(figure "$T/tmpfs.log" 2), the library holds $expect"
assert_not_contains "$T/tmpfs.log" "clones made by this copy"
dst_reads "$T/tmpfs.trace" "$tmpfs/dst" | grep -q "video1.mp4>" || fail "the verification did not read the copy back"
tree_listing "$tmpfs/dst" "$tmpfs/got"
cmp -s "$tmpfs/want" "$tmpfs/got" || { show_listing_diff "$tmpfs/want" "$tmpfs/got"; fail "the copy differs"; }
pass_step "tmpfs: everything written ($expect) and read back to verify"
