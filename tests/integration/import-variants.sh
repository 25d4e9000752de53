#!/bin/sh
# Dump variants `immich-migrate import` must load like psql: pg_dump --clean --if-exists (into a
# database that already holds the data), pg_dump -C (CREATE DATABASE + \connect), and the
# part of pg_dumpall's output for one database. Every result must pg_dump like the source. The
# database holds Immich's pgvector mode too (extension vector, embeddings, hnsw indexes).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
need pg_dump pg_dumpall psql
pg_start src
pg_start dst
pg_need_pgvector src
pg_need_pgvector dst
D=$top_srcdir/tests/data/pg
T=$TEST_TMP

psql_on src -d postgres -c 'CREATE DATABASE "app db"'
psql_on src -d "app db" -f "$D/atomic-begin-db.sql" >/dev/null
psql_on src -d "app db" -f "$D/vector-db.sql" >/dev/null
psql_on src -d "app db" -c "CREATE TABLE more (id int PRIMARY KEY, t text); INSERT INTO more SELECT g, 'r' || g FROM generate_series(1, 30) g; CREATE INDEX more_t ON more (t)"
dump_of() { # HOST DB OUT
    pg_dump -h "$1" -p 5432 -U postgres "$2" | grep -v '^\\\(un\)\?restrict ' > "$3"
}
dump_of "$src_HOST" "app db" "$T/expected.txt"
assert_contains "$T/expected.txt" 'CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;'
assert_contains "$T/expected.txt" 'CREATE INDEX clip_index ON public.smart_search USING hnsw (embedding public.vector_cosine_ops)'
DST="host=$dst_HOST port=5432 user=postgres"

# --clean --if-exists, loaded twice into the same database: the second load drops and
# recreates everything.
pg_dump --clean --if-exists -h "$src_HOST" -p 5432 -U postgres "app db" > "$T/clean.sql"
psql_on dst -d postgres -c 'CREATE DATABASE cleaned'
for round in 1 2; do
    "$IMMICH_MIGRATE" import --dsn "$DST dbname=cleaned" "$T/clean.sql" 2> "$T/clean$round.log" \
        || { cat "$T/clean$round.log"; fail "--clean dump, load $round failed"; }
done
dump_of "$dst_HOST" cleaned "$T/cleaned.txt"
diff -u "$T/expected.txt" "$T/cleaned.txt" || fail "--clean --if-exists load differs"
pass_step "pg_dump --clean --if-exists loads twice"

# -C: connected to postgres, the file creates "app db" and \connects to it. Without
# --target-db that \connect is refused before anything runs.
pg_dump -C --clean --if-exists -h "$src_HOST" -p 5432 -U postgres "app db" > "$T/create.sql"
assert_contains "$T/create.sql" 'CREATE DATABASE "app db"'
assert_contains "$T/create.sql" '\connect -reuse-previous=on "dbname='"'"'app db'"'"'"'
expect_status 1 "$IMMICH_MIGRATE" import --dsn "$DST dbname=postgres" "$T/create.sql" 2> "$T/create-refused.log"
assert_contains "$T/create-refused.log" 'connect to database "app db" refused'
[ "$(psql_on dst -d postgres -Atc "SELECT count(*) FROM pg_database WHERE datname = 'app db'")" = 0 ] \
    || fail "a refused -C dump created the database"
expect_status 1 "$IMMICH_MIGRATE" import --dsn "$DST dbname=postgres" --target-db "app db" --single-transaction "$T/create.sql" 2> "$T/create-txn.log"
assert_contains "$T/create-txn.log" "cannot run in a single transaction"
"$IMMICH_MIGRATE" import --dsn "$DST dbname=postgres" --target-db "app db" -j 2 "$T/create.sql" 2> "$T/create.log" \
    || { cat "$T/create.log"; fail "-C dump failed"; }
assert_contains "$T/create.log" "not using a single transaction"
assert_contains "$T/create.log" "connected to database app db"
dump_of "$dst_HOST" "app db" "$T/created.txt"
diff -u "$T/expected.txt" "$T/created.txt" || fail "-C load differs"
pass_step "pg_dump -C loads through \\connect"

# pg_dumpall: the section of one database (roles and other databases left out).
pg_dumpall -h "$src_HOST" -p 5432 -U postgres > "$T/all.sql"
awk '/^-- Database "app db" dump$/ {on = 1} on && /^-- Database ".*" dump$/ && !/"app db"/ {on = 0} on' \
    "$T/all.sql" > "$T/one.sql"
assert_contains "$T/one.sql" 'CREATE DATABASE "app db"'
grep -q '^\\restrict ' "$T/one.sql" || fail "pg_dumpall section without \\restrict"
psql_on dst -d postgres -c 'DROP DATABASE "app db"'
"$IMMICH_MIGRATE" import --dsn "$DST dbname=postgres" --target-db "app db" "$T/one.sql" 2> "$T/one.log" \
    || { cat "$T/one.log"; fail "pg_dumpall section failed"; }
dump_of "$dst_HOST" "app db" "$T/one.txt"
diff -u "$T/expected.txt" "$T/one.txt" || fail "pg_dumpall section load differs"
pass_step "a pg_dumpall section loads"

# SET transaction_timeout (pg_dump 17+) on an older server: skipped, and the log says so.
ver=$(psql_on dst -d postgres -Atc 'SHOW server_version_num')
sed 's/^SET idle_in_transaction_session_timeout = 0;$/&\nSET transaction_timeout = 0;/' "$T/clean.sql" > "$T/pg17.sql"
grep -q '^SET transaction_timeout = 0;$' "$T/pg17.sql" || fail "test setup: no transaction_timeout line"
"$IMMICH_MIGRATE" import --dsn "$DST dbname=cleaned" "$T/pg17.sql" 2> "$T/pg17.log" \
    || { cat "$T/pg17.log"; fail "a dump with transaction_timeout failed"; }
if [ "$ver" -lt 170000 ]; then
    assert_contains "$T/pg17.log" 'skipped "SET transaction_timeout = 0;"'
else
    assert_not_contains "$T/pg17.log" 'skipped'
fi
pass_step "transaction_timeout handled for server $ver"
