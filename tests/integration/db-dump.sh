#!/bin/sh
# dump: success (the dump restores to the same database), pg_dump failure and a dump cut off
# midway (no file left, the error shown); Immich's automatic .sql.gz backups of both kinds
# (pg_dumpall cluster dump and pg_dump --clean) listed newest first with their version, and
# fixed up into importable dumps.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
. "$top_srcdir/tests/integration/db-lib.sh"
need psql pg_dump zstd gzip

SB=$TEST_TMP/sb
sandbox_create "$SB" --assets 12
conf=$SB/immich-migrate.conf

# --- success ---
"$IMMICH_MIGRATE" dump -c "$conf" >"$TEST_TMP/dump.out" 2>"$TEST_TMP/dump.err" || { cat "$TEST_TMP/dump.err"; fail "dump failed"; }
out=$(cat "$TEST_TMP/dump.out")
case $out in "$BACKUP_DIR"/immich-*.sql.zst) ;; *) fail "unexpected dump path: $out" ;; esac
[ "$(stat -c %a "$out")" = 600 ] || fail "dump is not mode 0600"
assert_contains "$CALLS_LOG" "$(printf 'exec\timmich_postgres\tpg_dump\t--username=postgres\t--dbname=immich')"
grep "pg_dump" "$CALLS_LOG" | grep -q "$(printf '\t-t')" && fail "docker exec called with -t"
assert_contains "$TEST_TMP/dump.err" "pg_database_size"
sb_psql "$DST_HOST" postgres -c "CREATE DATABASE restored"
# (the guide's search_path sed: earthdistance objects do not restore without it)
zstd -dc "$out" | sed "s/SELECT pg_catalog.set_config('search_path', '', false);/SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', true);/" |
    sb_psql "$DST_HOST" restored -f - >/dev/null
db_canonical_dump "$SRC_HOST" immich >"$TEST_TMP/src.txt"
db_canonical_dump "$DST_HOST" restored >"$TEST_TMP/restored.txt"
cmp -s "$TEST_TMP/src.txt" "$TEST_TMP/restored.txt" || fail "the dump does not restore to the source database"
"$IMMICH_MIGRATE" dump --check "$out" || fail "--check refuses a complete dump"
"$IMMICH_MIGRATE" dump -c "$conf" --plain "$TEST_TMP/plain.sql" >/dev/null 2>&1 || fail "plain dump failed"
tail -c 300 "$TEST_TMP/plain.sql" | grep -q "dump complete" || fail "plain dump lacks its end"
expect_status 1 "$IMMICH_MIGRATE" dump -c "$conf" --plain "$TEST_TMP/plain.sql" 2>/dev/null  # O_EXCL
pass_step "dump succeeds, restores to the source, never uses -t"

# --- pg_dump fails ---
n_before=$(ls "$BACKUP_DIR" | wc -l)
IMMICH_SANDBOX_FAIL_PG_DUMP=1 expect_status 1 "$IMMICH_MIGRATE" dump -c "$conf" 2>"$TEST_TMP/fail.err"
assert_contains "$TEST_TMP/fail.err" "pg_dump failed"
assert_contains "$TEST_TMP/fail.err" "server closed the connection unexpectedly"
[ "$(ls "$BACKUP_DIR" | wc -l)" = "$n_before" ] || fail "a failed dump left a file"
pass_step "pg_dump failure: error shown, no file left"

