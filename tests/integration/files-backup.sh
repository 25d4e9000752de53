#!/bin/sh
# backup: GNU tar and bsdtar extract exactly the library (content, modes, owners, times with
# nanoseconds, symlinks, hard links, dot-files, empty directories); the manifest lists every
# entry; an unreadable file fails the backup by name and leaves nothing; existing archives
# and archives inside the library are refused.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/makelib.sh"
need tar bsdtar zstd sha256sum setpriv

lib=$TEST_TMP/lib
make_library "$lib" "$TEST_TMP/outside"
tree_listing "$lib" "$TEST_TMP/want"
mkdir "$TEST_TMP/out"
arc=$TEST_TMP/out/lib.tar.zst

"$IMMICH_MIGRATE" backup --level 3 --threads 2 "$lib" "$arc" 2> "$TEST_TMP/log" ||
    { cat "$TEST_TMP/log"; fail "backup failed"; }
[ -f "$arc" ] && [ -f "$arc.manifest" ] || fail "archive or manifest missing"
[ ! -e "$arc.partial" ] || fail "partial archive left behind"
[ "$(stat -c %a "$arc")" = 600 ] || fail "archive mode is not 0600"
assert_contains "$TEST_TMP/log" "to back up"
assert_contains "$TEST_TMP/log" "progress:"
zstd -t -q "$arc" || fail "zstd -t rejects the archive"
pass_step "backup written"

# the tree after the backup is unchanged (nothing touched in the source)
tree_listing "$lib" "$TEST_TMP/after"
cmp -s "$TEST_TMP/want" "$TEST_TMP/after" || fail "the library changed during the backup"

for tool in gnu bsd; do
    x=$TEST_TMP/x-$tool
    mkdir "$x"
    if [ $tool = gnu ]; then
        tar --zstd -xpf "$arc" -C "$x" 2> "$TEST_TMP/tar.err" || { cat "$TEST_TMP/tar.err"; fail "GNU tar failed"; }
    else
        bsdtar -xpf "$arc" -C "$x" || fail "bsdtar failed"
    fi
    tree_listing "$x" "$TEST_TMP/got-$tool"
    if ! cmp -s "$TEST_TMP/want" "$TEST_TMP/got-$tool"; then
        show_listing_diff "$TEST_TMP/want" "$TEST_TMP/got-$tool"
        fail "$tool tar extraction differs from the library"
    fi
    # hard links are links again, the outside symlink still points outside
    [ "$x/upload/ab/cd/photo one.jpg" -ef "$x/library/admin/2024/01/photo one.jpg" ] ||
        fail "$tool: hard link lost"
    [ "$(readlink "$x/library/outside-link")" = "$TEST_TMP/outside/target.txt" ] ||
        fail "$tool: symlink target changed"
    [ -d "$x/encoded-video/empty" ] || fail "$tool: empty directory lost"
    pass_step "$tool tar extracts an identical tree"
done

# manifest: one line per entry (version 2: with mode, uid, gid), sizes and the escaped
# newline name, XXH64 of empty files; 'h' carries a checksum (of the earlier name); an end line
head -n 1 "$arc.manifest" | grep -qx '# immich-migrate manifest 2: xxh64 size mtime type mode uid gid path' ||
    fail "the manifest's header is not version 2"
entries=$(cd "$lib" && find . -mindepth 1 -printf x | wc -c)
lines=$(grep -vc '^#' "$arc.manifest")
[ "$entries" = "$lines" ] || fail "manifest has $lines lines for $entries entries"
tail -n 1 "$arc.manifest" | grep -qx "# end $entries [0-9a-f]\{16\}" || fail "the manifest's end line is missing or wrong"
mline() { grep -qE "$1" "$arc.manifest" || { cat "$arc.manifest"; fail "the manifest lacks: $1"; }; }
mline ' f 644 [0-9]+ [0-9]+ upload/ab/cd/new\\x0aline\.jpg$'
mline '^ef46db3751d8e999 0 1680674828\.123456789 f 644 [0-9]+ [0-9]+ upload/\.immich$'
large=$(stat -c %s "$lib/library/admin/2024/01/large.mp4")
mline " $large 1609556645\\.987654321 f [0-7]+ [0-9]+ [0-9]+ library/admin/2024/01/large\\.mp4\$"
mline '^[0-9a-f]{16} 20000 [0-9.]+ h [0-7]+ [0-9]+ [0-9]+ upload/ab/cd/photo one\.jpg$'
# the modes and owners are the library's (run.sh: 0755; as root, files of other owners)
mline " f 755 $(stat -c '%u %g' "$lib/library/run.sh") library/run\\.sh\$"
pass_step "manifest lists every entry"

# an existing archive is never overwritten; an archive inside the library is refused
expect_status 1 "$IMMICH_MIGRATE" backup "$lib" "$arc" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "already exists"
expect_status 1 "$IMMICH_MIGRATE" backup "$lib" "$lib/upload/self.tar.zst" 2> "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "must not be inside the library"
[ ! -e "$lib/upload/self.tar.zst.partial" ] || fail "partial left in the library"
expect_status 2 "$IMMICH_MIGRATE" backup "$lib"
expect_status 2 "$IMMICH_MIGRATE" backup --level 99 "$lib" "$TEST_TMP/out/x.tar.zst"
pass_step "refusals"

# an unreadable file: root reads mode 000 files, so run as nobody then
bad=$TEST_TMP/bad
make_library "$bad" "$TEST_TMP/outside2" --large-mb 1 --unreadable
mkdir -m 700 "$TEST_TMP/out2"
[ "$(id -u)" != 0 ] || chown 65534:65534 "$TEST_TMP/out2" # the unprivileged user's own
expect_status 1 run_unprivileged "$IMMICH_MIGRATE" backup "$bad" "$TEST_TMP/out2/bad.tar.zst" 2> "$TEST_TMP/log"
cat "$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "upload/secret.jpg: Permission denied"
assert_contains "$TEST_TMP/log" "cannot be read"
[ -z "$(ls -A "$TEST_TMP/out2")" ] || { ls -la "$TEST_TMP/out2"; fail "files left after a failed backup"; }
pass_step "an unreadable file fails the backup by name, nothing left"
