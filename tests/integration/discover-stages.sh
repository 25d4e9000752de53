#!/bin/sh
# The Docker and systemd stages against the sandbox's stand-ins: the exact calls, in order;
# the database container never stopped; rollback; the NixOS snippet; start and the ping;
# a failed pre-flight check stops a batch run before anything changes.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need cut grep

sb=$TEST_TMP/sb
sandbox_create "$sb"
runner=$top_builddir/tests/integration/discover-run-stage
state=$TEST_TMP/state
out=$TEST_TMP/out
errf=$TEST_TMP/err

# run_stages N STEP...: runs the steps in one process, asserts the exit status.
run_stages() {
    want=$1; shift
    set +e; "$runner" -c "$PLAN" -s "$state" "$@" >"$out" 2>"$errf"; got=$?; set -e
    [ "$got" = "$want" ] || { cat "$out" "$errf"; fail "expected exit $want, got $got: $*"; }
}
# calls: the calls.log lines, tab-separated fields joined by blanks.
calls() { tr '\t' ' ' <"$CALLS_LOG"; }
container_state() { "$DOCKER" inspect --format '{{.State.Status}}' "$1"; }

# --- discover hands the mounts and versions to later stages --------------------------------
run_stages 0 discover artifacts
assert_contains "$out" "upload_mount=$MOUNT"
assert_contains "$out" "external_mounts=$EXTERNAL_MOUNT=$EXTERNAL_LOCATION"
assert_contains "$out" "source_version=$IMMICH_VERSION"
assert_contains "$out" "dangling_paths_file=$state/dangling-paths"
grep -q '^source_extensions=.*earthdistance' "$out" || fail "source extensions: $(cat "$out")"
pass_step "discover sets the artifacts"

# --- stop: exact calls, db untouched; already stopped is fine ------------------------------
: >"$CALLS_LOG"
run_stages 0 stop_docker
cat >"$TEST_TMP/want" <<EOW
docker stop immich_server immich_machine_learning
docker inspect immich_server
docker inspect immich_machine_learning
EOW
calls | diff "$TEST_TMP/want" - || fail "stop_docker calls differ"
[ "$(container_state immich_server)" = exited ] || fail "server still running"
[ "$(container_state immich_machine_learning)" = exited ] || fail "ml still running"
[ "$(container_state immich_postgres)" = running ] || fail "db container stopped"
: >"$CALLS_LOG"
run_stages 0 stop_docker
calls | diff "$TEST_TMP/want" - || fail "second stop_docker calls differ"
pass_step "stop_docker stops server and ml only, twice"

# --- rollback restarts exactly those two --------------------------------------------------
: >"$CALLS_LOG"
run_stages 0 rollback
echo "docker start immich_server immich_machine_learning" >"$TEST_TMP/want"
calls | diff "$TEST_TMP/want" - || fail "rollback calls differ"
[ "$(container_state immich_server)" = running ] || fail "rollback did not start the server"
[ "$(container_state immich_machine_learning)" = running ] || fail "rollback did not start ml"
pass_step "rollback starts the containers again"

# --- a docker error is a failure with docker's message ---------------------------------------
sed 's/^ml_container = .*/ml_container = no_such_ml/' "$PLAN" >"$TEST_TMP/plan-badml"
set +e; "$runner" -c "$TEST_TMP/plan-badml" -s "$state" stop_docker >"$out" 2>"$errf"; rc=$?; set -e
[ $rc = 1 ] || fail "stop with an unknown container: exit $rc"
assert_contains "$errf" "No such container: no_such_ml"
"$DOCKER" start immich_server >/dev/null
pass_step "docker errors are reported"

# --- nixos: snippet, wait for the unit, stop both units, target checks --------------------
: >"$CALLS_LOG"
run_stages 0 nixos
assert_contains "$errf" "mediaLocation = \"$TARGET_LOCATION\";"
assert_contains "$errf" "database.enableVectorChord = true;"
assert_contains "$errf" "port = $IMMICH_PORT;"
if [ "$MEDIA_OWNER" != immich:immich ]; then
    assert_contains "$errf" "user = \"${MEDIA_OWNER%%:*}\";"
    assert_contains "$errf" "group = \"${MEDIA_OWNER#*:}\";"
fi
cat >"$TEST_TMP/want" <<EOW
systemctl show immich-server.service -p LoadState
systemctl stop immich-server.service immich-machine-learning.service
EOW
calls | grep -v '^docker' | head -n 2 | diff "$TEST_TMP/want" - || fail "nixos calls differ"
assert_contains "$errf" "PASS Immich version"
if calls | grep -q '^docker stop'; then fail "nixos touched docker"; fi
pass_step "nixos shows the snippet and stops the units"

