#!/bin/sh
# The stand-in docker: ps, inspect (checked as JSON by PostgreSQL), stop/start, exec of the real
# pg_dump/psql against the source server, -t behaviour, failure injection, and calls.log.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"

sb=$TEST_TMP/sb
sandbox_create "$sb" --assets 5 --bytes-per-file 10
: >"$CALLS_LOG"

"$DOCKER" ps -a --format '{{.Names}}' >"$TEST_TMP/ps"
for c in immich_server immich_machine_learning immich_redis immich_postgres; do
    grep -qx "$c" "$TEST_TMP/ps" || fail "docker ps lacks $c"
done
pass_step "ps"

"$DOCKER" inspect immich_server immich_postgres >"$TEST_TMP/inspect.json" || fail "inspect failed"
# psql interpolates :'doc' only in SQL read from stdin or a file, not in -c.
q() { printf '%s;\n' "$1" | sb_psql "$SRC_HOST" postgres -At -v doc="$(cat "$TEST_TMP/inspect.json")"; }
[ "$(q "SELECT jsonb_array_length(:'doc'::jsonb)")" = 2 ] || fail "inspect did not return 2 objects"
[ "$(q "SELECT :'doc'::jsonb->0->>'Name'")" = /immich_server ] || fail "inspect Name"
[ "$(q "SELECT :'doc'::jsonb->0->'State'->>'Running'")" = true ] || fail "inspect State.Running"
[ "$(q "SELECT :'doc'::jsonb->0->'Config'->>'Image'")" = "ghcr.io/immich-app/immich-server:v$IMMICH_VERSION" ] ||
    fail "inspect Config.Image"
[ "$(q "SELECT :'doc'::jsonb->0->'Config'->'Labels'->>'com.docker.compose.project.working_dir'")" = "$COMPOSE_DIR" ] ||
    fail "inspect working_dir label"
[ "$(q "SELECT :'doc'::jsonb->0->'Config'->'Labels'->>'com.docker.compose.project.config_files'")" = "$COMPOSE_DIR/docker-compose.yml" ] ||
    fail "inspect config_files label"
[ "$(q "SELECT m->>'Source' FROM jsonb_array_elements(:'doc'::jsonb->0->'Mounts') m WHERE m->>'Destination' = '/mnt/photos'")" = "$EXTERNAL_LOCATION" ] ||
    fail "inspect lacks the external library mount"
[ "$(q "SELECT m->>'RW' FROM jsonb_array_elements(:'doc'::jsonb->0->'Mounts') m WHERE m->>'Destination' = '$MOUNT'")" = true ] ||
    fail "inspect upload mount is not RW"
expect_status 1 "$DOCKER" inspect no_such_container 2>"$TEST_TMP/err" >/dev/null
assert_contains "$TEST_TMP/err" "No such object: no_such_container"
pass_step "inspect"

# exec pg_dump: the same dump as pg_dump run directly (apart from the random \restrict key).
"$DOCKER" exec -i -u postgres immich_postgres pg_dump -U postgres -d immich | grep -v '^\\\(un\)\{0,1\}restrict' >"$TEST_TMP/via-docker.sql"
"$PG_BINDIR/pg_dump" -h "$SRC_HOST" -p 5432 -U postgres -d immich | grep -v '^\\\(un\)\{0,1\}restrict' >"$TEST_TMP/direct.sql"
cmp -s "$TEST_TMP/via-docker.sql" "$TEST_TMP/direct.sql" || fail "docker exec pg_dump differs from pg_dump"
assert_contains "$TEST_TMP/via-docker.sql" 'CREATE TABLE public.asset ('
[ "$(printf 'SELECT count(*) FROM asset;\n' | "$DOCKER" exec -i immich_postgres psql -U postgres -d immich -At)" = 5 ] ||
    fail "docker exec -i psql with SQL on stdin"
