#!/bin/sh
# `immich-migrate import` on the sandbox's Immich databases (old and new schema): the dump of
# the source (pgvector mode: embeddings with hnsw indexes), loaded by psql and by the importer
# (serial into the NixOS-style target database owned by immich, and -j 2 into a fresh one),
# pg_dumps exactly like the source. Then the stage chain dump -> fixup -> prepare_db -> import
# loads the real thing: every table has the source's row count, and the embeddings and their
# indexes are the source's.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need pg_dump psql
PG_BINDIR=$(pg_bindir)
RUN_STAGE=$top_builddir/tests/integration/discover-run-stage
[ -x "$RUN_STAGE" ] || fail "missing $RUN_STAGE (make check builds it)"

fixed_dump() { # HOST OUT: the source dump with the search_path line Immich's docs fix
    pg_dump -h "$1" -p 5432 -U postgres immich |
        sed "s/SELECT pg_catalog.set_config('search_path', '', false);/SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', true);/" > "$2"
}
dump_of() { # HOST DB OUT
    pg_dump -h "$1" -p 5432 -U postgres "$2" | grep -v '^\\\(un\)\?restrict ' > "$3"
}
counts() { # HOST DB: "table rows" for every ordinary table
    sb_psql "$1" "$2" -At -F ' ' -c "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1" |
    while read -r t; do
        printf '%s %s\n' "$t" "$(sb_psql "$1" "$2" -At -c "SELECT count(*) FROM ONLY $t")"
    done
}

for schema in old new; do
    sb=$TEST_TMP/sb-$schema
    sandbox_create "$sb" --assets 6 --schema "$schema"
    T=$TEST_TMP/$schema
    mkdir -p "$T"
    fixed_dump "$SRC_HOST" "$T/dump.sql"
    dump_of "$SRC_HOST" immich "$T/expected.txt"
    # pgvector mode: the whole-dump compares below include the embeddings and hnsw indexes
    assert_contains "$T/dump.sql" 'CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;'
    assert_contains "$T/expected.txt" 'CREATE INDEX clip_index ON public.smart_search USING hnsw (embedding public.vector_cosine_ops)'
    assert_contains "$T/expected.txt" 'CREATE INDEX face_index ON public.face_search USING hnsw (embedding public.vector_cosine_ops)'
    [ "$(grep -c '^[0-9a-f-]*	\[' "$T/expected.txt")" -ge 10 ] || fail "$schema: no embedding rows in the source's dump"
    DST="host=$DST_HOST port=5432 user=postgres"

    # psql's database is owned by immich like the target (its public schema then is too)
    sb_psql "$DST_HOST" postgres -c 'CREATE DATABASE by_psql OWNER immich' -c 'CREATE DATABASE par'
    sb_psql "$DST_HOST" by_psql -c "ALTER SCHEMA public OWNER TO $(sb_psql "$DST_HOST" immich -At -c "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'public'")"
    sb_psql "$DST_HOST" by_psql -f "$T/dump.sql" > /dev/null 2>&1 || fail "$schema: psql cannot load the sandbox dump"
    dump_of "$DST_HOST" by_psql "$T/by_psql.txt"

    "$IMMICH_MIGRATE" import --dsn "$DST dbname=immich" "$T/dump.sql" 2> "$T/serial.log" \
        || { cat "$T/serial.log"; fail "$schema: import into the target database failed"; }
    dump_of "$DST_HOST" immich "$T/serial.txt"
    diff -u "$T/by_psql.txt" "$T/serial.txt" || fail "$schema: serial import differs from psql's"
    "$IMMICH_MIGRATE" import --dsn "$DST dbname=par" -j 2 "$T/dump.sql" 2> "$T/par.log" \
        || { cat "$T/par.log"; fail "$schema: import -j 2 failed"; }
    dump_of "$DST_HOST" par "$T/par.txt"
    diff -u "$T/expected.txt" "$T/par.txt" || fail "$schema: import -j 2 differs from the source"
    pass_step "$schema schema: psql, import and import -j 2 load identically"
    "$SANDBOX_TOOL" destroy "$sb" > /dev/null 2>&1
done

# The stages in order, in one process (artifacts pass in memory): the import stage loads the
# fixed dump into the prepared target, as the wizard does.
sb=$TEST_TMP/sb-chain
sandbox_create "$sb" --assets 6
"$RUN_STAGE" -c "$sb/immich-migrate.conf" -s "$TEST_TMP/state" -n import > "$TEST_TMP/dry.out" 2> "$TEST_TMP/dry.err" \
    || { cat "$TEST_TMP/dry.err"; fail "import stage dry run failed"; }
assert_contains "$TEST_TMP/dry.out" "ANALYZE"
[ "$(sb_psql "$DST_HOST" immich -At -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ] \
    || fail "the dry run changed the target"
mkdir -p "$TEST_TMP/state"
"$RUN_STAGE" -c "$sb/immich-migrate.conf" -s "$TEST_TMP/state" dump fixup prepare_db import \
    > "$TEST_TMP/chain.out" 2> "$TEST_TMP/chain.err" || { cat "$TEST_TMP/chain.err"; fail "the stage chain failed"; }
assert_contains "$TEST_TMP/chain.out" "OK import"
assert_contains "$TEST_TMP/chain.err" "row counts checked"
counts "$SRC_HOST" immich > "$TEST_TMP/src.counts"
counts "$DST_HOST" immich > "$TEST_TMP/dst.counts"
[ -s "$TEST_TMP/src.counts" ] || fail "no tables counted"
grep -qx 'public.smart_search 6' "$TEST_TMP/src.counts" && grep -qx 'public.face_search 4' "$TEST_TMP/src.counts" ||
    { cat "$TEST_TMP/src.counts"; fail "the source lacks its embeddings"; }
diff -u "$TEST_TMP/src.counts" "$TEST_TMP/dst.counts" || fail "the imported row counts differ from the source"
vectors_of() { # HOST: the embedding rows and indexes of smart_search and face_search (owners are mapped)
    pg_dump -h "$1" -p 5432 -U postgres --data-only --no-owner -t smart_search -t face_search immich |
        grep -v '^\\\(un\)\?restrict '
    sb_psql "$1" immich -At -c "SELECT indexdef FROM pg_indexes WHERE tablename IN ('smart_search', 'face_search') ORDER BY 1"
}
vectors_of "$SRC_HOST" > "$TEST_TMP/src.vectors"
vectors_of "$DST_HOST" > "$TEST_TMP/dst.vectors"
assert_contains "$TEST_TMP/dst.vectors" 'USING hnsw (embedding vector_cosine_ops) WITH (ef_construction='
diff -u "$TEST_TMP/src.vectors" "$TEST_TMP/dst.vectors" || fail "the imported embeddings differ from the source"
pass_step "stage chain dump -> fixup -> prepare_db -> import"