# The vector extension follows the dump's extensions (set by the fix-up stage).
"$runner" -n -c "$PLAN" -s "$state" set:dump_extensions=cube,earthdistance,vectors nixos >"$out" 2>"$errf"
assert_contains "$out" "database.enableVectors = true;"
assert_contains "$out" "database.enableVectorChord = false;"
"$runner" -n -c "$PLAN" -s "$state" set:dump_extensions=vchord,vector,vectors nixos >"$out" 2>"$errf"
assert_contains "$out" "database.enableVectors = true;"
assert_contains "$out" "database.enableVectorChord = true;"
"$runner" -n -c "$PLAN" -s "$state" set:dump_extensions=cube,vector,vchord nixos >"$out" 2>"$errf"
assert_contains "$out" "database.enableVectors = false;"
assert_contains "$out" "database.enableVectorChord = true;"
assert_not_contains "$out" "DB_VECTOR_EXTENSION"
# pgvector alone: the module has it only with VectorChord; Immich stays on pgvector
"$runner" -n -c "$PLAN" -s "$state" set:dump_extensions=cube,vector nixos >"$out" 2>"$errf"
assert_contains "$out" "database.enableVectors = false;"
assert_contains "$out" "database.enableVectorChord = true;"
assert_contains "$out" 'environment.DB_VECTOR_EXTENSION = "pgvector";'
pass_step "the snippet enables the vector extension the dump needs"

# The units appear with an older Immich: the stage fails before the import.
IMMICH_SANDBOX_NIX_VERSION=1.0.0; export IMMICH_SANDBOX_NIX_VERSION
run_stages 1 discover nixos
assert_contains "$errf" "FAILED discover"
run_stages 1 nixos
assert_contains "$errf" "FAIL Immich version: Docker runs $IMMICH_VERSION, NixOS has 1.0.0"
assert_contains "$errf" "the database was not touched"
unset IMMICH_SANDBOX_NIX_VERSION
pass_step "nixos re-checks the version once the units exist"

# The user has not switched yet: the units do not exist. A wrapper around the stand-in hides
# them until a flag file appears (the "nixos-rebuild switch").
cat >"$TEST_TMP/systemctl-before-switch" <<EOW
#!/bin/sh
if [ ! -e "$TEST_TMP/switched" ] && [ "\$1" = show ]; then echo LoadState=not-found; exit 0; fi
exec "$SYSTEMCTL" "\$@"
EOW
chmod 755 "$TEST_TMP/systemctl-before-switch"
sed "s|^systemctl_command = .*|systemctl_command = $TEST_TMP/systemctl-before-switch|" "$PLAN" >"$TEST_TMP/plan-unswitched"
IMMICH_MIGRATE_WAIT_TIMEOUT=1; export IMMICH_MIGRATE_WAIT_TIMEOUT
set +e; "$runner" -c "$TEST_TMP/plan-unswitched" -s "$state" nixos >"$out" 2>"$errf"; rc=$?; set -e
[ $rc = 1 ] || fail "nixos without units: exit $rc"
assert_contains "$errf" "immich-server.service did not appear within 1 s"
IMMICH_MIGRATE_WAIT_TIMEOUT=30
: >"$CALLS_LOG"
"$runner" -c "$TEST_TMP/plan-unswitched" -s "$state" nixos >"$out" 2>"$errf" &
waiter=$!
sleep 1
if calls | grep -q 'systemctl stop'; then fail "units stopped before they existed"; fi
touch "$TEST_TMP/switched"
wait "$waiter" || { cat "$errf"; fail "nixos did not finish after the switch"; }
calls | grep -q '^systemctl stop immich-server.service immich-machine-learning.service$' ||
    fail "units not stopped after the switch"
unset IMMICH_MIGRATE_WAIT_TIMEOUT
pass_step "nixos waits for the units to appear"

# --- start: exact calls, ping answered -------------------------------------------------------
: >"$CALLS_LOG"
run_stages 0 start
cat >"$TEST_TMP/want" <<EOW
systemctl show immich-server.service -p Environment
systemctl start immich-server.service immich-machine-learning.service
systemctl show immich-server.service -p ActiveState,SubState,NRestarts
systemctl show immich-machine-learning.service -p ActiveState,SubState,NRestarts
EOW
calls | head -n 4 | diff "$TEST_TMP/want" - || fail "start calls differ"
assert_contains "$errf" "Immich answers at $IMMICH_URL"
"$SYSTEMCTL" stop immich-server.service immich-machine-learning.service
pass_step "start waits for the ping"

