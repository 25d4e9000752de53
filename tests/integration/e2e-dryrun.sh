#!/bin/bash
# --dry-run on the sandbox (issue 7): prints the complete plan (every setting, every stage with
# its exact commands and SQL) and changes nothing: no state directory, no library copy, no
# backup, the target database dumps the same before and after, and the stand-ins were asked
# nothing that changes anything (the discover stage may run its read-only checks: docker
# inspect, psql SELECTs, systemctl show). A password in the target DSN and the sandbox's
# DB_PASSWORD appear nowhere in the output.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 8
state="$TEST_TMP/state"
conf="$TEST_TMP/plan.conf"
secret="dsn-secret-$$"
# The sandbox's plan with a password in the DSN (trust auth ignores it).
sed "s|^target_dsn = .*|target_dsn = \"host=$DST_HOST port=5432 user=postgres password=$secret\"|" \
    "$PLAN" >"$conf"
grep -q "password=$secret" "$conf" || fail "could not put a password into the plan"

e2e_target_dump "$TEST_TMP/before.dump"
e2e_tree_list "$UPLOAD_LOCATION" >"$TEST_TMP/before.list"
cp "$CALLS_LOG" "$TEST_TMP/calls.before"

"$IMMICH_MIGRATE" --dry-run -c "$conf" --state-dir "$state" >"$TEST_TMP/out" 2>"$TEST_TMP/err" ||
    { cat "$TEST_TMP/err"; fail "--dry-run failed"; }
out="$TEST_TMP/out"

# Every plan key with its value and where it came from.
for key in compose_dir upload_location target_location server_container ml_container \
    db_container db_username db_database_name docker_command systemctl_command \
    journalctl_command backup_dir target_dsn target_db_name target_db_owner media_owner; do
    grep -q "^- $key = " "$out" || { cat "$out"; fail "the plan lacks $key"; }
done
assert_contains "$out" "- compose_dir = \"$COMPOSE_DIR\" (config file"
assert_contains "$out" "- media_owner = \"$MEDIA_OWNER\""
pass_step "the plan lists every setting with its source"

# Every stage of the guide, numbered, in order.
titles=("Discover" "Pre-copy library" "Stop Docker" "Back up library" "Verify backup" "Dump database" "Fix up dump"
        "Configure NixOS" "Prepare database" "Import dump" "Copy library" "Set owner"
        "Start Immich" "Verify")
grep '^## [0-9]*\. ' "$out" >"$TEST_TMP/headings"
[ "$(wc -l <"$TEST_TMP/headings")" = ${#titles[@]} ] || { cat "$TEST_TMP/headings"; fail "expected ${#titles[@]} stages"; }
i=0
while IFS= read -r h; do
    case $h in "## $((i + 1)). ${titles[$i]}"*) ;; *) fail "stage $((i + 1)) is \"$h\", expected ${titles[$i]}" ;; esac
    i=$((i + 1))
done <"$TEST_TMP/headings"
grep -q '^## 9\. Prepare database (destructive' "$out" || fail "prepare-db is not marked destructive"
pass_step "all ${#titles[@]} stages in the guide's order"

# The exact commands, with the sandbox's programs and container names.
expect_line() { grep -qxF -- "$1" "$out" || { cat "$out"; fail "the plan lacks the line: $1"; }; }
expect_text() { grep -qF -- "$1" "$out" || { cat "$out"; fail "the plan lacks: $1"; }; }
expect_line "$DOCKER inspect immich_server"
expect_line "$DOCKER inspect immich_postgres"
expect_line "$DOCKER stop immich_server immich_machine_learning"
expect_text "$DOCKER exec immich_postgres pg_dump --username=postgres --dbname=immich | zstd > $BACKUP_DIR/immich-"
expect_text "immich-migrate backup $UPLOAD_LOCATION $BACKUP_DIR/immich-library-"
expect_text "immich-migrate fixup --target $TARGET_LOCATION --map '$MOUNT=$TARGET_LOCATION'"
expect_line "$SYSTEMCTL stop immich-server.service immich-machine-learning.service"
expect_line "$SYSTEMCTL start immich-server.service immich-machine-learning.service"
expect_text "mediaLocation = \"$TARGET_LOCATION\";"
# the pre-copy also writes the base archive from its reading, and reads it back
expect_text "immich-migrate copy --record $state/library-copy.record --live --archive $BACKUP_DIR/immich-library-base-"
grep -F -- "--archive $BACKUP_DIR/immich-library-base-" "$out" | grep -qF -- ".tar.zst $UPLOAD_LOCATION $TARGET_LOCATION" ||
    { cat "$out"; fail "the pre-copy's command does not end with the base archive, the library, the target"; }
