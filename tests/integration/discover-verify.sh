#!/bin/sh
# immich-migrate verify on a migrated sandbox: the source database is loaded into the target
# (paths rewritten for this test with sed: the sandbox's data holds them only in path
# columns), the library copied to target_location and given to media_owner. Then files are
# removed, a marker deleted, an owner changed, an error logged: each must fail verify, while
# the file that was already missing in Docker is only a warning.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need cp sed grep chown ln

sb=$TEST_TMP/sb
sandbox_create "$sb" --dangling
state=$TEST_TMP/state
out=$TEST_TMP/out
errf=$TEST_TMP/err

verify_status() {
    want=$1; shift
    set +e; "$IMMICH_MIGRATE" verify -c "$PLAN" --state-dir "$state" "$@" >"$out" 2>"$errf"; got=$?; set -e
    [ "$got" = "$want" ] || { cat "$out" "$errf"; fail "verify: expected exit $want, got $got"; }
}
value() { sed -n "s/^$1: //p" "$out"; }

# The pre-flight check records the file already missing in Docker.
"$IMMICH_MIGRATE" check -c "$PLAN" --state-dir "$state" >"$out" 2>"$errf" || { cat "$out"; fail "check failed"; }

# A migrated installation, made with the plain tools.
"$PG_BINDIR/pg_dump" -h "$SRC_HOST" -U postgres -d "$SRC_DB" --no-owner --no-privileges \
    | sed -e "s#$MOUNT/#$TARGET_LOCATION/#g" -e "s#$EXTERNAL_MOUNT/#$EXTERNAL_LOCATION/#g" \
          -e "s/set_config('search_path', '', false)/set_config('search_path', 'public', false)/" \
    >"$TEST_TMP/migrated.sql"
sb_psql "$DST_HOST" "$DST_DB" -f "$TEST_TMP/migrated.sql" >/dev/null
mkdir -p "$TARGET_LOCATION"
cp -a "$UPLOAD_LOCATION/." "$TARGET_LOCATION/"
chown -R "$MEDIA_OWNER" "$TARGET_LOCATION"
"$SYSTEMCTL" start immich-server.service immich-machine-learning.service

# --- all there ---------------------------------------------------------------------------------
verify_status 0
[ "$(value 'files missing')" = 0 ] || fail "missing: $(value 'files missing')"
[ "$(value 'already missing in Docker')" = 1 ] || fail "dangling: $(value 'already missing in Docker')"
[ "$(value 'files present')" = "$MEDIA_FILES" ] || fail "present $(value 'files present') != $MEDIA_FILES"
[ "$(value 'bytes present')" = "$MEDIA_BYTES" ] || fail "bytes $(value 'bytes present') != $MEDIA_BYTES"
[ "$(value 'assets')" = "$(sb_psql "$SRC_HOST" "$SRC_DB" -At -c 'select count(*) from asset')" ] ||
    fail "asset count"
[ "$(value 'journal errors')" = 0 ] || fail "journal errors on a clean start"
assert_contains "$errf" "already missing before the migration: $(echo "$DANGLING_PATH" | sed "s#$MOUNT/#$TARGET_LOCATION/#")"
pass_step "a complete migration verifies; the old dangling file is only a warning"

# --- a file lost by the migration ----------------------------------------------------------------
lost=$(sed -n 's/^[0-9]*\t//p' "$MEDIA_LIST" | grep "^$UPLOAD_LOCATION/library/" | head -n 1)
lost_target=$TARGET_LOCATION/${lost#"$UPLOAD_LOCATION"/}
rm "$lost_target"
verify_status 1
[ "$(value 'files missing')" = 1 ] || fail "missing: $(value 'files missing')"
assert_contains "$errf" "missing: $lost_target"
assert_contains "$errf" "missing: 1 in $(dirname "$lost_target")"
cp -a "$lost" "$lost_target" && chown "$MEDIA_OWNER" "$lost_target"
verify_status 0
pass_step "a lost file fails verify and is named with its folder"

# --- a missing marker --------------------------------------------------------------------------
rm "$TARGET_LOCATION/thumbs/.immich"
verify_status 1
assert_contains "$errf" "marker missing: $TARGET_LOCATION/thumbs/.immich"
cp -a "$UPLOAD_LOCATION/thumbs/.immich" "$TARGET_LOCATION/thumbs/.immich" && chown "$MEDIA_OWNER" "$TARGET_LOCATION/thumbs/.immich"
pass_step "a missing marker fails verify"

# --- a wrong owner (needs a second owner: root can make one) -------------------------------------
if [ "$(id -u)" = 0 ]; then
    victim=$(find "$TARGET_LOCATION/library" -type f ! -name .immich | head -n 1)
    chown root:root "$victim"
    verify_status 1
    assert_contains "$errf" "wrong owner 0:0: $victim"
    chown "$MEDIA_OWNER" "$victim"
    # A symlink in place of a file is not followed: its own owner (root) counts, not the
    # owner of the file it points to.
    mv "$victim" "$victim.real"
    ln -s "$victim.real" "$victim"
    verify_status 1
    assert_contains "$errf" "wrong owner 0:0: $victim"
    rm "$victim"; mv "$victim.real" "$victim"
    verify_status 0
    pass_step "a file with the wrong owner fails verify; symlinks are not followed"
else
    [ "$MEDIA_OWNER" = "$(id -un):$(id -gn)" ] || fail "unexpected media owner $MEDIA_OWNER"
    pass_step "owner check exercised only as root (no second owner available)"
fi

# --- the verify stage and the final summary, as the wizard runs them ----------------------------
set +e
"$top_builddir/tests/integration/discover-run-stage" -c "$PLAN" -s "$state" verify summary >"$out" 2>"$errf"
rc=$?
set -e
[ $rc = 0 ] || { cat "$out" "$errf"; fail "verify stage + summary: exit $rc"; }
assets=$(sb_psql "$SRC_HOST" "$SRC_DB" -At -c 'select count(*) from asset')
assert_contains "$out" "Assets: $assets"
assert_contains "$out" "Files:  $MEDIA_FILES (1 already missing in Docker)"
assert_contains "$out" "Time:   1h 02m 05s"
assert_contains "$out" "cd $COMPOSE_DIR && $DOCKER compose down"
assert_contains "$out" "the old library $UPLOAD_LOCATION"
pass_step "verify stage and summary"

# --- errors in the journal -------------------------------------------------------------------------
"$SYSTEMCTL" stop immich-server.service
IMMICH_SANDBOX_SERVER_ERROR="Detected an inconsistent media location" "$SYSTEMCTL" start immich-server.service || true
verify_status 1
assert_contains "$errf" "Detected an inconsistent media location"
[ "$(value 'journal errors')" -ge 1 ] || fail "journal errors not counted"
# --since limits the journal to the start of the new installation.
verify_status 0 --since "@$(($(date +%s) + 5))"
pass_step "journal errors fail verify"

# --- the target database is unreachable: an error, not a pass --------------------------------------
sed "s|^target_dsn = .*|target_dsn = \"host=$TEST_TMP/nowhere port=5432 user=postgres\"|" "$PLAN" >"$TEST_TMP/plan-bad"
set +e; "$IMMICH_MIGRATE" verify -c "$TEST_TMP/plan-bad" --state-dir "$state" >"$out" 2>"$errf"; rc=$?; set -e
[ $rc = 1 ] || fail "unreachable target: exit $rc"
assert_contains "$errf" "cannot connect to the NixOS PostgreSQL"
pass_step "an unreachable target fails verify"
