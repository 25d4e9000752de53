#!/bin/sh
# immich-migrate check: discovery and pre-flight checks against the sandbox's stand-ins.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need grep sed cut flock

sb=$TEST_TMP/sb
sandbox_create "$sb" --dangling
state=$TEST_TMP/state
out=$TEST_TMP/out
errf=$TEST_TMP/err

# check_status N ARGS...: runs immich-migrate ARGS (stdout in $out, stderr in $errf) and
# asserts its exit status.
check_status() {
    want=$1; shift
    set +e; "$IMMICH_MIGRATE" "$@" >"$out" 2>"$errf"; got=$?; set -e
    [ "$got" = "$want" ] || { cat "$out" "$errf"; fail "expected exit $want, got $got: $*"; }
}

# --- everything fine: exit 0, only read-only calls, dangling path recorded --------------
: >"$CALLS_LOG"
check_status 0 check -c "$PLAN" --state-dir "$state"
for name in "Docker containers" "Immich version" "NixOS PostgreSQL and extensions" \
            "Target location" "Free space" "No other migration running"; do
    grep -q "^PASS  $name" "$out" || { cat "$out"; fail "no PASS for $name"; }
done
assert_not_contains "$out" "FAIL"
assert_contains "$out" "Docker runs $IMMICH_VERSION, NixOS has $IMMICH_VERSION"
# Only looks: inspect, exec (queries), show. Never stop/start/rm.
cut -f1,2 "$CALLS_LOG" | sort -u >"$TEST_TMP/verbs"
printf 'docker\texec\ndocker\tinspect\nsystemctl\tshow\n' >"$TEST_TMP/verbs.want"
diff "$TEST_TMP/verbs.want" "$TEST_TMP/verbs" || fail "check made other calls than inspect/exec/show"
# The order of the first calls: the three containers, server first.
head -n 3 "$CALLS_LOG" | cut -f3 | tr '\n' ' ' >"$TEST_TMP/first"
[ "$(cat "$TEST_TMP/first")" = "immich_server immich_machine_learning immich_postgres " ] ||
    fail "inspect order: $(cat "$TEST_TMP/first")"
# exec only ever targets the db container, with psql
if cut -f2,3,4 "$CALLS_LOG" | grep '^exec' | grep -v "^exec	immich_postgres	psql$"; then
    fail "exec outside the db container's psql"
fi
# The sandbox's own record of its dangling asset is in our list, nothing else is.
[ -n "$DANGLING_PATH" ] || fail "sandbox has no dangling path"
grep -v '^#' "$state/dangling-paths" | cut -f2 >"$TEST_TMP/dangling"
[ "$(cat "$TEST_TMP/dangling")" = "$DANGLING_PATH" ] || fail "dangling list: $(cat "$TEST_TMP/dangling")"
[ "$(stat -c %a "$state/dangling-paths")" = 600 ] || fail "dangling-paths is not 0600"
grep -q "^WARN  Files named by the source database: 1 of" "$out" || fail "no dangling warning"
# The password from .env never shows.
assert_not_contains "$out" "$SRC_DB_PASSWORD"
assert_not_contains "$errf" "$SRC_DB_PASSWORD"
pass_step "check passes on a healthy sandbox"

# --- discovered values: compose dir from the labels, relative UPLOAD_LOCATION ----------------
sed -e '/^compose_dir/d' -e '/^upload_location/d' -e '/^db_username/d' "$PLAN" >"$TEST_TMP/plan2"
sed -i 's|^UPLOAD_LOCATION=.*|UPLOAD_LOCATION=../library|' "$COMPOSE_DIR/.env"
check_status 0 check -c "$TEST_TMP/plan2" --state-dir "$state"
assert_contains "$out" "discovered: compose_dir = $COMPOSE_DIR"
assert_contains "$out" "discovered: upload_location = $COMPOSE_DIR/../library"
assert_contains "$out" "discovered: db_username = postgres"
pass_step "compose dir, relative UPLOAD_LOCATION and DB_USERNAME discovered"

# --- a .env error names its line -------------------------------------------------------------
cp "$COMPOSE_DIR/.env" "$TEST_TMP/env.orig"
printf 'BROKEN="unterminated\n' >>"$COMPOSE_DIR/.env"
lines=$(wc -l <"$COMPOSE_DIR/.env")
check_status 1 check -c "$PLAN" --state-dir "$state"
grep -q "^FAIL  Compose .env: $COMPOSE_DIR/.env:$lines: unterminated double quote" "$out" ||
    { cat "$out"; fail "no .env error with line $lines"; }
cp "$TEST_TMP/env.orig" "$COMPOSE_DIR/.env"
pass_step ".env error with its line number"

# --- version mismatch: NixOS older than Docker -----------------------------------------------
IMMICH_SANDBOX_NIX_VERSION=1.99.0; export IMMICH_SANDBOX_NIX_VERSION
check_status 1 check -c "$PLAN" --state-dir "$state"
unset IMMICH_SANDBOX_NIX_VERSION
grep -q "^FAIL  Immich version: Docker runs $IMMICH_VERSION, NixOS has 1.99.0" "$out" ||
    { cat "$out"; fail "no version failure"; }
assert_contains "$out" "cannot migrate backwards"
assert_contains "$errf" "1 check failed"
pass_step "older NixOS version fails"

