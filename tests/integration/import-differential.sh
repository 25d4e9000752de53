#!/bin/sh
# Differential test of `immich-migrate import`: an awkward database is dumped with the real
# pg_dump and loaded into fresh databases by psql -v ON_ERROR_STOP=1 and by the importer
# (serial, -j 2, gzip, zstd, stdin); every loaded database must pg_dump exactly like the source.
# The same for Immich's pgvector mode (embeddings and hnsw indexes).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
need pg_dump psql gzip zstd
pg_start src
pg_need_pgvector src
D=$top_srcdir/tests/data/pg

# pg_dump output without the per-run \restrict keys.
dump_db() {
    pg_dump -h "$src_HOST" -p 5432 -U postgres "$1" | grep -v '^\\\(un\)\?restrict ' > "$2"
}
newdb() { psql_on src -d postgres -c "CREATE DATABASE \"$1\""; }
dsn() { echo "host=$src_HOST port=5432 user=postgres dbname=$1"; }

newdb awkward
psql_on src -d awkward -f "$D/awkward-db.sql" >/dev/null
pg_dump -h "$src_HOST" -p 5432 -U postgres awkward > "$TEST_TMP/awkward.sql"
grep -q '^\\restrict ' "$TEST_TMP/awkward.sql" || fail "the installed pg_dump writes no \\restrict line"
# earthdistance's ll_to_earth needs its schema on the search_path (the fix-up stage's job);
# the same edit as Immich's restore documentation.
sed "s/SELECT pg_catalog.set_config('search_path', '', false);/SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', true);/" \
    "$TEST_TMP/awkward.sql" > "$TEST_TMP/fixed.sql"
dump_db awkward "$TEST_TMP/expected.txt"
# sanity of the oracle: the awkward things are really in the dump
assert_contains "$TEST_TMP/awkward.sql" 'BEGIN ATOMIC'
assert_contains "$TEST_TMP/awkward.sql" '$_$'
assert_contains "$TEST_TMP/awkward.sql" 'GENERATED ALWAYS AS'
assert_contains "$TEST_TMP/awkward.sql" 'PARTITION BY LIST'
assert_contains "$TEST_TMP/awkward.sql" 'CREATE RULE'
grep -q '\\\\\.' "$TEST_TMP/awkward.sql" || fail "no \\. lookalike in the COPY data"

# psql, the reference loader
newdb by_psql
psql_on src -d by_psql -f "$TEST_TMP/fixed.sql" >/dev/null 2>&1 || fail "psql could not load the dump"
dump_db by_psql "$TEST_TMP/by_psql.txt"
diff -u "$TEST_TMP/expected.txt" "$TEST_TMP/by_psql.txt" >/dev/null || fail "psql's load differs from the source (test setup)"
pass_step "psql loads the awkward dump"

check_load() { # NAME: compares database NAME's dump with the source's
    dump_db "$1" "$TEST_TMP/$1.txt"
    diff -u "$TEST_TMP/expected.txt" "$TEST_TMP/$1.txt" || fail "$1: the loaded database differs from the source"
    pass_step "$1 loads identically"
}

newdb serial
"$IMMICH_MIGRATE" import --dsn "$(dsn serial)" "$TEST_TMP/fixed.sql" 2> "$TEST_TMP/serial.log" \
    || { cat "$TEST_TMP/serial.log"; fail "serial import failed"; }
assert_contains "$TEST_TMP/serial.log" "in one transaction"
assert_contains "$TEST_TMP/serial.log" "row counts checked"
check_load serial

newdb parallel
"$IMMICH_MIGRATE" import --dsn "$(dsn parallel)" -j 2 -v "$TEST_TMP/fixed.sql" 2> "$TEST_TMP/parallel.log" \
    || { cat "$TEST_TMP/parallel.log"; fail "import -j 2 failed"; }
# COPY is logged with its row count, never the rows themselves
assert_contains "$TEST_TMP/parallel.log" "sql: COPY public.log (id, msg, at) FROM stdin;"
assert_not_contains "$TEST_TMP/parallel.log" "row 17"
check_load parallel

