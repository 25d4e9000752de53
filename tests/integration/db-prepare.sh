#!/bin/sh
# prepare-db: refuses when the server lacks an extension the dump needs (nothing dropped),
# refuses a non-empty target without confirmation, shows only SQL in a dry run, empties and
# prepares the target with --yes, and as root works through the OS user postgres against a
# peer-authenticated server (what `sudo -u postgres psql` does).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
. "$top_srcdir/tests/integration/db-lib.sh"
need psql pg_dump runuser

pg_start SRC
db_make_source SRC immich new >/dev/null
pg_dump -h "$SRC_HOST" -p 5432 -U postgres immich >"$TEST_TMP/dump.sql"
# A dump that needs pgvecto.rs, which Debian's PostgreSQL does not have.
sed 's/^CREATE EXTENSION IF NOT EXISTS cube /CREATE EXTENSION IF NOT EXISTS vectors WITH SCHEMA vectors;\n&/' \
    "$TEST_TMP/dump.sql" >"$TEST_TMP/vectors.sql"
grep -q '^CREATE EXTENSION IF NOT EXISTS vectors' "$TEST_TMP/vectors.sql" || fail "test dump lacks vectors"

write_conf() { # FILE HOST
    cat >"$1" <<CONF
target_dsn = "host=$2 port=5432 user=postgres"
target_db_name = immich
target_db_owner = immich
CONF
}

