#!/bin/sh
# library_backup (issue 12 item 3): "originals" archives everything but the contents of
# thumbs/ and encoded-video/ (their .immich markers stay), as real tar lists it, and
# verify-backup checks the same selection; the Free space check computes what each strategy
# needs and, when the chosen one does not fit, names the ones that do (a small tmpfs as
# backup_dir: root only); "none" in the plan runs the whole migration in batch without an
# archive, and the log and the report say so.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need tar zstd sort find mount

sb=$TEST_TMP/sb
sandbox_create "$sb" --assets 4
up=$UPLOAD_LOCATION
# Regenerable bulk: 24 MiB of transcodes and thumbnails, a hard link counted once.
mkdir -p "$up/encoded-video/u1" "$up/thumbs/u1/ab"
head -c $((16 << 20)) /dev/urandom >"$up/encoded-video/u1/big.mp4"
head -c $((8 << 20)) /dev/urandom >"$up/thumbs/u1/ab/t.webp"
ln "$up/thumbs/u1/ab/t.webp" "$up/thumbs/u1/ab/t2.webp"

# --- originals: the archive holds exactly the selection --------------------------------------
mkdir -m 0700 "$TEST_TMP/out"
arc=$TEST_TMP/out/orig.tar.zst
"$IMMICH_MIGRATE" backup --originals "$up" "$arc" 2>"$TEST_TMP/log" || { cat "$TEST_TMP/log"; fail "backup --originals failed"; }
tar --zstd -tf "$arc" | sed 's|/$||' | sort >"$TEST_TMP/got"
(cd "$up" && find . -mindepth 1 | sed 's|^\./||' |
    grep -Ev '^(thumbs|encoded-video)/[^/]' ; cd "$up" && ls -d thumbs/.immich encoded-video/.immich) |
    sort >"$TEST_TMP/want"
diff "$TEST_TMP/want" "$TEST_TMP/got" || fail "the originals archive does not hold exactly the selection"
for d in library upload profile backups; do
    grep -qx "$d/.immich" "$TEST_TMP/got" || fail "$d/.immich is missing from the originals archive"
done
grep -q '^upload/.' "$TEST_TMP/got" || fail "no originals under upload/ in the archive"
grep -q 'big.mp4\|t.webp' "$TEST_TMP/got" && fail "generated files are in the originals archive"
grep -q 'big.mp4\|t.webp' "$arc.manifest" && fail "the manifest lists generated files"
pass_step "originals: tar lists exactly library/, upload/, profile/, backups/ and every .immich marker"

"$IMMICH_MIGRATE" verify-backup --originals "$arc" "$up" 2>"$TEST_TMP/log" ||
    { cat "$TEST_TMP/log"; fail "verify-backup --originals failed on its own archive"; }
expect_status 1 "$IMMICH_MIGRATE" verify-backup "$arc" "$up" 2>"$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "only in the library (not in the archive): encoded-video/u1"
echo changed >>"$up/profile/.immich"
expect_status 1 "$IMMICH_MIGRATE" verify-backup --originals "$arc" "$up" 2>"$TEST_TMP/log"
assert_contains "$TEST_TMP/log" "different: profile/.immich"
pass_step "verify-backup --originals checks the same selection (and still finds changes in it)"

# --- the Free space check per strategy ------------------------------------------------------
set_key() { # KEY VALUE: in the plan
    sed -i "/^$1 *=/d" "$PLAN"
    printf '%s = %s\n' "$1" "$2" >>"$PLAN"
}
space_line() { grep -A3 "^[A-Z]*  Free space" "$TEST_TMP/check.out"; }
lib_kib=$(du -sk --apparent-size "$up" | cut -f1)
small=$TEST_TMP/small
mkdir "$small"
# Room for the originals and the dump, not for the 24 MiB of generated files.
size_kib=$((lib_kib - 24 * 1024 + 12 * 1024))
mount -t tmpfs -o size=${size_kib}k,mode=0700 tmpfs "$small" || fail "cannot mount a tmpfs as root"
at_exit "umount '$small'"
set_key backup_dir "$small/backup"
set +e; "$IMMICH_MIGRATE" check -c "$PLAN" --state-dir "$TEST_TMP/cs" >"$TEST_TMP/check.out" 2>&1; st=$?; set -e
[ "$st" = 1 ] || { cat "$TEST_TMP/check.out"; fail "check passed although the archive does not fit"; }
space_line >"$TEST_TMP/space"; cat "$TEST_TMP/space"
grep -q "^FAIL  Free space" "$TEST_TMP/space" || { cat "$TEST_TMP/check.out"; fail "no FAIL for Free space"; }
assert_contains "$TEST_TMP/space" "library_backup = archive needs"
assert_contains "$TEST_TMP/space" "These fit: library_backup = originals needs"
assert_contains "$TEST_TMP/space" "library_backup = none needs"
grep -q "GiB\|MiB" "$TEST_TMP/space" || fail "sizes are not in MiB/GiB"
pass_step "archive does not fit: the check fails naming originals and none, which do"

set_key library_backup originals
"$IMMICH_MIGRATE" check -c "$PLAN" --state-dir "$TEST_TMP/cs" >"$TEST_TMP/check.out" 2>&1 || true
space_line >"$TEST_TMP/space"; cat "$TEST_TMP/space"
grep -q "^PASS  Free space.*library_backup = originals needs" "$TEST_TMP/space" ||
    { cat "$TEST_TMP/check.out"; fail "originals fits but Free space did not pass"; }
pass_step "library_backup = originals: the Free space check passes"

# Not even the dump fits: no strategy is named.
umount "$small"
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$small" || fail "cannot mount the tiny tmpfs"
"$IMMICH_MIGRATE" check -c "$PLAN" --state-dir "$TEST_TMP/cs" >"$TEST_TMP/check.out" 2>&1 || true
space_line >"$TEST_TMP/space"; cat "$TEST_TMP/space"
assert_contains "$TEST_TMP/space" "library_backup = originals needs"
assert_contains "$TEST_TMP/space" "No library_backup fits"
pass_step "nothing fits: the check says so"

# --- none: the batch runs without an archive; log and report say so --------------------------
set_key backup_dir "$sb/backup"
set_key library_backup none
state=$TEST_TMP/state
"$IMMICH_MIGRATE" --batch --yes -c "$PLAN" --state-dir "$state" >"$TEST_TMP/batch.out" 2>"$TEST_TMP/err" ||
    { cat "$TEST_TMP/err"; fail "the batch with library_backup = none failed"; }
assert_contains "$TEST_TMP/batch.out" "Library backup: none (library_backup = none): no archive was written"
assert_contains "$TEST_TMP/batch.out" "With library_backup = none the old library $up is the only backup"
ls "$sb/backup" | grep -q 'immich-library-\|immich-originals-' && fail "an archive was written with library_backup = none"
log=$state/migration.log
grep -q "	backup	.*library_backup = none: no archive of the library is written" "$log" || { cat "$log"; fail "the log does not record none"; }
grep -q "	verify_backup	.*library_backup = none: there is no archive to verify" "$log" || fail "verify_backup does not say why"
grep -q "	override	" "$log" && fail "none passed the backup gate by an override"
"$IMMICH_MIGRATE" --report="$state" >"$TEST_TMP/report.md"
assert_contains "$TEST_TMP/report.md" "Library backup: \`library_backup = none\`: no archive was written"
pass_step "none: the migration completes without an archive; the log and the report record the choice"
