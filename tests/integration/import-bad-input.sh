#!/bin/sh
# Bad input for `immich-migrate import`: each case fails with a clear message, exit status 1,
# and leaves the target database exactly as it was (its pg_dump before == after).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
need pg_dump psql
pg_start src
D=$top_srcdir/tests/data/pg
T=$TEST_TMP

psql_on src -d postgres -c 'CREATE DATABASE awkward' -c 'CREATE DATABASE target'
psql_on src -d awkward -f "$D/awkward-db.sql" >/dev/null
pg_dump -h "$src_HOST" -p 5432 -U postgres awkward > "$T/raw.sql"
sed "s/SELECT pg_catalog.set_config('search_path', '', false);/SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', true);/" \
    "$T/raw.sql" > "$T/good.sql"
# the target is not empty: something of its own must survive every failure
psql_on src -d target -c "CREATE TABLE keep (v text); INSERT INTO keep VALUES ('precious')"
DSN="host=$src_HOST port=5432 user=postgres dbname=target"
snapshot() { pg_dump -h "$src_HOST" -p 5432 -U postgres target | grep -v '^\\\(un\)\?restrict ' > "$1"; }
snapshot "$T/before.txt"

# bad NAME FILE MESSAGE...: import fails (exit 1), stderr has each MESSAGE, target unchanged.
bad() {
    name=$1 file=$2; shift 2
    expect_status 1 "$IMMICH_MIGRATE" import --dsn "$DSN" "$file" 2> "$T/$name.err"
    for m in "$@"; do assert_contains "$T/$name.err" "$m"; done
    snapshot "$T/after.txt"
    diff -u "$T/before.txt" "$T/after.txt" || fail "$name: the target database changed"
    pass_step "$name refused, target unchanged"
}

# Usage errors are exit 2.
expect_status 2 "$IMMICH_MIGRATE" import "$T/good.sql"
expect_status 2 "$IMMICH_MIGRATE" import --dsn "$DSN"
expect_status 2 "$IMMICH_MIGRATE" import --dsn "$DSN" -j 2 --single-transaction "$T/good.sql"

# Truncated inside COPY data, and truncated between two statements.
size=$(wc -c < "$T/good.sql")
line=$(grep -n '^COPY public.log ' "$T/good.sql" | cut -d: -f1)
head -n $((line + 20)) "$T/good.sql" > "$T/cut-copy.sql"
bad truncated-in-copy "$T/cut-copy.sql" "has no end marker" "refused, nothing was run"
line=$(grep -n '^CREATE VIEW' "$T/good.sql" | cut -d: -f1)
head -n $((line - 1)) "$T/good.sql" > "$T/cut-between.sql"
bad truncated-between "$T/cut-between.sql" "truncated"
head -c $((size / 2)) "$T/good.sql" | gzip -c > "$T/cut.sql.gz"
bad truncated-gzip "$T/cut.sql.gz" "refused"

# The last COPY block lost its \. line.
last=$(grep -n '^\\\.$' "$T/good.sql" | tail -n 1 | cut -d: -f1)
sed "${last}d" "$T/good.sql" > "$T/no-end.sql"
bad missing-end-marker "$T/no-end.sql" "no end marker \\."

# A failing statement in the middle: the unfixed dump (empty search_path) cannot build the
# ll_to_earth index. The report names the line, the object and the server's words.
line=$(grep -n '^CREATE INDEX tab_earth' "$T/raw.sql" | cut -d: -f1)
bad failing-statement "$T/raw.sql" "raw.sql, line $line (Name: tab_earth; Type: INDEX" \
    'type "earth" does not exist' "42704" "CONTEXT:" "statement: CREATE INDEX tab_earth" \
    "Nothing was changed: the transaction was rolled back."
# psql stops at the same line (the oracle for the line number)
psql_on src -d postgres -c 'CREATE DATABASE psql_probe'
psql -X -q -v ON_ERROR_STOP=1 -h "$src_HOST" -U postgres -d psql_probe -f "$T/raw.sql" > /dev/null 2> "$T/psql.err" && fail "psql loaded the unfixed dump"
assert_contains "$T/psql.err" "raw.sql:$line: ERROR"

# The server's error position becomes a file line and column (counted here with awk).
sed 's/^SET row_security = off;$/&\nCREATE TABLE broken (\n    a integer,\n    b intt\n);/' "$T/good.sql" > "$T/typo.sql"
line=$(grep -n '^    b intt$' "$T/typo.sql" | cut -d: -f1)
[ -n "$line" ] || fail "test setup: typo not inserted"
col=$(awk -v l="$line" 'NR == l { print index($0, "intt") }' "$T/typo.sql")
bad typo "$T/typo.sql" 'type "intt" does not exist' "position: line $line, column $col" \
    "typo.sql, lines $((line - 2))-$((line + 1))"

