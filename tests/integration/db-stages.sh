#!/bin/sh
# The stages dump -> fixup -> prepare_db as the wizard runs them (after discover and
# stop_docker), on sandboxes of both schema generations (the new one with its library mounted
# at /data), then `immich-migrate import`. The imported database must equal the source
# rewritten independently in SQL (regexp_replace), with every object owned by immich.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
. "$top_srcdir/tests/integration/db-lib.sh"
need psql pg_dump
runner=$top_builddir/tests/integration/discover-run-stage
[ -x "$runner" ] || fail "$runner is missing (built by make check)"

run_generation() { # NAME SANDBOX-OPTIONS...
    name=$1; shift
    sandbox_create "$TEST_TMP/$name" --assets 10 "$@"
    mkdir -p "$TEST_TMP/state-$name"
    "$runner" -c "$PLAN" -s "$TEST_TMP/state-$name" discover stop_docker dump fixup prepare_db \
        >"$TEST_TMP/$name.out" 2>&1 || { cat "$TEST_TMP/$name.out"; fail "stages failed ($name)"; }
    fixed=$(ls "$BACKUP_DIR"/*-nixos.sql)
    [ -f "$fixed.report.txt" ] || fail "no fixup report beside $fixed"
    "$IMMICH_MIGRATE" import --dsn "host=$DST_HOST port=5432 user=postgres dbname=immich" "$fixed" \
        2>"$TEST_TMP/$name-import.err" || { cat "$TEST_TMP/$name-import.err"; fail "import failed ($name)"; }

    # The expectation: the source restored, then rewritten by SQL.
    gen=new; [ "$SCHEMA" = old ] && gen=old
    # a fresh database as NixOS makes it (the module's post-start SQL gives public to immich):
    # prepare_db's reset gives public its grant and comment back
    sb_psql "$DST_HOST" postgres -c "CREATE DATABASE expect"
    sb_psql "$DST_HOST" expect -c "ALTER SCHEMA public OWNER TO immich"
    pg_dump -h "$SRC_HOST" -p 5432 -U postgres immich |
        sed "s/SELECT pg_catalog.set_config('search_path', '', false);/SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', true);/" |
        sb_psql "$DST_HOST" expect -1 -f - >/dev/null
    if [ "$gen" = old ]; then
        db_expect_updates old "$TARGET_LOCATION" | grep -v system_metadata
    else
        db_expect_updates new "$TARGET_LOCATION"
    fi >"$TEST_TMP/$name-updates.sql"
    { db_expect_sql "$TARGET_LOCATION" "$MOUNT=$TARGET_LOCATION" "$EXTERNAL_MOUNT=$EXTERNAL_LOCATION"
      cat "$TEST_TMP/$name-updates.sql"; } | sb_psql "$DST_HOST" expect -1 -f - >/dev/null
    db_canonical_dump "$DST_HOST" expect >"$TEST_TMP/$name-expect.txt"
    db_canonical_dump "$DST_HOST" immich >"$TEST_TMP/$name-got.txt"
    diff -u "$TEST_TMP/$name-expect.txt" "$TEST_TMP/$name-got.txt" >&2 || fail "imported database differs from the expectation ($name)"
    A=asset; [ "$gen" = old ] && A=assets
    left=$(sb_psql "$DST_HOST" immich -At -c "SELECT count(*) FROM $A WHERE \"originalPath\" NOT LIKE '$TARGET_LOCATION/%' AND \"originalPath\" NOT LIKE '$EXTERNAL_LOCATION/%'")
    [ "$left" = 0 ] || fail "$left unmapped originalPath values ($name)"
    owners=$(sb_psql "$DST_HOST" immich -At -c "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'")
    [ "$owners" = immich ] || fail "tables owned by $owners ($name)"
    pass_step "$name: stages + import equal the independent expectation"
}

run_generation new --mount /data
run_generation old --schema old