gzip -c "$TEST_TMP/fixed.sql" > "$TEST_TMP/fixed.sql.gz"
newdb gz
"$IMMICH_MIGRATE" import --dsn "$(dsn gz)" "$TEST_TMP/fixed.sql.gz" 2>"$TEST_TMP/gz.log" || { cat "$TEST_TMP/gz.log"; fail "gzip import failed"; }
check_load gz

zstd -q -c "$TEST_TMP/fixed.sql" > "$TEST_TMP/fixed.sql.zst"
newdb zst_parallel
"$IMMICH_MIGRATE" import --dsn "$(dsn zst_parallel)" -j 2 "$TEST_TMP/fixed.sql.zst" 2>"$TEST_TMP/zst.log" || { cat "$TEST_TMP/zst.log"; fail "zstd -j 2 import failed"; }
check_load zst_parallel

newdb from_stdin
"$IMMICH_MIGRATE" import --dsn "$(dsn from_stdin)" - < "$TEST_TMP/fixed.sql.zst" 2>"$TEST_TMP/stdin.log" || { cat "$TEST_TMP/stdin.log"; fail "stdin import failed"; }
check_load from_stdin

# A hand-written file with escapes pg_dump never writes: psql and the importer agree.
newdb hand_psql
psql_on src -d hand_psql -f "$D/handwritten.sql" >/dev/null 2>&1 || fail "psql could not load handwritten.sql"
newdb hand_import
"$IMMICH_MIGRATE" import --dsn "$(dsn hand_import)" "$D/handwritten.sql" 2>"$TEST_TMP/hand.log" || { cat "$TEST_TMP/hand.log"; fail "handwritten import failed"; }
dump_db hand_psql "$TEST_TMP/hand_psql.txt"
dump_db hand_import "$TEST_TMP/hand_import.txt"
[ "$(psql_on src -d hand_psql -Atc 'SELECT count(*) FROM s')" = 12 ] || fail "handwritten.sql: psql did not load 12 rows"
diff -u "$TEST_TMP/hand_psql.txt" "$TEST_TMP/hand_import.txt" || fail "handwritten.sql: import differs from psql"
pass_step "hand-written escapes load like psql"

# BEGIN ATOMIC reading a column named begin: psql mis-splits it, the importer must not.
newdb atomic
psql_on src -d atomic -f "$D/atomic-begin-db.sql" >/dev/null
pg_dump -h "$src_HOST" -p 5432 -U postgres atomic > "$TEST_TMP/atomic.sql"
dump_db atomic "$TEST_TMP/expected.txt"
newdb atomic_psql
if psql_on src -d atomic_psql -f "$TEST_TMP/atomic.sql" >/dev/null 2>&1; then
    echo "note: this psql loads the begin-column body correctly"
else
    echo "note: psql fails on the begin-column body (its known lexer bug)"
fi
newdb atomic_import
"$IMMICH_MIGRATE" import --dsn "$(dsn atomic_import)" "$TEST_TMP/atomic.sql" 2>"$TEST_TMP/atomic.log" || { cat "$TEST_TMP/atomic.log"; fail "BEGIN ATOMIC import failed"; }
check_load atomic_import