# A custom-format archive, and a tar one.
pg_dump -Fc -h "$src_HOST" -p 5432 -U postgres awkward > "$T/custom.dump"
bad custom-format "$T/custom.dump" "custom-format archive" "pg_restore"
pg_dump -Ft -h "$src_HOST" -p 5432 -U postgres awkward > "$T/dump.tar"
bad tar-format "$T/dump.tar" "tar archive"

# \! anywhere: nothing runs, not even the statements before it.
line=$(grep -n '^CREATE VIEW' "$T/good.sql" | cut -d: -f1)
{ head -n $((line - 1)) "$T/good.sql"; echo "\\unrestrict $(grep '^\\restrict ' "$T/good.sql" | cut -d' ' -f2)";
  echo "\\! touch $T/pwned"; tail -n +"$line" "$T/good.sql"; } > "$T/shell.sql"
bad shell-escape "$T/shell.sql" "\\! is not allowed"
[ ! -e "$T/pwned" ] || fail "the shell command ran"
# a backslash command after a statement on the same line (psql would run it)
sed "s/^SET row_security = off;$/SET row_security = off; \\\\! touch $(echo "$T" | sed 's/\//\\\//g')\/pwned2/" "$T/good.sql" > "$T/inline.sql"
grep -q 'pwned2' "$T/inline.sql" || fail "test setup: inline \\! not inserted"
bad inline-shell "$T/inline.sql" "backslash command after other text"
[ ! -e "$T/pwned2" ] || fail "the inline shell command ran"

# \connect to another database.
key=$(grep '^\\restrict ' "$T/good.sql" | cut -d' ' -f2)
{ cat "$T/good.sql"; echo '\connect postgres'; echo 'CREATE TABLE evil (x int);'; } > "$T/connect.sql"
bad connect-elsewhere "$T/connect.sql" 'connect to database "postgres" refused'
# while restricted, any backslash command but \unrestrict is refused
sed "s/^SET row_security = off;$/&\n\\\\connect target/" "$T/good.sql" > "$T/connect-restricted.sql"
bad connect-while-restricted "$T/connect-restricted.sql" "only \\unrestrict is allowed"

# A wrong \unrestrict key.
sed "s/^\\\\unrestrict $key\$/\\\\unrestrict WRONGKEY/" "$T/good.sql" > "$T/wrong-key.sql"
grep -q '^\\unrestrict WRONGKEY$' "$T/wrong-key.sql" || fail "test setup: key not replaced"
bad wrong-unrestrict-key "$T/wrong-key.sql" "wrong key"

# COPY into a table that does not exist: the error names it, the data is never run as SQL.
sed 's/^COPY public\.log /COPY public.nolog /' "$T/good.sql" > "$T/no-table.sql"
line=$(grep -n '^COPY public.nolog ' "$T/no-table.sql" | cut -d: -f1)
bad missing-copy-table "$T/no-table.sql" 'relation "public.nolog" does not exist' "no-table.sql, line $line"
assert_not_contains "$T/missing-copy-table.err" "invalid command"

# Bad COPY data: the error is mapped to the file line of the bad row.
line=$(grep -n '^COPY public.child ' "$T/good.sql" | cut -d: -f1)
sed "$((line + 1))s/^1\t/one\t/" "$T/good.sql" > "$T/bad-row.sql"
bad bad-copy-row "$T/bad-row.sql" "invalid input syntax for type integer" "data: $T/bad-row.sql, line $((line + 1))"

# The connection drops in the middle (the server ends our backend after the COPY blocks).
line=$(grep -n '^SELECT pg_catalog.setval' "$T/good.sql" | head -n 1 | cut -d: -f1)
sed "${line}i SELECT pg_terminate_backend(pg_backend_pid());" "$T/good.sql" > "$T/drop.sql"
bad dropped-connection "$T/drop.sql" "server closed the connection" "statement: SELECT pg_terminate_backend" "nothing was changed"

# The password of the DSN never shows, whatever fails.
expect_status 1 "$IMMICH_MIGRATE" import --dsn "host=$src_HOST port=5432 user=nobody_here password=SeCrEt123 dbname=target" "$T/good.sql" 2> "$T/pw.err"
assert_not_contains "$T/pw.err" "SeCrEt123"
assert_contains "$T/pw.err" "cannot connect"