# --- ping timeout: the server starts too slowly ------------------------------------------------
IMMICH_SANDBOX_STARTUP_DELAY=30 IMMICH_MIGRATE_WAIT_TIMEOUT=2
export IMMICH_SANDBOX_STARTUP_DELAY IMMICH_MIGRATE_WAIT_TIMEOUT
t0=$(date +%s)
run_stages 1 start
t1=$(date +%s)
assert_contains "$errf" "Immich did not answer GET $IMMICH_URL/api/server/ping within 2 s"
[ $((t1 - t0)) -lt 20 ] || fail "the timeout took $((t1 - t0)) s"
unset IMMICH_SANDBOX_STARTUP_DELAY IMMICH_MIGRATE_WAIT_TIMEOUT
"$SYSTEMCTL" stop immich-server.service immich-machine-learning.service
pass_step "ping timeout fails the start stage"

# A unit that fails to start
IMMICH_SANDBOX_FAIL_START=immich-server.service; export IMMICH_SANDBOX_FAIL_START
run_stages 1 start
assert_contains "$errf" "systemctl start failed"
unset IMMICH_SANDBOX_FAIL_START
pass_step "a unit that fails to start fails the stage"

# --- a failed check stops the whole run before anything changes ------------------------------
: >"$CALLS_LOG"
set +e
IMMICH_SANDBOX_NIX_VERSION=1.0.0 "$IMMICH_MIGRATE" --batch --yes -c "$PLAN" \
    --state-dir "$TEST_TMP/batch" >"$out" 2>"$errf"
rc=$?
set -e
[ $rc != 0 ] || fail "batch run succeeded despite a failed check"
assert_contains "$errf" "pre-flight check failed"
cut -f1,2 "$CALLS_LOG" | sort -u | tr '\t' ' ' >"$TEST_TMP/verbs"
printf 'docker exec\ndocker inspect\nsystemctl show\n' | diff - "$TEST_TMP/verbs" ||
    fail "a failed check still changed something"
[ ! -e "$TARGET_LOCATION" ] || fail "target location created"
[ -z "$(ls -A "$BACKUP_DIR")" ] || fail "backup dir written"
[ "$(container_state immich_server)" = running ] || fail "server stopped"
if grep -rqF -- "$SRC_DB_PASSWORD" "$TEST_TMP/batch"; then fail "DB_PASSWORD in the state dir"; fi
if grep -qF -- "$SRC_DB_PASSWORD" "$errf"; then fail "DB_PASSWORD on stderr"; fi
pass_step "a failed check stops the run before anything changes"

# --- dry run: the preview lists the commands, runs no stop/start ---------------------------
: >"$CALLS_LOG"
"$runner" -n -c "$PLAN" -s "$state" stop_docker start >"$out" 2>"$errf"
assert_contains "$out" "$DOCKER stop immich_server immich_machine_learning"
assert_contains "$out" "$SYSTEMCTL start immich-server.service immich-machine-learning.service"
[ ! -s "$CALLS_LOG" ] || { cat "$CALLS_LOG"; fail "dry run ran commands"; }
pass_step "dry run only describes"

# The whole dry run shows the checks' results and changes nothing.
: >"$CALLS_LOG"
"$IMMICH_MIGRATE" --dry-run -c "$PLAN" --state-dir "$TEST_TMP/dry" >"$out" 2>"$errf"
assert_contains "$out" "PASS  Immich version: Docker runs $IMMICH_VERSION, NixOS has $IMMICH_VERSION"
assert_contains "$out" "services.immich = {"
cut -f1,2 "$CALLS_LOG" | sort -u | tr '\t' ' ' >"$TEST_TMP/verbs"
printf 'docker exec\ndocker inspect\nsystemctl show\n' | diff - "$TEST_TMP/verbs" ||
    fail "the dry run made changing calls"
[ ! -e "$TEST_TMP/dry" ] || fail "the dry run created the state dir"
pass_step "dry run prints the checks"

# --- a library mounted at /data, no external library ------------------------------------------
"$SANDBOX_TOOL" destroy "$sb"
sandbox_create "$sb" --mount /data --no-external
run_stages 0 discover artifacts
assert_contains "$out" "upload_mount=/data"
grep -qx 'external_mounts=' "$out" || fail "external mounts found where there are none: $(cat "$out")"
pass_step "the /data mount is the library"
