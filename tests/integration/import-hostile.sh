#!/bin/sh
# A tampered dump (whoever controls the Docker container controls the file):
#  - what pg_dump never writes is refused before anything runs, naming file and line, even on
#    a superuser's connection: nothing was executed (no marker file in a directory the server
#    may write, roles, server configuration and the target database unchanged);
#  - the safety scan and the load split the file the same way (standard_conforming_strings
#    changed behind the scan's back, \connect inside a transaction);
#  - the import stage runs the dump logged in as target_db_owner, never as a superuser: a
#    superuser-only statement the scan lets through fails by privilege and changes nothing;
#  - extensions: the owner's session skips CREATE EXTENSION / COMMENT ON EXTENSION for what
#    prepare-db made (the result equals a superuser's psql restore); a missing one is named
#    with its NixOS setting.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
need pg_dump psql
pg_start src
T=$TEST_TMP
RUN_STAGE=$top_builddir/tests/integration/discover-run-stage
# The stage imports only a fixed dump whose checksum fixup recorded; these dumps are made here.
sha256_of() { sha256sum < "$1" | cut -d' ' -f1; }
[ -x "$RUN_STAGE" ] || fail "missing $RUN_STAGE (make check builds it)"
# A directory the server (OS user $(pg_os_user)) could write: a marker there means code ran.
DROP=$T/drop
mkdir -p "$DROP"
chmod 777 "$DROP"

psql_on src -d postgres -c "CREATE ROLE immich LOGIN" -c "CREATE DATABASE source OWNER immich" \
    -c "CREATE DATABASE target OWNER immich"
psql_on src -d target -c "ALTER SCHEMA public OWNER TO immich"
psql -X -q -v ON_ERROR_STOP=1 -h "$src_HOST" -U immich -d source \
    -c "CREATE TABLE public.t (id integer PRIMARY KEY, v text)" \
    -c "INSERT INTO public.t SELECT g, 'row ' || g FROM generate_series(1, 50) g"
pg_dump -h "$src_HOST" -U immich source > "$T/good.sql"
grep -q '^\\restrict ' "$T/good.sql" || fail "the installed pg_dump writes no \\restrict line"
# the same without \restrict: backslash lines then reach the checks under test
grep -v '^\\\(un\)\?restrict ' "$T/good.sql" > "$T/plain.sql"
SU_DSN="host=$src_HOST port=5432 user=postgres dbname=target"
OWNER_DSN="host=$src_HOST port=5432 user=immich dbname=target"

# Everything a hostile statement could have changed.
snapshot() {
    { pg_dump -h "$src_HOST" -U postgres target | grep -v '^\\\(un\)\?restrict '
      psql_on src -d postgres -Atc "SELECT rolname, rolsuper FROM pg_roles ORDER BY 1"
      psql_on src -d target -Atc "SELECT count(*) FROM pg_largeobject_metadata"
      cat "$src_HOST/data/postgresql.auto.conf"
      ls -A "$DROP"; } > "$1"
}
snapshot "$T/before.txt"
unchanged() {
    snapshot "$T/after.txt"
    diff -u "$T/before.txt" "$T/after.txt" || fail "$1: something changed"
    [ -z "$(ls -A "$DROP")" ] || fail "$1: a marker was written: $(ls -A "$DROP")"
}

# inject BASE OUT: BASE with stdin's lines after "SET row_security = off;"; prints their
# first line number.
inject() {
    cat > "$T/inject.txt"
    awk -v f="$T/inject.txt" '{ print } /^SET row_security = off;$/ { while ((getline l < f) > 0) print l }' \
        "$1" > "$2"
    grep -q '^SET row_security = off;$' "$1" || fail "test setup: no row_security line"
    echo $(($(grep -n '^SET row_security = off;$' "$2" | cut -d: -f1) + 1))
}

# refused NAME LINE MESSAGE: the file $T/NAME.sql is refused on LINE with MESSAGE, nothing ran.
refused() {
    expect_status 1 "$IMMICH_MIGRATE" import --dsn "$SU_DSN" "$T/$1.sql" 2> "$T/$1.err"
    assert_contains "$T/$1.err" "$T/$1.sql was refused, nothing was run: line $2: "
    assert_contains "$T/$1.err" "$3"
    unchanged "$1"
    pass_step "$1 refused at line $2"
}