# Like the real container: without -U/-u the libpq user is root, which has no role.
expect_status 2 "$DOCKER" exec immich_postgres psql -d immich -c 'SELECT 1' 2>"$TEST_TMP/err" >/dev/null
assert_contains "$TEST_TMP/err" 'role "root" does not exist'
# -t: a terminal mixes stderr in and ends lines with CR LF (why the guide's -t breaks dumps).
"$DOCKER" exec -t immich_postgres pg_dump -U postgres -d immich >"$TEST_TMP/tty.sql"
[ "$(grep -c "$(printf '\r')\$" "$TEST_TMP/tty.sql")" -gt 10 ] || fail "-t output has no CR LF line ends"
expect_status 126 "$DOCKER" exec immich_postgres rm -rf / 2>/dev/null
pass_step "exec"

# Failure injection: from the environment and from DIR/faults.env.
expect_status 1 env IMMICH_SANDBOX_FAIL_PG_DUMP=1 "$DOCKER" exec immich_postgres pg_dump -U postgres -d immich 2>/dev/null >/dev/null
[ "$(IMMICH_SANDBOX_TRUNCATE_DUMP=100 "$DOCKER" exec immich_postgres pg_dumpall -U postgres | wc -c)" = 100 ] ||
    fail "truncated dump is not 100 bytes"
echo IMMICH_SANDBOX_FAIL_PG_DUMP=1 >"$sb/faults.env"
expect_status 1 "$DOCKER" exec immich_postgres pg_dumpall -U postgres 2>/dev/null >/dev/null
rm "$sb/faults.env"
pass_step "failure injection"

# stop/start: state, and the database container really stops the source server.
[ "$("$DOCKER" stop immich_server immich_machine_learning)" = "$(printf 'immich_server\nimmich_machine_learning')" ] ||
    fail "docker stop does not print the names"
[ "$("$DOCKER" inspect -f '{{.State.Status}}' immich_server)" = exited ] || fail "server not exited after stop"
"$DOCKER" ps --format '{{.Names}}' | grep -qx immich_server && fail "stopped container in docker ps"
expect_status 1 "$DOCKER" exec immich_server true 2>/dev/null
expect_status 1 "$DOCKER" stop immich_nope 2>"$TEST_TMP/err" >/dev/null
assert_contains "$TEST_TMP/err" "Error response from daemon: No such container: immich_nope"
"$DOCKER" stop immich_postgres >/dev/null
expect_status 1 "$DOCKER" exec immich_postgres pg_dump -U postgres -d immich 2>/dev/null >/dev/null
expect_status 2 sb_psql "$SRC_HOST" immich -c 'SELECT 1' 2>/dev/null
"$DOCKER" start immich_postgres immich_server >/dev/null
[ "$(sb_psql "$SRC_HOST" immich -At -c 'SELECT 1')" = 1 ] || fail "source server not back after docker start"
"$DOCKER" exec immich_server true || fail "exec in a running server container"
pass_step "stop/start"

"$DOCKER" logs --tail 1 immich_postgres | grep -q 'ready to accept connections' || fail "docker logs"
expect_status 1 "$DOCKER" logs immich_nope 2>/dev/null
pass_step "logs"

# The calls were recorded in order, tab-separated.
head -n 1 "$CALLS_LOG" | grep -qx "$(printf 'docker\tps\t-a\t--format\t{{.Names}}')" || fail "first call: $(head -n 1 "$CALLS_LOG")"
grep -n "$(printf '^docker\tstop\t')" "$CALLS_LOG" | head -n 1 | cut -d: -f1 >"$TEST_TMP/stop_line"
grep -n "$(printf '^docker\tstart\timmich_postgres\timmich_server$')" "$CALLS_LOG" | cut -d: -f1 >"$TEST_TMP/start_line"
[ -s "$TEST_TMP/start_line" ] || fail "docker start not recorded"
[ "$(cat "$TEST_TMP/stop_line")" -lt "$(cat "$TEST_TMP/start_line")" ] || fail "stop not recorded before start"
grep -q "$(printf '^docker\texec\t-i\t-u\tpostgres\timmich_postgres\tpg_dump\t-U\tpostgres\t-d\timmich$')" "$CALLS_LOG" ||
    fail "exec pg_dump call not recorded verbatim"
pass_step "calls.log"