expect_text "immich-migrate verify-backup $BACKUP_DIR/immich-library-base-"
expect_line "immich-migrate copy --record $state/library-copy.record $UPLOAD_LOCATION $TARGET_LOCATION"
expect_text "immich-migrate chown $TARGET_LOCATION $MEDIA_OWNER"
expect_text "GET $IMMICH_URL/api/server/ping"
expect_text "$JOURNALCTL -u immich-server.service"
pass_step "docker, pg_dump, systemctl, journalctl and file commands shown exactly"

# The prepare-db SQL, statement by statement.
expect_line "DROP SCHEMA IF EXISTS public CASCADE;"
expect_line "CREATE SCHEMA public AUTHORIZATION pg_database_owner;"
expect_line "COMMENT ON SCHEMA public IS 'standard public schema';"
expect_line "GRANT USAGE ON SCHEMA public TO PUBLIC;"
expect_line "ALTER SCHEMA public OWNER TO $DST_OWNER;"
expect_text "BEGIN; run every statement of the dump"
expect_line "ANALYZE"
pass_step "prepare-db and import SQL shown"

# No secret anywhere in what was printed.
for f in "$out" "$TEST_TMP/err"; do
    assert_not_contains "$f" "$secret"
    assert_not_contains "$f" "$SRC_DB_PASSWORD"
done
pass_step "no password in the dry run's output"

# The estimate (issue 12): a line per step that takes time, and the downtime, in human units
human='([0-9]+\.[0-9] s|[0-9]+ s|[0-9]+ min [0-9]{2} s|[0-9]+ h [0-9]{2} min)'
for t in "Pre-copy library" "Stop Docker" "Back up library" "Verify backup" "Dump database" "Fix up dump" \
    "Import dump" "Copy library" "Set owner" "Configure NixOS" "Start Immich"; do
    grep -qE "^  $t: about $human\$" "$out" || { cat "$out"; fail "no estimate line for $t"; }
done
down=$(grep -E "^  Immich down \(Stop Docker to Start Immich\): about $human\$" "$out") ||
    { cat "$out"; fail "no estimated downtime"; }
case $down in *"about 0.0 s") fail "the estimated downtime is zero: $down" ;; esac
grep -qE "^  Rates: read [0-9.]+ [KMG]iB/s \(measured\), write " "$out" ||
    { grep -A3 "Rates" "$out"; fail "the read rate was not measured"; }
grep -qE "^PASS  Time estimate: Immich down about $human" "$out" || fail "no Time estimate among the checks"
pass_step "estimate: a line per step, the downtime ($down), measured read rate"

# Nothing changed.
[ ! -e "$state" ] || fail "the dry run created the state directory $state"
[ ! -e "$TARGET_LOCATION" ] || fail "the dry run created $TARGET_LOCATION"
[ -z "$(ls -A "$BACKUP_DIR")" ] || { ls -la "$BACKUP_DIR"; fail "the dry run wrote into $BACKUP_DIR"; }
e2e_target_dump "$TEST_TMP/after.dump"
cmp -s "$TEST_TMP/before.dump" "$TEST_TMP/after.dump" || fail "the target database changed"
e2e_tree_list "$UPLOAD_LOCATION" >"$TEST_TMP/after.list"
cmp -s "$TEST_TMP/before.list" "$TEST_TMP/after.list" || fail "the Docker library changed"
# Only read-only calls to the stand-ins.
tail -n +$(( $(wc -l <"$TEST_TMP/calls.before") + 1 )) "$CALLS_LOG" >"$TEST_TMP/calls.new"
while IFS=$'\t' read -r tool verb rest; do
    case "$tool $verb" in
        "docker inspect" | "docker ps" | "systemctl show" | "systemctl is-active") ;;
        "docker exec")
            case $rest in
                *$'\t'psql$'\t'*) ;;
                *) fail "the dry run ran docker exec $rest" ;;
            esac
            printf '%s' "$rest" | grep -qiE 'insert|update|delete|drop|create|alter|truncate' &&
                fail "the dry run ran SQL that changes something: $rest"
            ;;
        *) fail "the dry run called: $tool $verb $rest" ;;
    esac
done <"$TEST_TMP/calls.new"
for c in immich_server immich_machine_learning immich_postgres; do
    [ "$(cat "$sb/state/containers/$c")" = running ] || fail "container $c is no longer running"
done
pass_step "nothing changed: state, library, backup dir, target database, containers"