# ---- A: what pg_dump never writes, refused before anything runs ----
l=$(inject "$T/good.sql" "$T/copy-program.sql" <<EOF
COPY (SELECT 1) TO PROGRAM 'touch $DROP/copy';
EOF
)
refused copy-program "$l" "not COPY to or from a program"
l=$(inject "$T/good.sql" "$T/copy-file.sql" <<EOF
COPY public.t FROM '/etc/hostname';
EOF
)
refused copy-file "$l" "not COPY to or from a program or a server file"
l=$(inject "$T/good.sql" "$T/do.sql" <<EOF
DO \$\$BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch $DROP/do'''; END\$\$;
EOF
)
refused do "$l" "DO blocks are not allowed"
l=$(inject "$T/good.sql" "$T/function.sql" <<EOF
CREATE FUNCTION public.evil() RETURNS void LANGUAGE plpgsql
    AS \$\$BEGIN
    EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch $DROP/function''';
END\$\$;
SELECT public.evil();
EOF
)
refused function "$((l + 2))" "a function body using execute is not allowed"
l=$(inject "$T/good.sql" "$T/alter-role.sql" <<EOF
ALTER ROLE immich SUPERUSER;
EOF
)
refused alter-role "$l" "alter role is not allowed"
l=$(inject "$T/good.sql" "$T/create-role.sql" <<EOF
CREATE ROLE evil SUPERUSER LOGIN;
EOF
)
refused create-role "$l" "create role is not allowed"
l=$(inject "$T/good.sql" "$T/alter-system.sql" <<EOF
ALTER SYSTEM SET archive_command = 'touch $DROP/system';
EOF
)
refused alter-system "$l" "ALTER SYSTEM is not allowed"
l=$(inject "$T/good.sql" "$T/lo-export.sql" <<EOF
SELECT pg_catalog.lo_export(pg_catalog.lo_from_bytea(0, 'x'), '$DROP/lo');
EOF
)
refused lo-export "$l" "lo_export reaches the server's files"
l=$(inject "$T/good.sql" "$T/untrusted.sql" <<EOF
CREATE FUNCTION public.py() RETURNS integer LANGUAGE plpython3u AS 'return 1';
EOF
)
refused untrusted "$l" "functions in language plpython3u are not allowed"

# ---- C: the scan and the load split the file the same way ----
# The issue's attack: the scan (standard_conforming_strings on) would read a string over the
# \connect; the server (off) would not.
l=$(inject "$T/plain.sql" "$T/scs-attack.sql" <<'EOF'
SELECT set_config('standard_conforming_strings','off',false);
SELECT 'a\'' AS x;
\connect target
-- '
EOF
)
refused scs-attack "$l" "only pg_dump's own \"SET standard_conforming_strings = …;\" line may touch"
for stmt in "SET standard_conforming_strings TO DEFAULT;" "RESET standard_conforming_strings;" \
    "SET LOCAL standard_conforming_strings = off;" "ALTER DATABASE target SET standard_conforming_strings = off;" \
    "SET client_encoding TO DEFAULT;" "SELECT set_config('standard_' || 'conforming_strings', 'off', false);"; do
    l=$(echo "$stmt" | inject "$T/good.sql" "$T/scs-form.sql")
    expect_status 1 "$IMMICH_MIGRATE" import --dsn "$SU_DSN" "$T/scs-form.sql" 2> "$T/scs-form.err"
    assert_contains "$T/scs-form.err" "refused, nothing was run: line $l: "
    unchanged "$stmt"
done
pass_step "SET … TO DEFAULT, RESET, SET LOCAL, ALTER DATABASE … SET and computed set_config refused"

