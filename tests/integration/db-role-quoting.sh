#!/bin/sh
# fixup writes mapped role names the way PostgreSQL's quote_ident does: the server's own
# format('%I') is the oracle for every keyword it knows and some awkward names; then a dump
# whose owner becomes the role `order` (a reserved word) imports and keeps that owner.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
. "$top_srcdir/tests/integration/db-lib.sh"
need psql pg_dump

pg_start SRC

# --- every keyword of the server, and names with capitals, digits, $, quotes, non-ASCII ---
psql_on SRC -At -d postgres -c "SELECT word FROM pg_get_keywords() ORDER BY word" >"$TEST_TMP/names"
[ "$(wc -l <"$TEST_TMP/names")" -gt 400 ] || fail "pg_get_keywords() returned too few words"
printf '%s\n' 'Order' 'a$b' '_x1' '1abc' 'with"quote' 'two words' 'Ümlaut' 'immich' >>"$TEST_TMP/names"
i=0
: >"$TEST_TMP/kw.sql"
set --
while IFS= read -r name; do
    i=$((i + 1))
    printf 'ALTER TABLE public.t OWNER TO r%d;\n' "$i" >>"$TEST_TMP/kw.sql"
    set -- "$@" --role-map "r$i=$name"
done <"$TEST_TMP/names"
printf -- '-- PostgreSQL database dump complete\n' >>"$TEST_TMP/kw.sql"
"$IMMICH_MIGRATE" fixup --target /var/lib/immich "$@" --report "$TEST_TMP/kw.report" \
    "$TEST_TMP/kw.sql" "$TEST_TMP/kw-fixed.sql" || fail "fixup of the keyword lines failed"
# The oracle: the server quotes each name itself (format %I is quote_ident).
sed 's/\\/\\\\/g' "$TEST_TMP/names" |
    psql_on SRC -At -d postgres \
        -c "CREATE TEMP TABLE n (i serial, name text)" \
        -c "COPY n (name) FROM STDIN" \
        -c "SELECT format('ALTER TABLE public.t OWNER TO %I;', name) FROM n ORDER BY i" \
        >"$TEST_TMP/kw-expected.sql"
grep -v '^--' "$TEST_TMP/kw-fixed.sql" >"$TEST_TMP/kw-got.sql"
diff -u "$TEST_TMP/kw-expected.sql" "$TEST_TMP/kw-got.sql" || fail "fixup quotes role names unlike quote_ident"
assert_contains "$TEST_TMP/kw-got.sql" 'OWNER TO "order";'
pass_step "role names quoted as PostgreSQL's quote_ident quotes them ($i names)"

# --- a real dump owned by postgres, mapped to the role "order", imported ---
db_make_source SRC immich new >/dev/null
pg_dump -h "$SRC_HOST" -p 5432 -U postgres immich >"$TEST_TMP/dump.sql"
cat >"$TEST_TMP/plan.conf" <<CONF
target_location = /var/lib/immich
target_db_owner = order
CONF
"$IMMICH_MIGRATE" fixup -c "$TEST_TMP/plan.conf" --report "$TEST_TMP/report.txt" \
    "$TEST_TMP/dump.sql" "$TEST_TMP/fixed.sql" || fail "fixup with target_db_owner = order failed"
assert_contains "$TEST_TMP/fixed.sql" 'OWNER TO "order";'
psql_on SRC -d postgres -c 'CREATE ROLE "order" LOGIN' -c 'CREATE DATABASE migrated OWNER "order"'
psql_on SRC -1 -d migrated -f "$TEST_TMP/fixed.sql" >"$TEST_TMP/import.log" 2>&1 ||
    { cat "$TEST_TMP/import.log"; fail "the fixed dump with owner \"order\" does not import"; }
owners() { # DB: every owner of a relation, type, function and schema in public
    psql_on SRC -At -d "$1" -c "
        SELECT 'rel ' || c.relname || ' ' || pg_get_userbyid(c.relowner) FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
        UNION ALL SELECT 'fn ' || p.oid::regprocedure || ' ' || pg_get_userbyid(p.proowner)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d
            WHERE d.objid = p.oid AND d.deptype = 'e')
        ORDER BY 1"
}
owners immich | sed 's/ postgres$/ order/' >"$TEST_TMP/owners-expected"
owners migrated >"$TEST_TMP/owners-got"
grep -q ' order$' "$TEST_TMP/owners-got" || fail "nothing is owned by \"order\""
diff -u "$TEST_TMP/owners-expected" "$TEST_TMP/owners-got" || fail "ownership differs after the import"
got=$(psql_on SRC -At -d migrated -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> 'order'")
[ "$got" = 0 ] || fail "$got relations not owned by \"order\""
pass_step "a dump mapped to the role \"order\" imports with every owner \"order\""
