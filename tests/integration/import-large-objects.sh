#!/bin/sh
# pg_dump's large-object section (BEGIN; lo_open; lowrite; lo_close; COMMIT;) keeps the import in
# one transaction, as pg_restore --single-transaction does: the load equals the source, and a
# failure after the section rolls everything back, the large objects too.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
need pg_dump psql
pg_start src
T=$TEST_TMP

psql_on src -d postgres -c "CREATE ROLE immich LOGIN"
for db in lo_src lo_dst lo_fail lo_par; do
    psql_on src -d postgres -c "CREATE DATABASE $db OWNER immich"
done
as_immich() { psql -X -q -v ON_ERROR_STOP=1 -h "$src_HOST" -U immich "$@"; }
as_immich -d lo_src -c "CREATE TABLE public.doc (id integer PRIMARY KEY, body oid)" \
    -c "INSERT INTO public.doc VALUES (1, lo_from_bytea(0, 'hello large object'))" \
    -c "INSERT INTO public.doc VALUES (2, lo_from_bytea(0, decode(repeat('00ff7f', 120000), 'hex')))"
pg_dump -h "$src_HOST" -U immich lo_src > "$T/lo.sql"
assert_contains "$T/lo.sql" "SELECT pg_catalog.lo_open("
grep -q '^BEGIN;$' "$T/lo.sql" && grep -q '^COMMIT;$' "$T/lo.sql" || fail "no BEGIN/COMMIT in pg_dump's large-object section"
dump_db() { pg_dump -h "$src_HOST" -U postgres "$1" | grep -v '^\\\(un\)\?restrict ' > "$2"; }
dump_db lo_src "$T/expected.txt"

"$IMMICH_MIGRATE" import --dsn "host=$src_HOST port=5432 user=immich dbname=lo_dst" "$T/lo.sql" 2> "$T/ok.log" \
    || { cat "$T/ok.log"; fail "the import of a dump with large objects failed"; }
assert_contains "$T/ok.log" "in one transaction"
assert_contains "$T/ok.log" "BEGIN skipped: the whole file runs in one transaction"
assert_not_contains "$T/ok.log" "not using a single transaction"
dump_db lo_dst "$T/lo_dst.txt"
diff -u "$T/expected.txt" "$T/lo_dst.txt" || fail "the loaded database differs from the source"
[ "$(as_immich -d lo_dst -Atc "SELECT convert_from(lo_get(body), 'UTF8') FROM public.doc WHERE id = 1")" = "hello large object" ] \
    || fail "the large object's content differs"
pass_step "a dump with large objects loads in one transaction, identical to the source"

# -j 2: no single transaction, so the file's own BEGIN … COMMIT runs, on the main connection
"$IMMICH_MIGRATE" import --dsn "host=$src_HOST port=5432 user=immich dbname=lo_par" -j 2 "$T/lo.sql" 2> "$T/par.log" \
    || { cat "$T/par.log"; fail "import -j 2 of a dump with large objects failed"; }
dump_db lo_par "$T/lo_par.txt"
diff -u "$T/expected.txt" "$T/lo_par.txt" || fail "-j 2: the loaded database differs from the source"
pass_step "-j 2 loads the large objects too"

# A failure after the large-object section: nothing stays, not even the large objects.
commit=$(grep -n '^COMMIT;$' "$T/lo.sql" | tail -n 1 | cut -d: -f1)
sed "${commit}a SELECT 1 / 0;" "$T/lo.sql" > "$T/lo-fail.sql"
expect_status 1 "$IMMICH_MIGRATE" import --dsn "host=$src_HOST port=5432 user=immich dbname=lo_fail" "$T/lo-fail.sql" 2> "$T/fail.log"
assert_contains "$T/fail.log" "division by zero"
assert_contains "$T/fail.log" "lo-fail.sql, line $((commit + 1))"
assert_contains "$T/fail.log" "Nothing was changed: the transaction was rolled back."
[ "$(psql_on src -d lo_fail -Atc "SELECT count(*) FROM pg_largeobject_metadata")" = 0 ] \
    || fail "large objects were left behind"
[ "$(psql_on src -d lo_fail -Atc "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ] \
    || fail "tables were left behind"
pass_step "a failure after the large-object section rolls everything back"