# A change the scan cannot see (pg_settings is a view over set_config) stops the load right
# after it, and the transaction is rolled back.
inject "$T/good.sql" "$T/scs-hidden.sql" > /dev/null <<'EOF'
UPDATE pg_catalog.pg_settings SET setting = 'off' WHERE name = 'standard_' || 'conforming_strings';
CREATE TABLE public.after_flip (x text);
EOF
l=$(grep -n '^UPDATE pg_catalog.pg_settings' "$T/scs-hidden.sql" | cut -d: -f1)
expect_status 1 "$IMMICH_MIGRATE" import --dsn "$OWNER_DSN" "$T/scs-hidden.sql" 2> "$T/scs-hidden.err"
assert_contains "$T/scs-hidden.err" "scs-hidden.sql, line $l"
assert_contains "$T/scs-hidden.err" "standard_conforming_strings off, but the file's own SET lines say on"
assert_contains "$T/scs-hidden.err" "Nothing was changed: the transaction was rolled back."
unchanged scs-hidden
pass_step "a hidden change of standard_conforming_strings stops the load, rolled back"

# \connect inside the file's own BEGIN … COMMIT.
l=$(inject "$T/plain.sql" "$T/connect-in-txn.sql" <<'EOF'
BEGIN;
CREATE TABLE public.in_block (x integer);
\connect target
COMMIT;
EOF
)
refused connect-in-txn "$((l + 2))" "\\connect while the transaction opened on line $l is open"
l=$(inject "$T/plain.sql" "$T/connect-in-txn2.sql" <<'EOF'
BEGIN ISOLATION LEVEL SERIALIZABLE;
\connect target
ROLLBACK;
EOF
)
refused connect-in-txn2 "$((l + 1))" "\\connect while the transaction opened on line $l is open"

# ---- A: the import stage runs the dump as target_db_owner ----
psql_on src -d postgres -c "CREATE DATABASE stage OWNER immich" -c "CREATE DATABASE by_psql OWNER immich"
for db in stage by_psql; do
    psql_on src -d "$db" -c "ALTER SCHEMA public OWNER TO immich" -c "CREATE EXTENSION cube"
done
# the source has an extension (created by a superuser, as in Docker) with its comment
psql_on src -d source -c "CREATE EXTENSION cube"
pg_dump -h "$src_HOST" -U postgres source > "$T/ext.sql"
assert_contains "$T/ext.sql" "CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA public;"
assert_contains "$T/ext.sql" "COMMENT ON EXTENSION cube IS"
inject "$T/ext.sql" "$T/who.sql" > /dev/null <<'EOF'
CREATE TABLE public.whoami AS SELECT session_user::text AS s, current_user::text AS c, current_setting('is_superuser') AS su;
EOF
cat > "$T/stage.conf" <<EOF
target_dsn = "host=$src_HOST port=5432 user=postgres"
target_db_name = "stage"
target_db_owner = "immich"
EOF
mkdir -p "$T/state"
"$RUN_STAGE" -c "$T/stage.conf" -s "$T/state" -n import > "$T/dry.out" 2> "$T/dry.err" \
    || { cat "$T/dry.err"; fail "import stage dry run failed"; }
assert_contains "$T/dry.out" "user='immich' dbname='stage'"
assert_contains "$T/dry.out" "as the database owner immich (never a superuser)"
"$RUN_STAGE" -c "$T/stage.conf" -s "$T/state" "set:fixed_dump=$T/who.sql" "set:fixed_dump_sha256=$(sha256_of "$T/who.sql")" import > "$T/who.out" 2> "$T/who.err" \
    || { cat "$T/who.err"; fail "the import stage failed"; }
[ "$(psql_on src -d stage -Atc "SELECT s || ' ' || c || ' ' || su FROM public.whoami")" = "immich immich off" ] \
    || fail "the dump did not run as the owner: $(psql_on src -d stage -Atc 'TABLE public.whoami')"
assert_contains "$T/who.err" "extension cube exists already (prepare-db created it)"
assert_contains "$T/who.err" "COMMENT ON EXTENSION cube skipped: the extension belongs to postgres and already has this comment"
pass_step "the stage runs the dump logged in as immich, not a superuser"
# the result is what a superuser's psql restore gives
psql_on src -d by_psql -f "$T/who.sql" > /dev/null 2>&1 || fail "psql cannot load who.sql"
psql_on src -d by_psql -c "UPDATE public.whoami SET s = 'immich', c = 'immich', su = 'off'" \
    -c "ALTER TABLE public.whoami OWNER TO immich"
