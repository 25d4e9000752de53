#!/bin/bash
# The pre-copy in a whole batch run of the sandbox (target_location differs from the upload
# location): the "Pre-copy library" stage runs before Stop Docker, while the containers are up
# (a docker stand-in wrapper notes, when `docker stop` comes, what the target already holds,
# and plays Immich by adding and changing a file in the library just before it stops); the
# copy stage after the stop is the catch-up: it copies just those two files and the target
# ends equal to the source. With target_location = upload_location the pre-copy is skipped.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need diff find

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 6 --bytes-per-file 4096
upload=$(sed -n 's/^upload_location *= *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$PLAN")
target=$(sed -n 's/^target_location *= *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$PLAN")
[ -d "$upload" ] && [ -n "$target" ] && [ "$upload" != "$target" ] || fail "the sandbox's plan has no separate target"
some_file=$(find "$upload" -type f -size +0 | LC_ALL=C sort | head -n 1)
[ -n "$some_file" ] || fail "the sandbox library has no file"

# The wrapper: on `stop`, record how many files the target holds, then write into the library
# as a running Immich would, then stop through the stand-in (which logs every call).
wrapper="$TEST_TMP/docker"
cat > "$wrapper" <<EOF
#!/bin/sh
if [ "\$1" = stop ]; then
    printf 'at stop: %s files in the target\n' "\$(find '$target' -type f 2>/dev/null | wc -l)" >> '$TEST_TMP/at-stop'
    printf 'uploaded while the pre-copy ran\n' > '$upload/upload/late-upload.jpg'
    printf 'X' | dd of='$some_file' bs=1 seek=1 conv=notrunc status=none
fi
exec '$DOCKER' "\$@"
EOF
chmod +x "$wrapper"
conf="$TEST_TMP/plan.conf"
sed "s|^docker_command = .*|docker_command = $wrapper|" "$PLAN" > "$conf"
sleep 1.1 # files younger than a second are not trusted by the copy record

state="$TEST_TMP/state"
"$IMMICH_MIGRATE" --batch --yes -c "$conf" --state-dir "$state" 2> "$TEST_TMP/batch.err" ||
    { tail -n 30 "$TEST_TMP/batch.err"; fail "the batch run failed"; }
log="$state/migration.log"

# Order: the pre-copy finished before docker stop was called.
src_files=$(find "$upload" -type f ! -name late-upload.jpg | wc -l)
[ -s "$TEST_TMP/at-stop" ] || fail "docker stop was never called"
assert_contains "$TEST_TMP/at-stop" "at stop: $src_files files in the target"
grep -q "^docker	stop	" "$sb/calls.log" || fail "the stand-in did not record docker stop"
mapfile -t order < <(sed -n 's/^stage	\([^	]*\)	.*/\1/p' "$state/journal")
[ "${order[0]} ${order[1]} ${order[2]}" = "discover precopy stop_docker" ] ||
    fail "stage order: ${order[*]}"
first_stop=$(grep -n "docker.* stop " "$log" | head -n 1 | cut -d: -f1)
precopy_done=$(grep -n "	precopy	.*: done" "$log" | head -n 1 | cut -d: -f1)
[ -n "$precopy_done" ] && [ -n "$first_stop" ] && [ "$precopy_done" -lt "$first_stop" ] ||
    fail "the log does not show the pre-copy done ($precopy_done) before docker stop ($first_stop)"
grep -q "^stage	precopy	done" "$state/journal" || fail "the journal does not say the pre-copy is done"
pass_step "Pre-copy library ran before Stop Docker, with the containers up ($src_files files copied by then)"

# The catch-up copied just the two files written before the stop.
grep "\[Copy library\] .*copied" "$TEST_TMP/batch.err" > "$TEST_TMP/catchup" || fail "no copy summary"
assert_contains "$TEST_TMP/catchup" "copied 2 files"
cmp -s "$upload/upload/late-upload.jpg" "$target/upload/late-upload.jpg" || fail "the late upload was not copied"
cmp -s "$some_file" "$target/${some_file#"$upload"/}" || fail "the file changed before the stop was not copied"
assert_contains "$TEST_TMP/batch.err" "the copy $target equals $upload"
[ -f "$state/library-copy.record" ] || fail "no copy record in the state directory"
pass_step "the catch-up after the stop copied only the 2 files changed meanwhile; the copy is verified"

# Back up library after the stop archives only those two files, and says so: the bytes it
# reports are theirs, not the whole library's (format_bytes: "N B" below 1 KiB, else "%.1f KiB").
changed_bytes=$(( $(stat -c %s "$upload/upload/late-upload.jpg") + $(stat -c %s "$some_file") ))
shown=$(awk -v n="$changed_bytes" 'BEGIN { if (n < 1024) printf "%d B", n; else printf "%.1f KiB", n / 1024 }')
grep "	backup	file	.*catchup\.tar\.zst (" "$log" > "$TEST_TMP/catchup-backup" || fail "no catch-up archive in the log"
assert_contains "$TEST_TMP/catchup-backup" "($shown of files in"
grep -q "	backup	message	.* files, .* in the library$" "$log" ||
    fail "the catch-up's scan is not reported as the library's size"
pass_step "the catch-up archive reports the $shown it archived, not the library's size"

# The checks run again (the wizard's r before Stop Docker, or a resume) accept a target that
# holds this migration's own copy, named by the copy record, and refuse it for another state
# directory (a foreign non-empty target).
"$IMMICH_MIGRATE" check -c "$conf" --state-dir "$state" > "$TEST_TMP/recheck.out" 2>&1 || true
grep -E "Target location: .*holds this migration's earlier copy" "$TEST_TMP/recheck.out" ||
    { grep "Target location" "$TEST_TMP/recheck.out"; fail "the checks refuse a target holding our own copy"; }
mkdir -m 0700 "$TEST_TMP/otherstate"
"$IMMICH_MIGRATE" check -c "$conf" --state-dir "$TEST_TMP/otherstate" > "$TEST_TMP/recheck2.out" 2>&1 || true
grep -E "FAIL +Target location: .* is not empty" "$TEST_TMP/recheck2.out" ||
    { grep "Target location" "$TEST_TMP/recheck2.out"; fail "a target not copied by this migration passes"; }
pass_step "checks run again accept the target holding this migration's copy, and only that"

# In place: the pre-copy has nothing to do and says so.
"$IMMICH_MIGRATE" --dry-run -c "$conf" --state-dir "$TEST_TMP/dry" > "$TEST_TMP/dry.out" 2>&1 ||
    fail "--dry-run failed"
grep -q "## 2\. Pre-copy library" "$TEST_TMP/dry.out" || fail "the dry run does not show the pre-copy second"
# (with the base archive the pre-copy writes from its reading: --archive BACKUP_DIR/immich-library-base-*)
grep -F -- "copy --record $TEST_TMP/dry/library-copy.record --live --archive " "$TEST_TMP/dry.out" |
    grep -F -- "/immich-library-base-" | grep -qF -- ".tar.zst $upload $target" ||
    { grep -n "copy" "$TEST_TMP/dry.out"; fail "the dry run does not show the pre-copy's command"; }
runner=$top_builddir/tests/integration/discover-run-stage
[ -x "$runner" ] || fail "$runner is missing (built by make check)"
sed "s|^target_location = .*|target_location = $upload|" "$conf" > "$TEST_TMP/inplace.conf"
"$runner" -c "$TEST_TMP/inplace.conf" -s "$TEST_TMP/inplace" precopy > "$TEST_TMP/inplace.out" 2>&1 ||
    { cat "$TEST_TMP/inplace.out"; fail "the in-place pre-copy failed"; }
cat "$TEST_TMP/inplace.out"
assert_contains "$TEST_TMP/inplace.out" "SKIPPED precopy"
assert_contains "$TEST_TMP/inplace.out" "are the same directory: nothing to copy"
[ ! -e "$TEST_TMP/inplace/library-copy.record" ] || fail "the in-place pre-copy wrote a record"
pass_step "target_location = upload_location: the pre-copy is skipped"