# --- an extension the target lacks (the source uses pgvecto.rs) ------------------------------
# A catalog row is enough for the source to say it uses "vectors"; the target's PostgreSQL
# really has no such extension available.
sb_psql "$SRC_HOST" "$SRC_DB" -c "insert into pg_extension (oid, extname, extowner, extnamespace, extrelocatable, extversion) values (99999, 'vectors', 10, 2200, false, '0.2.0')"
check_status 1 check -c "$PLAN" --state-dir "$state"
grep -q "^FAIL  NixOS PostgreSQL and extensions: missing on NixOS: vectors" "$out" ||
    { cat "$out"; fail "no extension failure"; }
assert_contains "$out" "services.immich.database.enableVectors = true;"
sb_psql "$SRC_HOST" "$SRC_DB" -c "delete from pg_extension where oid = 99999"
pass_step "missing extension fails"

# --- an image tag without a version ("v2", "release"): the database's version_history --------
echo "IMMICH_VERSION=2" >"$sb/faults.env"
IMMICH_SANDBOX_NIX_VERSION=$IMMICH_VERSION; export IMMICH_SANDBOX_NIX_VERSION
check_status 0 check -c "$PLAN" --state-dir "$state"
grep -q "^PASS  Immich version: Docker runs $IMMICH_VERSION, NixOS has $IMMICH_VERSION (Docker's version from the version_history table)" "$out" ||
    { cat "$out"; fail "version not read from version_history"; }
grep -q '	exec	immich_postgres	psql	.*version_history' "$CALLS_LOG" || fail "version_history not queried"
rm "$sb/faults.env"
unset IMMICH_SANDBOX_NIX_VERSION
pass_step "tag v2: version from version_history"

# --- the plan disagrees with the NixOS unit ------------------------------------------------
sed "s|^target_location = .*|target_location = $TEST_TMP/elsewhere|" "$PLAN" >"$TEST_TMP/plan-loc"
check_status 1 check -c "$TEST_TMP/plan-loc" --state-dir "$state"
grep -q "^FAIL  NixOS unit settings: the unit uses media location $TARGET_LOCATION, the plan $TEST_TMP/elsewhere" "$out" ||
    { cat "$out"; fail "media location mismatch not found"; }
assert_contains "$out" "services.immich.mediaLocation = \"$TEST_TMP/elsewhere\";"
sed "s|^target_db_name = .*|target_db_name = other|" "$PLAN" >"$TEST_TMP/plan-db"
check_status 1 check -c "$TEST_TMP/plan-db" --state-dir "$state"
grep -q "^FAIL  NixOS unit settings: the unit connects to database $DST_DB as $DST_OWNER, the plan imports into other" "$out" ||
    { cat "$out"; fail "database mismatch not found"; }
pass_step "plan and NixOS unit must agree"

# --- target location not empty -----------------------------------------------------------------
mkdir -p "$TARGET_LOCATION" && echo x >"$TARGET_LOCATION/stray"
check_status 1 check -c "$PLAN" --state-dir "$state"
grep -q "^FAIL  Target location: $TARGET_LOCATION is not empty" "$out" || { cat "$out"; fail "non-empty target accepted"; }
rm -rf "$TARGET_LOCATION"
pass_step "non-empty target location fails"

# --- a second migration holds the lock ----------------------------------------------------------
mkdir -p "$TEST_TMP/busy"
( sh -c 'echo $$ >"$1"; exec flock "$1" sleep 30' sh "$TEST_TMP/busy/lock" ) &
holder=$!
at_exit "kill $holder 2>/dev/null || true"
# Wait until the pid is written and the lock is really held.
i=0
while ! { [ -s "$TEST_TMP/busy/lock" ] && ! flock -n "$TEST_TMP/busy/lock" true; }; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "the lock holder did not start"
    sleep 0.1
done
check_status 1 check -c "$PLAN" --state-dir "$TEST_TMP/busy"
grep -q "^FAIL  No other migration running: immich-migrate (pid $holder) holds" "$out" ||
    { cat "$out"; fail "lock not detected"; }
# A lock file whose pid lives but holds no lock is stale (pid reused): not a failure.
mkdir -p "$TEST_TMP/stale"
echo $$ >"$TEST_TMP/stale/lock"
check_status 0 check -c "$PLAN" --state-dir "$TEST_TMP/stale"
pass_step "a running migration's lock fails the check, a stale one does not"

# --- the database container is down ----------------------------------------------------------
"$DOCKER" stop immich_postgres >/dev/null
check_status 1 check -c "$PLAN" --state-dir "$state"
grep -q "^FAIL  Docker containers: immich_postgres is not running" "$out" || { cat "$out"; fail "stopped db not detected"; }
"$DOCKER" start immich_postgres >/dev/null
pass_step "stopped database container fails"

# --- the old schema: relative "upload/..." paths, mapped through the mount ---------------------
"$SANDBOX_TOOL" destroy "$sb"
sandbox_create "$sb" --schema old --dangling --mount /usr/src/app/upload
check_status 0 check -c "$PLAN" --state-dir "$TEST_TMP/old"
case $DANGLING_PATH in upload/*) ;; *) fail "old-schema dangling path is not relative: $DANGLING_PATH" ;; esac
printf '%s\t%s\t%s\n' "${DANGLING_PATH#upload/}" "$DANGLING_PATH" "$UPLOAD_LOCATION/${DANGLING_PATH#upload/}" \
    >"$TEST_TMP/want"
grep -v '^#' "$TEST_TMP/old/dangling-paths" | diff "$TEST_TMP/want" - || fail "old-schema dangling entry"
grep -q "^PASS  Immich version: Docker runs $IMMICH_VERSION" "$out" || fail "old-schema version"
pass_step "old schema: relative paths mapped, dangling file found"

expect_status 2 "$IMMICH_MIGRATE" check
expect_status 0 "$IMMICH_MIGRATE" check --help
