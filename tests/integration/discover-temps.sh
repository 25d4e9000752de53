#!/bin/sh
# The checks' temporary files, on a real `check` of the sandbox under strace -y (every write
# names the file its descriptor is open on):
# - the write-speed sample in backup_dir (8 MiB) is unlinked before a byte is written to it,
#   so a run killed while it measures leaves nothing in the backup directory;
# - the list of dangling paths is written under a "*.tmp.XXXXXX" name, the name the next run's
#   lock clears (remove_stale_temps), and renamed into place.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need strace grep

sb=$TEST_TMP/sb
sandbox_create "$sb"
state=$TEST_TMP/state
mkdir -m 0700 "$state"
trace=$TEST_TMP/trace
strace -f -qq -y -s 0 -e trace=write -o "$trace" \
    "$IMMICH_MIGRATE" check -c "$PLAN" --state-dir "$state" >"$TEST_TMP/out" 2>&1 || true
grep -q "Time estimate" "$TEST_TMP/out" || { cat "$TEST_TMP/out"; fail "check printed no time estimate"; }

grep -E 'write\([0-9]+</[^>]*/\.immich-migrate-speed\.[^>/]*>' "$trace" >"$TEST_TMP/speed" ||
    fail "strace saw no write to the write-speed sample in $BACKUP_DIR"
if grep -vF '>(deleted)' "$TEST_TMP/speed" >"$TEST_TMP/named"; then
    head -n 3 "$TEST_TMP/named"
    fail "the write-speed sample had a name in the backup directory while it was written"
fi
[ -z "$(find "$BACKUP_DIR" -name '.immich-migrate-speed.*')" ] || fail "the write-speed sample was left"
pass_step "the write-speed sample is written only after its name is gone ($(wc -l <"$TEST_TMP/speed") writes)"

grep -E "write\([0-9]+<$state/dangling-paths[^>]*>" "$trace" >"$TEST_TMP/dangling" ||
    fail "strace saw no write to the dangling-paths list in $state"
if grep -vE "<$state/dangling-paths\.tmp\.[A-Za-z0-9]{6}>" "$TEST_TMP/dangling" >"$TEST_TMP/named"; then
    head -n 3 "$TEST_TMP/named"
    fail "the dangling-paths list was written under another name than *.tmp.XXXXXX"
fi
[ -f "$state/dangling-paths" ] || fail "no $state/dangling-paths after check"
[ -z "$(find "$state" -name 'dangling-paths.*')" ] || fail "a temporary dangling-paths file was left"
pass_step "the dangling-paths list is written as dangling-paths.tmp.XXXXXX and renamed into place"