# Immich's pgvector mode: extension vector, smart_search/face_search with 512-float embeddings
# (float4 extremes among them) and hnsw indexes. Serial and -j 2 loads pg_dump like the source,
# and a nearest-neighbour search through the rebuilt index finds what the source's finds.
newdb vec
psql_on src -d vec -f "$D/vector-db.sql" >/dev/null
pg_dump -h "$src_HOST" -p 5432 -U postgres vec > "$TEST_TMP/vec.sql"
dump_db vec "$TEST_TMP/expected.txt"
assert_contains "$TEST_TMP/vec.sql" 'CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;'
assert_contains "$TEST_TMP/vec.sql" 'embedding public.vector(512) NOT NULL'
assert_contains "$TEST_TMP/vec.sql" 'CREATE INDEX clip_index ON public.smart_search USING hnsw (embedding public.vector_cosine_ops) WITH (ef_construction='
assert_contains "$TEST_TMP/vec.sql" 'CREATE INDEX face_index ON public.face_search USING hnsw (embedding public.vector_cosine_ops)'
assert_contains "$TEST_TMP/vec.sql" '[3.4028235e+38,-3.4028235e+38,1.1754944e-38,1e-45,-0,0.33333334,'
nearest() { # DB: the 5 assets nearest to one embedding, through clip_index
    psql_on src -d "$1" -At -c "SET enable_seqscan = off" -c "EXPLAIN (COSTS OFF) SELECT 1 FROM smart_search ORDER BY embedding <=> (SELECT embedding FROM smart_search WHERE \"assetId\" = md5('vec-asset-7')::uuid) LIMIT 5" \
        -c "SELECT \"assetId\" FROM smart_search ORDER BY embedding <=> (SELECT embedding FROM smart_search WHERE \"assetId\" = md5('vec-asset-7')::uuid) LIMIT 5"
}
nearest vec > "$TEST_TMP/nearest.txt"
assert_contains "$TEST_TMP/nearest.txt" "Index Scan using clip_index"
# A probe: an event trigger notes the settings of every session that runs CREATE INDEX (it is
# dropped again before the comparison).
probe_on() { # DB
    psql_on src -d "$1" -c "CREATE SCHEMA probe" \
        -c "CREATE TABLE probe.seen (pid int, mwm text, workers text)" \
        -c "CREATE FUNCTION probe.note() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER
            SET search_path = pg_catalog AS \$\$ BEGIN INSERT INTO probe.seen VALUES (pg_backend_pid(),
            current_setting('maintenance_work_mem'), current_setting('max_parallel_maintenance_workers'));
            END \$\$" \
        -c "CREATE EVENT TRIGGER probe ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION probe.note()"
}
probe_off() { psql_on src -d "$1" -c "DROP EVENT TRIGGER probe" -c "SET client_min_messages = warning" -c "DROP SCHEMA probe CASCADE"; }
default_mwm=$(psql_on src -d postgres -At -c "SHOW maintenance_work_mem")
for mode in serial parallel; do
    newdb "vec_$mode"
    if [ $mode = parallel ]; then set -- -j 2; else set --; fi
    probe_on "vec_$mode"
    "$IMMICH_MIGRATE" import --dsn "$(dsn "vec_$mode")" "$@" "$TEST_TMP/vec.sql" 2>"$TEST_TMP/vec_$mode.log" \
        || { cat "$TEST_TMP/vec_$mode.log"; fail "pgvector dump: $mode import failed"; }
    assert_contains "$TEST_TMP/vec_$mode.log" "row counts checked"
    # every index was built with the maintenance_work_mem the log names, above the default;
    # -j 2: on several connections, without server-side workers on top of ours
    seen=$(psql_on src -d "vec_$mode" -At -F ' ' -c "SELECT DISTINCT mwm, workers FROM probe.seen")
    pids=$(psql_on src -d "vec_$mode" -At -c "SELECT count(DISTINCT pid) FROM probe.seen")
    [ "$(echo "$seen" | wc -l)" = 1 ] || fail "vec_$mode: index builds saw different settings: $seen"
    mwm=${seen% *} workers=${seen#* }
    [ -n "$mwm" ] && [ "$mwm" != "$default_mwm" ] || fail "vec_$mode: indexes built with the default maintenance_work_mem ($seen)"
    assert_contains "$TEST_TMP/vec_$mode.log" "maintenance_work_mem = $mwm ("
    assert_contains "$TEST_TMP/vec_$mode.log" "max_parallel_maintenance_workers = $workers,"
    if [ $mode = parallel ]; then
        [ "$workers" = 0 ] || fail "vec_parallel: server-side workers on top of -j 2 ($seen)"
        [ "$pids" -ge 2 ] || fail "vec_parallel: all indexes were built on one connection"
    fi
    probe_off "vec_$mode"
    check_load "vec_$mode"
    nearest "vec_$mode" > "$TEST_TMP/nearest_$mode.txt"
    diff -u "$TEST_TMP/nearest.txt" "$TEST_TMP/nearest_$mode.txt" || fail "vec_$mode: the hnsw search differs from the source's"
done
pass_step "pgvector embeddings and hnsw indexes load identically, built with the sized maintenance_work_mem"
