#!/bin/bash
# One read of the source for copy and backup (issue 12 item 2): `copy --record R --live
# --archive BASE` writes the base archive from the bytes the pre-copy reads (rchar from
# /proc/PID/io: about 1 N, where copy then backup read 2 N); after changes (added, modified
# with the same size and mtime, deleted, renamed, a directory gone), `backup --since
# BASE.record --base BASE CATCHUP` archives only what changed and lists in CATCHUP.removed
# what is gone. Restoring with GNU tar (base, remove the listed paths, catch-up) gives the
# source exactly (diff -r, and type, mode, owner, links, size, mtime of every entry). The
# manifests' hashes match the files (xxhsum -H1). A pre-copy killed (SIGKILL) and resumed,
# with changes in between, still gives a base that restores exactly.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
need tar zstd xxhsum diff find xargs

seed=${ONEPASS_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
echo "random seed: $seed (ONEPASS_SEED=$seed reproduces the kill points)"

# A small library: originals in subdirectories, a symlink, a hard link pair, an empty
# directory, thumbs/ and encoded-video/ with their markers, two larger random files.
make_src() {
    local s=$1
    mkdir -p "$s/library/admin/2024/01" "$s/upload/u1/ab" "$s/profile" "$s/empty-dir" \
        "$s/thumbs/admin/ab" "$s/encoded-video/admin/cd" "$s/gone-dir/sub"
    head -c 3000000 /dev/urandom > "$s/library/admin/2024/01/large.jpg"
    head -c 2500000 /dev/urandom > "$s/encoded-video/admin/cd/clip.mp4"
    printf 'photo one\n' > "$s/library/admin/2024/01/one.jpg"
    printf 'same size same time\n' > "$s/library/admin/2024/01/same.jpg"
    touch -d '2024-05-06 07:08:09.123456789' "$s/library/admin/2024/01/same.jpg"
    printf 'to be deleted\n' > "$s/upload/u1/ab/delete-me.jpg"
    printf 'to be renamed\n' > "$s/upload/u1/ab/old-name.jpg"
    printf 'linked\n' > "$s/upload/u1/ab/link-a.jpg"
    ln "$s/upload/u1/ab/link-a.jpg" "$s/upload/u1/link-b.jpg"
    ln -s ../library/admin/2024/01/one.jpg "$s/profile/avatar.jpg"
    printf 'thumb\n' > "$s/thumbs/admin/ab/t.webp"
    printf 'in a directory that goes\n' > "$s/gone-dir/sub/x.jpg"
    touch "$s/thumbs/.immich" "$s/encoded-video/.immich" "$s/upload/.immich"
    chmod 640 "$s/library/admin/2024/01/one.jpg"
    chmod 750 "$s/upload/u1"
}

# Changes while "Immich runs": one of each kind.
change_src() {
    local s=$1 f
    printf 'a new photo\n' > "$s/library/admin/2024/01/new.jpg"
    mkdir -p "$s/upload/u2"
    printf 'in a new directory\n' > "$s/upload/u2/new-upload.jpg"
    f=$s/library/admin/2024/01/same.jpg # same size, same mtime, other content
    printf 'XXXX' | dd of="$f" bs=1 seek=2 conv=notrunc status=none
    touch -d '2024-05-06 07:08:09.123456789' "$f"
    rm "$s/upload/u1/ab/delete-me.jpg"
    mv "$s/upload/u1/ab/old-name.jpg" "$s/upload/u1/ab/new-name.jpg"
    rm -r "$s/gone-dir"
}

# Every entry below DIR: type, mode, owner, links, size (not for directories), mtime with
# nanoseconds, symlink target, path.
listing() {
    ( cd "$1" && find . -mindepth 1 \( -type d -printf '%y %m %U:%G - - %T@ %p\n' -o \
        -printf '%y %m %U:%G %n %s %T@ %l %p\n' \) | LC_ALL=C sort )
}

# restore BASE CATCHUP DIR: GNU tar extracts the base, the catch-up's removed paths are
# deleted, the catch-up is extracted over it (it holds every directory, so their times end
# right).
restore() {
    local base=$1 catchup=$2 dir=$3
    mkdir -p "$dir"
    tar --zstd -xpf "$base" -C "$dir" || fail "tar cannot extract $base"
    ( cd "$dir" && xargs -0 -r rm -rf -- < "$catchup.removed" ) || fail "cannot remove the listed paths"
    tar --zstd -xpf "$catchup" -C "$dir" || fail "tar cannot extract $catchup"
}

assert_same() {
    local src=$1 got=$2 what=$3
    diff -r --no-dereference "$src" "$got" || fail "$what: diff -r finds differences"
    listing "$src" > "$TEST_TMP/want"
    listing "$got" > "$TEST_TMP/got"
    diff "$TEST_TMP/want" "$TEST_TMP/got" || fail "$what: types, modes, owners, links or times differ"
}

# Every 'f' line of MANIFEST hashed again from DIR with xxhsum -H1 (XXH64): the same hashes.
assert_hashes() {
    local manifest=$1 dir=$2 n=0 sum path
    while read -r sum _ _ type _ _ _ path; do
        [ "$type" = f ] || continue
        [ "$(xxhsum -H1 < "$dir/$path" | cut -d' ' -f1)" = "$sum" ] ||
            fail "$manifest: the hash of $path is not xxhsum's"
        n=$((n + 1))
    done < <(grep -v '^#' "$manifest")
    [ "$n" -gt 0 ] || fail "$manifest lists no files"
}

# rchar NAME CMD...: runs CMD, puts the bytes it (and the shell around it) asked read() for
# into rchar_NAME (the shell adds some KiB: the library's N is MiB).
rchar() {
    local name=$1; shift
    sh -c '"$@" 2>/dev/null || exit 1; cat /proc/$$/io' sh "$@" > "$TEST_TMP/io" ||
        fail "$name: $* failed"
    eval "rchar_$name=$(awk '$1 == "rchar:" { print $2 }' "$TEST_TMP/io")"
}

src=$TEST_TMP/src dst=$TEST_TMP/dst bk=$TEST_TMP/bk rec=$TEST_TMP/state/library-copy.record
mkdir -p "$TEST_TMP/state"
mkdir -m 700 "$bk"
make_src "$src"
sleep 1.1 # a ctime younger than a second is not trusted by the record
N=$(find "$src" -type f -printf '%s\n' | awk '{ n += $1 } END { print n }')

# ---------------------------------------------------------------- the pre-copy writes the base
base=$bk/base.tar.zst
rchar onepass "$IMMICH_MIGRATE" copy --record "$rec" --live --archive "$base" "$src" "$dst"
for f in "$base" "$base.manifest" "$base.record"; do
    [ -f "$f" ] || fail "no $f"
done
[ "$(stat -c %a "$base.record")" = 600 ] || fail "$base.record is not 0600"
# The copy's record differs from the snapshot only by the read-back's marks (field 6, VERIFIED),
# written after the archive was complete.
unmarked() { awk 'NR > 1 { $6 = "-" } { print }' "$1"; }
[ "$(unmarked "$rec")" = "$(unmarked "$base.record")" ] ||
    fail "$base.record is not the record the copy committed"
grep -q ' [0-9][0-9]*:[0-9][0-9.]* ' "$rec" || fail "the pre-copy's read-back marked nothing in $rec"
diff -r --no-dereference "$src" "$dst" || fail "the copy differs from the source"
"$IMMICH_MIGRATE" verify-backup "$base" 2> "$TEST_TMP/v.log" ||
    { cat "$TEST_TMP/v.log"; fail "the base archive does not match its manifest"; }
assert_hashes "$base.manifest" "$src"
mkdir "$TEST_TMP/base-only"
tar --zstd -xpf "$base" -C "$TEST_TMP/base-only" || fail "tar cannot read the base archive"
assert_same "$src" "$TEST_TMP/base-only" "the base archive alone"
pass_step "the pre-copy wrote the copy and a base archive that tar extracts to the source; manifest hashes are xxhsum's"

# The same work as two reads: a copy into another target, then backup.
rchar copy "$IMMICH_MIGRATE" copy --record "$TEST_TMP/state/other.record" --live "$src" "$TEST_TMP/dst2"
rchar backup "$IMMICH_MIGRATE" backup "$src" "$bk/full.tar.zst"
ratio() { awk -v a="$1" -v n="$N" 'BEGIN { printf "%.2f", a / n }'; }
two=$((rchar_copy + rchar_backup))
echo "N = $N bytes; rchar: copy --archive $(ratio "$rchar_onepass") N, copy then backup $(ratio $two) N"
# --live reads each copy back from the disk (1 N): with --archive the source is read once more
# only, 2 N in all; a separate backup reads the source a second time (3 N).
awk -v a="$rchar_onepass" -v n="$N" 'BEGIN { exit !(a >= 1.9 * n && a <= 2.25 * n) }' ||
    fail "copy --archive read $(ratio "$rchar_onepass") N, not about 2 N (source and read-back)"
awk -v a="$two" -v n="$N" 'BEGIN { exit !(a >= 2.8 * n) }' ||
    fail "copy then backup read $(ratio $two) N: the comparison does not hold"
pass_step "copy --archive read the source once ($(ratio "$rchar_onepass") N; copy then backup: $(ratio $two) N)"

# Originals: the archive leaves out thumbs/ and encoded-video/, the copy does not.
"$IMMICH_MIGRATE" copy --archive "$bk/orig.tar.zst" --originals --no-verify "$src" "$TEST_TMP/dst3" \
    2> "$TEST_TMP/o.log" || { cat "$TEST_TMP/o.log"; fail "copy --archive --originals failed"; }
tar --zstd -tf "$bk/orig.tar.zst" > "$TEST_TMP/orig-list"
grep -qx 'thumbs/admin/ab/t.webp' "$TEST_TMP/orig-list" && fail "--originals archived a thumbnail"
grep -qx 'encoded-video/admin/cd/clip.mp4' "$TEST_TMP/orig-list" && fail "--originals archived a video"
grep -qx 'thumbs/.immich' "$TEST_TMP/orig-list" || fail "--originals left out the thumbs marker"
grep -qx 'library/admin/2024/01/large.jpg' "$TEST_TMP/orig-list" || fail "--originals left out an original"
[ -f "$TEST_TMP/dst3/thumbs/admin/ab/t.webp" ] || fail "--originals left a thumbnail out of the copy"
"$IMMICH_MIGRATE" verify-backup "$bk/orig.tar.zst" 2>/dev/null || fail "the originals archive does not verify"
pass_step "copy --archive --originals: derived files out of the archive only"

# ---------------------------------------------------------------- the catch-up after the stop
change_src "$src"
catchup=$bk/base.catchup.tar.zst
"$IMMICH_MIGRATE" backup --since "$base.record" --base "$base" "$src" "$catchup" 2> "$TEST_TMP/c.log" ||
    { cat "$TEST_TMP/c.log"; fail "the catch-up backup failed"; }
"$IMMICH_MIGRATE" verify-backup "$catchup" 2>/dev/null || fail "the catch-up does not match its manifest"
assert_hashes "$catchup.manifest" "$src"
tar --zstd -tf "$catchup" > "$TEST_TMP/c-list"
for p in library/admin/2024/01/new.jpg upload/u2/new-upload.jpg library/admin/2024/01/same.jpg \
    upload/u1/ab/new-name.jpg upload/u1/ab/link-a.jpg upload/u1/link-b.jpg profile/avatar.jpg \
    empty-dir/; do
    grep -qx "$p" "$TEST_TMP/c-list" || fail "the catch-up lacks $p"
done
for p in library/admin/2024/01/large.jpg encoded-video/admin/cd/clip.mp4 library/admin/2024/01/one.jpg; do
    grep -qx "$p" "$TEST_TMP/c-list" && fail "the catch-up holds the unchanged $p"
done
tr '\0' '\n' < "$catchup.removed" | LC_ALL=C sort > "$TEST_TMP/removed"
printf '%s\n' gone-dir gone-dir/sub gone-dir/sub/x.jpg upload/u1/ab/delete-me.jpg \
    upload/u1/ab/old-name.jpg | LC_ALL=C sort > "$TEST_TMP/removed-want"
diff "$TEST_TMP/removed-want" "$TEST_TMP/removed" || fail "the removed list is wrong"
[ "$(stat -c %s "$catchup")" -lt 100000 ] || fail "the catch-up archive is not small"
restore "$base" "$catchup" "$TEST_TMP/restored"
assert_same "$src" "$TEST_TMP/restored" "base + removed + catch-up"
pass_step "the catch-up holds only what changed; base, removed list and catch-up restore the source exactly"

# ---------------------------------------------------------------- killed and resumed
# kill_somewhere MAX_MS CMD...: runs CMD with slow chunks and SIGKILLs it after a random time
# below MAX_MS; 0 when killed, 1 when it finished first.
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
for round in 1 2; do
    ks=$TEST_TMP/ks$round kd=$TEST_TMP/kd$round r=$TEST_TMP/kstate$round/rec kb=$bk/k$round.tar.zst
    mkdir -p "$TEST_TMP/kstate$round"
    make_src "$ks"
    sleep 1.1
    if kill_somewhere 700 "$IMMICH_MIGRATE" copy --record "$r" --live --archive "$kb" "$ks" "$kd"; then
        kills=$((kills + 1))
        # killed after the rename: then it must be whole
        [ ! -e "$kb" ] || "$IMMICH_MIGRATE" verify-backup "$kb" 2>/dev/null ||
            fail "round $round: a killed pre-copy left a broken archive"
    fi
    [ "$round" = 2 ] && change_src "$ks" # changed between the kill and the resume
    # (each resume writes the whole archive again: a few kills, then one run to the end)
    for k in 1 2; do
        [ ! -e "$kb" ] || break
        if kill_somewhere 700 "$IMMICH_MIGRATE" copy --record "$r" --live --archive "$kb" "$ks" "$kd"; then
            kills=$((kills + 1))
            # killed after the rename: then it must be whole
            [ ! -e "$kb" ] || "$IMMICH_MIGRATE" verify-backup "$kb" 2>/dev/null ||
                fail "round $round: a killed pre-copy left a broken archive"
        fi
    done
    [ -e "$kb" ] || "$IMMICH_MIGRATE" copy --record "$r" --live --archive "$kb" "$ks" "$kd" 2>> "$TEST_TMP/kill.log" ||
        fail "round $round: the last pre-copy failed"
    "$IMMICH_MIGRATE" verify-backup "$kb" 2>/dev/null || fail "round $round: the resumed base does not verify"
    ls "$bk" | grep "k$round.*partial" && fail "round $round: partial files left"
    [ "$round" = 1 ] && change_src "$ks"
    "$IMMICH_MIGRATE" backup "$ks" "$kb.catchup" --base "$kb" 2>/dev/null ||
        fail "round $round: the catch-up failed"
    restore "$kb" "$kb.catchup" "$TEST_TMP/krestored$round"
    assert_same "$ks" "$TEST_TMP/krestored$round" "round $round"
done
[ "$kills" -ge 1 ] || fail "no kill landed inside a pre-copy"
pass_step "$kills kills (SIGKILL) of pre-copies with --archive, resumed: base + catch-up restore exactly"