# --- a trust server holding an earlier import (non-empty) ---
pg_start DST
psql_on DST -d postgres -c "CREATE ROLE immich LOGIN" -c "CREATE DATABASE immich OWNER immich"
db_fixture_sql new | psql_on DST -d immich -f - >/dev/null
write_conf "$TEST_TMP/dst.conf" "$DST_HOST"
tables() { psql_on DST -At -d immich -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"; }
before=$(tables)
[ "$before" -gt 5 ] || fail "fixture target has only $before tables"

expect_status 1 "$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/dst.conf" --dump "$TEST_TMP/vectors.sql" --yes \
    </dev/null 2>"$TEST_TMP/vec.err"
assert_contains "$TEST_TMP/vec.err" "lacks extensions the dump needs: vectors"
assert_contains "$TEST_TMP/vec.err" "services.immich.database.enableVectors"
assert_not_contains "$TEST_TMP/vec.err" "DROP SCHEMA"
[ "$(tables)" = "$before" ] || fail "tables dropped although an extension is missing"
pass_step "missing extension: refused, nothing dropped"

# The vector extension the dump really uses, and its NixOS setting. This lab's server may have
# pgvector: a view ahead of pg_catalog on prepare-db's search_path hides 'vector' from it.
psql_on DST -d immich -c "CREATE SCHEMA hide" -c "CREATE VIEW hide.pg_available_extensions AS
    SELECT * FROM pg_catalog.pg_available_extensions WHERE name <> 'vector'"
sed "s/^\\(target_dsn = .*\\)\"$/\\1 options='-c search_path=hide,pg_catalog'\"/" "$TEST_TMP/dst.conf" >"$TEST_TMP/hide.conf"
grep -q "search_path=hide" "$TEST_TMP/hide.conf" || fail "hide.conf lacks the search_path option"
add_ext() { # EXT... : the dump with CREATE EXTENSION lines for EXT added
    for e in "$@"; do printf 'CREATE EXTENSION IF NOT EXISTS %s WITH SCHEMA public;\n' "$e"; done
    cat "$TEST_TMP/dump.sql"
}
add_ext vector >"$TEST_TMP/pgvector.sql"
expect_status 1 "$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/hide.conf" --dump "$TEST_TMP/pgvector.sql" --yes \
    </dev/null 2>"$TEST_TMP/pgvector.err"
assert_contains "$TEST_TMP/pgvector.err" "lacks extensions the dump needs: vector"
assert_contains "$TEST_TMP/pgvector.err" "pgvector (extension 'vector' without 'vchord'"
assert_contains "$TEST_TMP/pgvector.err" 'services.immich.environment.DB_VECTOR_EXTENSION = "pgvector"'
assert_contains "$TEST_TMP/pgvector.err" "services.immich.database.enableVectorChord = true"
assert_not_contains "$TEST_TMP/pgvector.err" "VectorChord (extensions"
add_ext vector vchord >"$TEST_TMP/vchord.sql"
expect_status 1 "$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/hide.conf" --dump "$TEST_TMP/vchord.sql" --yes \
    </dev/null 2>"$TEST_TMP/vchord.err"
assert_contains "$TEST_TMP/vchord.err" "lacks extensions the dump needs: vector, vchord"
[ "$(grep -c "the dump uses VectorChord (extensions 'vchord' and 'vector')" "$TEST_TMP/vchord.err")" = 1 ] ||
    { cat "$TEST_TMP/vchord.err"; fail "VectorChord not explained exactly once"; }
assert_not_contains "$TEST_TMP/vchord.err" "pgvector ("
[ "$(tables)" = "$before" ] || fail "tables dropped although an extension is missing"
psql_on DST -d immich -c "DROP SCHEMA hide CASCADE"
pass_step "pgvector alone and VectorChord: each named, with its NixOS setting"

expect_status 1 "$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/dst.conf" --dump "$TEST_TMP/dump.sql" \
    </dev/null 2>"$TEST_TMP/noconf.err"
assert_contains "$TEST_TMP/noconf.err" "not confirmed"
assert_contains "$TEST_TMP/noconf.err" "holds $before tables"
[ "$(tables)" = "$before" ] || fail "tables dropped without confirmation"
pass_step "non-empty target: refused without confirmation"

"$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/dst.conf" --dump "$TEST_TMP/dump.sql" --dry-run \
    </dev/null 2>"$TEST_TMP/dry.err" || { cat "$TEST_TMP/dry.err"; fail "dry run failed"; }
assert_contains "$TEST_TMP/dry.err" "sql: DROP SCHEMA IF EXISTS public CASCADE"
assert_contains "$TEST_TMP/dry.err" 'sql: CREATE EXTENSION IF NOT EXISTS "earthdistance"'
[ "$(tables)" = "$before" ] || fail "the dry run changed the database"
pass_step "dry run: SQL shown, nothing changed"

check_prepared() { # PSQL-COMMAND...
    got=$("$@" -At -d immich -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    [ "$got" = 0 ] || fail "$got tables left after prepare-db"
    got=$("$@" -At -d immich -c "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'")
    [ "$got" = immich ] || fail "public is owned by $got"
    got=$("$@" -At -d immich -c "SELECT nspacl::text || ' ' || obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'public'")
    [ "$got" = "{immich=UC/immich,=U/immich} standard public schema" ] || fail "public has privileges and comment $got"
    got=$("$@" -At -d immich -c "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'")
    [ "$got" = "cube,earthdistance,pg_trgm,unaccent,uuid-ossp" ] || fail "extensions: $got"
}

"$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/dst.conf" --dump "$TEST_TMP/dump.sql" --yes </dev/null 2>"$TEST_TMP/yes.err" ||
    { cat "$TEST_TMP/yes.err"; fail "prepare-db --yes failed"; }
check_prepared psql -X -h "$DST_HOST" -p 5432 -U postgres
# Even a database without tables is not emptied without a typed confirmation.
psql_on DST -d immich -c "CREATE FUNCTION public.hand_made() RETURNS int LANGUAGE sql AS 'SELECT 1'" >/dev/null
expect_status 1 "$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/dst.conf" --dump "$TEST_TMP/dump.sql" </dev/null 2>"$TEST_TMP/empty.err"
assert_contains "$TEST_TMP/empty.err" "not confirmed"
[ "$(psql_on DST -At -d immich -c "SELECT count(*) FROM pg_proc WHERE proname = 'hand_made'")" = 1 ] ||
    fail "an unconfirmed prepare-db dropped the schema of a database without tables"
"$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/dst.conf" --dump "$TEST_TMP/dump.sql" --yes </dev/null 2>"$TEST_TMP/yes.err" ||
    { cat "$TEST_TMP/yes.err"; fail "prepare-db --yes failed"; }
check_prepared psql -X -h "$DST_HOST" -p 5432 -U postgres
"$IMMICH_MIGRATE" fixup --target /var/lib/immich "$TEST_TMP/dump.sql" "$TEST_TMP/fixed.sql" >/dev/null 2>&1 || fail "fixup failed"
psql_on DST -1 -d immich -f "$TEST_TMP/fixed.sql" >/dev/null || fail "the fixed dump does not import after prepare-db"
pass_step "--yes: schemas recreated (public with USAGE for PUBLIC and its comment), extensions created, public owned by immich, dump imports"

# --- as root through the OS user postgres, peer authentication ---
if [ "$(id -u)" != 0 ]; then
    printf 'NOTE: not root: the switch to the OS user postgres is not exercised; the direct path was.\n'
    exit 0
fi
pg_start PEER peer
as_pg() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$PEER_HOST" -p 5432 -U postgres "$@"; }
as_pg -d postgres -c "CREATE ROLE immich LOGIN" -c "CREATE DATABASE immich OWNER immich"
db_fixture_sql new | as_pg -d immich -f - >/dev/null
# root itself cannot get in: peer authentication maps OS user root to nothing
psql -X -h "$PEER_HOST" -p 5432 -U postgres -d immich -c 'SELECT 1' >/dev/null 2>&1 &&
    fail "root connected directly: the server is not using peer authentication"
write_conf "$TEST_TMP/peer.conf" "$PEER_HOST"
"$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/peer.conf" --dump "$TEST_TMP/dump.sql" --yes </dev/null 2>"$TEST_TMP/peer.err" ||
    { cat "$TEST_TMP/peer.err"; fail "prepare-db as root with peer authentication failed"; }
assert_contains "$TEST_TMP/peer.err" "as 'postgres'"
assert_contains "$TEST_TMP/peer.err" "sql: ALTER SCHEMA public OWNER TO"
check_prepared runuser -u postgres -- psql -X -h "$PEER_HOST" -p 5432 -U postgres
pass_step "root: the work ran as the OS user postgres (peer authentication)"
