#!/bin/sh
# prepare-db + import gives exactly the database a psql restore into a fresh database gives:
# the WHOLE pg_dump is compared (schema, data, owners, ACLs, the comment of schema public).
# The fresh database is what NixOS makes: CREATE DATABASE owned by immich, then the immich
# module's post-start SQL (extensions, ALTER SCHEMA public OWNER TO immich). The target of
# prepare-db held an earlier import and a public schema with its grant and comment changed.
# Two sources: a PostgreSQL 15 default public schema, and one like the Docker images'
# PostgreSQL 14 (public owned by postgres, CREATE for PUBLIC).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
. "$top_srcdir/tests/integration/db-lib.sh"
need psql pg_dump

pg_start SRC
pg_start DST
psql_on DST -d postgres -c "CREATE ROLE immich LOGIN"

# The whole dump, without the per-run \restrict keys.
whole_dump() { pg_dump -h "$DST_HOST" -p 5432 -U postgres "$1" | grep -v '^\\\(un\)\?restrict '; }
# The immich module's ExecStartPost SQL for a server without vector extensions.
module_sql() {
    printf 'CREATE EXTENSION IF NOT EXISTS "%s";\n' unaccent uuid-ossp cube earthdistance pg_trgm
    printf 'ALTER SCHEMA public OWNER TO immich;\n'
}
cat >"$TEST_TMP/plan.conf" <<CONF
target_dsn = "host=$DST_HOST port=5432 user=postgres"
target_db_name = migrated
target_db_owner = immich
target_location = /var/lib/immich
CONF

check_source() { # NAME SQL-RUN-ON-THE-SOURCE-BEFORE-THE-DUMP
    k=$1
    db_make_source SRC "src_$k" new >/dev/null
    psql_on SRC -d "src_$k" -c "$2" >/dev/null
    pg_dump -h "$SRC_HOST" -p 5432 -U postgres "src_$k" >"$TEST_TMP/$k.sql"
    "$IMMICH_MIGRATE" fixup -c "$TEST_TMP/plan.conf" --report "$TEST_TMP/$k.report" \
        "$TEST_TMP/$k.sql" "$TEST_TMP/$k-fixed.sql" || fail "$k: fixup failed"

    # the reference: psql restore into a fresh NixOS-made database
    psql_on DST -d postgres -c "CREATE DATABASE fresh OWNER immich"
    module_sql | psql_on DST -d fresh -f - >/dev/null
    psql_on DST -1 -d fresh -f "$TEST_TMP/$k-fixed.sql" >/dev/null 2>&1 || fail "$k: psql restore failed"
    whole_dump fresh >"$TEST_TMP/$k-fresh.txt"

    # prepare-db on a target that is anything but fresh, then the import
    psql_on DST -d postgres -c "CREATE DATABASE migrated OWNER immich"
    module_sql | psql_on DST -d migrated -f - >/dev/null
    db_fixture_sql old | psql_on DST -d migrated -f - >/dev/null 2>&1
    psql_on DST -d migrated -c "COMMENT ON SCHEMA public IS 'hand-made'" \
        -c "REVOKE ALL ON SCHEMA public FROM PUBLIC" -c "GRANT CREATE ON SCHEMA public TO PUBLIC"
    "$IMMICH_MIGRATE" prepare-db -c "$TEST_TMP/plan.conf" --dump "$TEST_TMP/$k-fixed.sql" --yes \
        </dev/null 2>"$TEST_TMP/$k-prepare.log" || { cat "$TEST_TMP/$k-prepare.log"; fail "$k: prepare-db failed"; }
    "$IMMICH_MIGRATE" import --dsn "host=$DST_HOST port=5432 user=postgres dbname=migrated" \
        "$TEST_TMP/$k-fixed.sql" 2>"$TEST_TMP/$k-import.log" || { cat "$TEST_TMP/$k-import.log"; fail "$k: import failed"; }
    whole_dump migrated >"$TEST_TMP/$k-migrated.txt"

    grep -q '^COPY public.asset ' "$TEST_TMP/$k-fresh.txt" || fail "$k: the reference dump has no data"
    diff -u "$TEST_TMP/$k-fresh.txt" "$TEST_TMP/$k-migrated.txt" ||
        fail "$k: prepare-db + import differs from a restore into a fresh database"
    got=$(psql_on DST -At -d migrated -c "SELECT nspacl::text || ' ' || obj_description(oid, 'pg_namespace')
        FROM pg_namespace WHERE nspname = 'public'")
    case $k in
    pg15) want='{immich=UC/immich,=U/immich} standard public schema' ;;
    pg14) want='{immich=UC/immich,=UC/immich} standard public schema' ;;
    esac
    [ "$got" = "$want" ] || fail "$k: schema public has '$got', not '$want'"
    psql_on DST -d postgres -c "DROP DATABASE fresh" -c "DROP DATABASE migrated"
    pass_step "$k: prepare-db + import equals a restore into a fresh database (whole pg_dump)"
}

check_source pg15 "SELECT 1"
check_source pg14 "ALTER SCHEMA public OWNER TO postgres; GRANT CREATE ON SCHEMA public TO PUBLIC"
assert_contains "$TEST_TMP/pg14-fixed.sql" "ALTER SCHEMA public OWNER TO immich;"

# What NixOS's post-start SQL adds to a bare CREATE DATABASE is only the owner of public.
psql_on DST -d postgres -c "CREATE DATABASE bare OWNER immich" -c "CREATE DATABASE nixos OWNER immich"
module_sql | psql_on DST -d nixos -f - >/dev/null
for d in bare nixos; do
    psql_on DST -1 -d "$d" -f "$TEST_TMP/pg15-fixed.sql" >/dev/null 2>&1 || fail "psql restore into $d failed"
    whole_dump "$d" >"$TEST_TMP/$d.txt"
done
diff "$TEST_TMP/bare.txt" "$TEST_TMP/nixos.txt" | grep '^[<>]' | grep -v '^[<>] *$' | grep -v '^[<>] --' \
    >"$TEST_TMP/bare-nixos.diff" || true
[ "$(cat "$TEST_TMP/bare-nixos.diff")" = "> ALTER SCHEMA public OWNER TO immich;" ] || { cat "$TEST_TMP/bare-nixos.diff"; fail "a bare database differs by more than the owner of public"; }
pass_step "a bare CREATE DATABASE differs only by the owner of public the module sets"