pg_dump -h "$src_HOST" -U postgres stage | grep -v '^\\\(un\)\?restrict ' > "$T/stage.txt"
pg_dump -h "$src_HOST" -U postgres by_psql | grep -v '^\\\(un\)\?restrict ' > "$T/by_psql.txt"
diff -u "$T/by_psql.txt" "$T/stage.txt" || fail "the owner's import differs from a superuser's psql restore"
[ "$(psql_on src -d stage -Atc "SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'cube'")" = \
  "$(psql_on src -d by_psql -Atc "SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = 'cube'")" ] \
    || fail "the extension's comment differs"
assert_not_contains "$T/who.err" "only superuser can analyze"
pass_step "the owner's import equals a superuser's psql restore"

# pg_dump --clean (Immich's own backups) drops each extension before creating it again: the
# owner leaves prepare-db's in place, and the result is again what a superuser's psql gives.
pg_dump --clean --if-exists -h "$src_HOST" -U postgres source > "$T/clean.sql"
assert_contains "$T/clean.sql" "DROP EXTENSION IF EXISTS cube;"
"$RUN_STAGE" -c "$T/stage.conf" -s "$T/state" "set:fixed_dump=$T/clean.sql" "set:fixed_dump_sha256=$(sha256_of "$T/clean.sql")" import > "$T/clean.out" 2> "$T/clean.err" \
    || { cat "$T/clean.err"; fail "the import stage failed on a --clean dump"; }
assert_contains "$T/clean.err" "DROP EXTENSION cube skipped: it belongs to postgres"
psql_on src -d by_psql -f "$T/clean.sql" > /dev/null 2>&1 || fail "psql cannot load clean.sql"
pg_dump -h "$src_HOST" -U postgres stage | grep -v '^\\\(un\)\?restrict ' > "$T/stage.txt"
pg_dump -h "$src_HOST" -U postgres by_psql | grep -v '^\\\(un\)\?restrict ' > "$T/by_psql.txt"
diff -u "$T/by_psql.txt" "$T/stage.txt" || fail "the owner's --clean import differs from a superuser's psql restore"
pass_step "a --clean dump loads as the owner like a superuser's psql restore"

# A superuser-only statement the scan lets through fails by privilege: the boundary is the
# role, not the scan.
psql_on src -d postgres -c "DROP DATABASE stage" -c "CREATE DATABASE stage OWNER immich"
psql_on src -d stage -c "ALTER SCHEMA public OWNER TO immich" -c "CREATE EXTENSION cube"
inject "$T/ext.sql" "$T/escalate.sql" > /dev/null <<'EOF'
UPDATE pg_catalog.pg_authid SET rolsuper = true WHERE rolname = 'immich';
EOF
snapshot "$T/before.txt"
"$RUN_STAGE" -c "$T/stage.conf" -s "$T/state" "set:fixed_dump=$T/escalate.sql" "set:fixed_dump_sha256=$(sha256_of "$T/escalate.sql")" import > "$T/esc.out" 2> "$T/esc.err" \
    && fail "the import of a superuser-only statement succeeded"
assert_contains "$T/esc.err" "permission denied for table pg_authid"
assert_contains "$T/esc.err" "Nothing was changed"
[ "$(psql_on src -d postgres -Atc "SELECT rolsuper FROM pg_roles WHERE rolname = 'immich'")" = f ] \
    || fail "immich became a superuser"
[ "$(psql_on src -d stage -Atc "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ] \
    || fail "the failed import left tables behind"
unchanged escalate
# and the owner's own login cannot make itself a superuser either
psql -X -h "$src_HOST" -U immich -d stage -c "ALTER ROLE immich SUPERUSER" > /dev/null 2> "$T/alter.err" \
    && fail "immich could make itself a superuser"
grep -qi "permission denied\|must be superuser" "$T/alter.err" || { cat "$T/alter.err"; fail "ALTER ROLE failed for another reason"; }
pass_step "a superuser-only statement fails by privilege, nothing changed"

# An owner that is a superuser is refused before anything runs.
psql_on src -d postgres -c "CREATE ROLE boss SUPERUSER LOGIN"
sed 's/^target_db_owner = .*/target_db_owner = "boss"/' "$T/stage.conf" > "$T/boss.conf"
"$RUN_STAGE" -c "$T/boss.conf" -s "$T/state" "set:fixed_dump=$T/ext.sql" "set:fixed_dump_sha256=$(sha256_of "$T/ext.sql")" import > "$T/boss.out" 2> "$T/boss.err" \
    && fail "a superuser owner was accepted"