# --- cut off midway (pg_dump exits 0) ---
size=$(stat -c %s "$TEST_TMP/plain.sql")
IMMICH_SANDBOX_TRUNCATE_DUMP=$((size / 2)) expect_status 1 "$IMMICH_MIGRATE" dump -c "$conf" 2>"$TEST_TMP/cut.err"
assert_contains "$TEST_TMP/cut.err" "incomplete"
[ "$(ls "$BACKUP_DIR" | wc -l)" = "$n_before" ] || fail "a cut-off dump left a file"
head -c $((size / 2)) "$TEST_TMP/plain.sql" >"$TEST_TMP/cut.sql"
expect_status 1 "$IMMICH_MIGRATE" dump --check "$TEST_TMP/cut.sql" 2>/dev/null
expect_status 1 "$IMMICH_MIGRATE" fixup -c "$conf" "$TEST_TMP/cut.sql" "$TEST_TMP/cut-fixed.sql" 2>/dev/null
[ ! -e "$TEST_TMP/cut-fixed.sql" ] || fail "fixup of a cut-off dump left its output"
pass_step "a dump cut off midway is refused"

# --- Immich backups: the sandbox's cluster dump plus a pg_dump --clean one, an older name
# without version, and a .tmp that must be ignored ---
bk=$UPLOAD_LOCATION/backups
cluster=$IMMICH_BACKUP
pg_dump -h "$SRC_HOST" -p 5432 -U postgres --clean --if-exists immich | gzip >"$bk/immich-db-backup-1700000000000.sql.gz"
touch -d '2020-01-01' "$bk/immich-db-backup-1700000000000.sql.gz"
echo partial | gzip >"$bk/immich-db-backup-20991231T000000-v9.9.9-pg14.sql.gz.tmp"
"$IMMICH_MIGRATE" dump -c "$conf" --list-backups >"$TEST_TMP/list.txt" || fail "--list-backups failed"
cat "$TEST_TMP/list.txt"
[ "$(wc -l <"$TEST_TMP/list.txt")" = 2 ] || fail "expected 2 backups"
head -n 1 "$TEST_TMP/list.txt" | grep -qF "$cluster" || fail "newest backup is not first"
want_version=$(sb_psql "$SRC_HOST" immich -At -c "SELECT version FROM version_history ORDER BY \"createdAt\" DESC LIMIT 1")
sed -n 2p "$TEST_TMP/list.txt" | grep -qF "Immich $want_version" || fail "version from version_history not shown"
head -n 1 "$TEST_TMP/list.txt" | grep -qF "Immich $IMMICH_VERSION" || fail "version from the name not shown"

n=0
for b in "$cluster" "$bk/immich-db-backup-1700000000000.sql.gz"; do
    n=$((n + 1))
    "$IMMICH_MIGRATE" fixup -c "$conf" --map "$EXTERNAL_MOUNT=$EXTERNAL_LOCATION" --report "$TEST_TMP/r$n.txt" \
        "$b" "$TEST_TMP/bk$n.sql" 2>/dev/null || fail "fixup of $b failed"
    grep -q '^\\connect' "$TEST_TMP/bk$n.sql" && fail "a \\connect line was left in $b"
    grep -q 'CREATE ROLE\|DROP DATABASE' "$TEST_TMP/bk$n.sql" && fail "cluster parts left in $b"
    sb_psql "$DST_HOST" postgres -c "CREATE DATABASE bk$n"
    sb_psql "$DST_HOST" "bk$n" -1 -f "$TEST_TMP/bk$n.sql" >/dev/null || fail "import of fixed $b failed"
    bad=$(sb_psql "$DST_HOST" "bk$n" -At -c "SELECT count(*) FROM asset WHERE \"originalPath\" NOT LIKE '$TARGET_LOCATION/%' AND \"originalPath\" NOT LIKE '$EXTERNAL_LOCATION/%'")
    [ "$bad" = 0 ] || fail "$bad unmapped paths after fixing $b"
    src_n=$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset")
    got_n=$(sb_psql "$DST_HOST" "bk$n" -At -c "SELECT count(*) FROM asset")
    [ "$src_n" = "$got_n" ] || fail "asset count $got_n, source $src_n"
done
assert_contains "$TEST_TMP/r1.txt" "Cluster dump (pg_dumpall): only database 'immich' was kept."
pass_step "Immich backups: listed newest first with versions; both kinds fixed and imported"