assert_contains "$T/boss.err" "the database owner boss is a superuser"
[ "$(psql_on src -d stage -Atc "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ] \
    || fail "the refused import ran"
pass_step "a superuser as target_db_owner is refused"

# ---- I: import alone names the extension the dump really uses ----
psql_on src -d postgres -c "CREATE DATABASE noext OWNER immich"
NOEXT="host=$src_HOST port=5432 user=immich dbname=noext"
ext_case() { # NAME MESSAGE, stdin: the CREATE EXTENSION lines
    inject "$T/good.sql" "$T/$1.sql" > /dev/null
    expect_status 1 "$IMMICH_MIGRATE" import --dsn "$NOEXT" "$T/$1.sql" 2> "$T/$1.err"
    assert_contains "$T/$1.err" "nothing was run"
    assert_contains "$T/$1.err" "$2"
    [ "$(psql_on src -d noext -Atc "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ] \
        || fail "$1: the import ran"
    pass_step "$1: $2"
}
echo 'CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;' | ext_case pgvector \
    "Immich's pgvector mode): set services.immich.database.enableVectorChord = true; services.immich.environment.DB_VECTOR_EXTENSION = \"pgvector\";"
printf '%s\n' 'CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;' \
    'CREATE EXTENSION IF NOT EXISTS vchord WITH SCHEMA public;' | ext_case vectorchord \
    "uses VectorChord (extensions 'vchord' and 'vector'): set services.immich.database.enableVectorChord = true"
echo 'CREATE EXTENSION IF NOT EXISTS vectors WITH SCHEMA vectors;' | ext_case pgvectors \
    "uses pgvecto.rs (extension 'vectors'): set services.immich.database.enableVectors = true"
echo 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA public;' | ext_case untrusted-ext \
    "the extension 'pg_stat_statements' the dump uses is not created in database noext, and only a superuser may create it"

# ---- A, as root against peer authentication (NixOS): the dump runs from a child switched to
# the OS user named like the owner (here nobody), the only one peer lets in as that role ----
if [ "$(id -u)" != 0 ]; then
    printf 'NOTE: not root: the switch to the owner'"'"'s OS user is not exercised.\n'
    exit 0
fi
need runuser
id nobody > /dev/null 2>&1 || fail "no OS user nobody"
pg_start PEER peer
chmod 755 "$PEER_HOST" # the socket, for the OS user nobody
as_pg() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$PEER_HOST" -p 5432 -U postgres "$@"; }
as_pg -d postgres -c "CREATE ROLE nobody LOGIN" -c "CREATE DATABASE peerdb OWNER nobody"
as_pg -d peerdb -c "ALTER SCHEMA public OWNER TO nobody" -c "CREATE EXTENSION cube"
psql -X -h "$PEER_HOST" -p 5432 -U nobody -d peerdb -c 'SELECT 1' > /dev/null 2>&1 &&
    fail "root connected as nobody directly: the server is not using peer authentication"
sed 's/ OWNER TO immich;$/ OWNER TO nobody;/' "$T/who.sql" > "$T/who-nobody.sql"
cat > "$T/peer.conf" <<CONF
target_dsn = "host=$PEER_HOST port=5432 user=postgres"
target_db_name = "peerdb"
target_db_owner = "nobody"
CONF
"$RUN_STAGE" -c "$T/peer.conf" -s "$T/state" "set:fixed_dump=$T/who-nobody.sql" "set:fixed_dump_sha256=$(sha256_of "$T/who-nobody.sql")" import > "$T/peer.out" 2> "$T/peer.err" \
    || { cat "$T/peer.err"; fail "the import stage failed against peer authentication"; }
[ "$(as_pg -d peerdb -Atc "SELECT s || ' ' || c || ' ' || su FROM public.whoami")" = "nobody nobody off" ] \
    || fail "the dump did not run as nobody: $(as_pg -d peerdb -Atc 'TABLE public.whoami')"
pass_step "root: the dump ran from a child switched to the OS user of the owner (peer authentication)"
