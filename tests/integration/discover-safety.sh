#!/bin/sh
# Places others can write and limits on outside input (issue 10, D and E), on the sandbox:
#  - backup_dir and the state directory must be writable only by us (root): the checks fail,
#    batch mode and the subcommands that write there (dump, fixup, backup) refuse, and nothing
#    is written; a parent others can write (not sticky), or a symlink in one, counts too;
#  - the fixed dump's SHA-256 is recorded by fixup and a dump changed afterwards is refused by
#    the import before the database is touched;
#  - a .env whose nested ${VAR}s explode is a clear error, not an abort;
#  - names starting with "-" and a bad immich_url are refused before any program runs;
#  - a media_owner that does not exist fails the checks before Docker is stopped.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need grep sed sha256sum chown stat
[ "$(id -u)" = 0 ] || fail "this test needs root (directories owned by another user)"
runner=$top_builddir/tests/integration/discover-run-stage
[ -x "$runner" ] || fail "$runner is missing (built by make check)"

sb=$TEST_TMP/sb
sandbox_create "$sb"
state=$TEST_TMP/state
out=$TEST_TMP/out
errf=$TEST_TMP/err

run_status() { # run_status N ARGS...: immich-migrate ARGS, stdout in $out, stderr in $errf
    want=$1; shift
    set +e; "$IMMICH_MIGRATE" "$@" >"$out" 2>"$errf"; got=$?; set -e
    [ "$got" = "$want" ] || { cat "$out" "$errf"; fail "expected exit $want, got $got: $*"; }
}
plan_with() { # plan_with FILE KEY VALUE: the sandbox's plan with KEY set to VALUE
    { grep -v "^$2 *=" "$PLAN"; printf '%s = %s\n' "$2" "$3"; } >"$1"
}
assert_empty_dir() {
    [ -z "$(ls -A "$1")" ] || { ls -la "$1"; fail "something was written into $1"; }
}
assert_no_stop() {
    if grep -q "^docker	stop" "$CALLS_LOG"; then cat "$CALLS_LOG"; fail "docker stop was called"; fi
}

# --- backup_dir: 0777 and owned by nobody ------------------------------------------------------
shared=$TEST_TMP/shared
mkdir "$shared" && chown nobody "$shared" && chmod 777 "$shared"
plan_with "$TEST_TMP/plan-shared" backup_dir "$shared"
run_status 1 check -c "$TEST_TMP/plan-shared" --state-dir "$state"
grep -q "^FAIL  Backup and state directories: backup_dir $shared: $shared is owned by user nobody" "$out" ||
    { cat "$out"; fail "a nobody-owned backup_dir passed the checks"; }
: >"$CALLS_LOG"
run_status 1 --batch --yes -c "$TEST_TMP/plan-shared" --state-dir "$state"
assert_contains "$errf" "FAIL Backup and state directories: backup_dir $shared"
assert_contains "$errf" 'stage "Discover & check" failed'
assert_no_stop
assert_empty_dir "$shared"
pass_step "a 0777 backup_dir owned by nobody fails the checks; batch stops before Docker, writes nothing"

# A resume removes half-written outputs of ours from backup_dir, but never from one others can
# write: there the name may be theirs.
runuser -u nobody -- touch "$shared/immich-dump-theirs.sql.zst.partial"
run_status 1 --batch --yes --resume -c "$TEST_TMP/plan-shared" --state-dir "$state"
[ -e "$shared/immich-dump-theirs.sql.zst.partial" ] || fail "a resume removed a file from a backup_dir others can write"
rm -f "$shared/immich-dump-theirs.sql.zst.partial"
pass_step "a resume removes nothing from a backup_dir others can write"

# The subcommands that write there refuse it too, before running anything.
: >"$CALLS_LOG"
run_status 1 dump -c "$TEST_TMP/plan-shared"
assert_contains "$errf" "refusing backup_dir $shared: $shared is owned by user nobody"
run_status 1 dump -c "$PLAN" "$shared/explicit.sql.zst"
assert_contains "$errf" "refusing the output directory $shared"
if grep -q pg_dump "$CALLS_LOG"; then fail "pg_dump ran for a refused directory"; fi
: >"$TEST_TMP/in.sql"
run_status 1 fixup -c "$PLAN" "$TEST_TMP/in.sql" "$shared/fixed.sql"
assert_contains "$errf" "refusing the output directory $shared"
run_status 1 backup "$UPLOAD_LOCATION" "$shared/library.tar.zst"
assert_contains "$errf" "refusing the output directory $shared"
assert_empty_dir "$shared"
pass_step "dump, fixup and backup refuse such a directory and write nothing"

# --- the mode alone, a parent others can write, a symlink in it, a sticky parent --------------
open=$TEST_TMP/open
mkdir -m 777 "$open"
chmod 777 "$open" # whatever the umask
plan_with "$TEST_TMP/plan-open" backup_dir "$open"
run_status 1 check -c "$TEST_TMP/plan-open" --state-dir "$state"
grep -q "^FAIL  Backup and state directories: backup_dir $open: $open is writable by other users (mode 0777)" "$out" ||
    { cat "$out"; fail "a root-owned 0777 backup_dir passed"; }
mkdir -m 700 "$open/mine"
plan_with "$TEST_TMP/plan-under" backup_dir "$open/mine"
run_status 1 check -c "$TEST_TMP/plan-under" --state-dir "$state"
grep -q "^FAIL  Backup and state directories: backup_dir $open/mine: $open is writable by other users (mode 0777)" "$out" ||
    { cat "$out"; fail "a backup_dir in a 0777 parent passed"; }
mkdir -m 700 "$TEST_TMP/private"
ln -s "$TEST_TMP/private" "$open/link"
plan_with "$TEST_TMP/plan-link" backup_dir "$open/link"
run_status 1 check -c "$TEST_TMP/plan-link" --state-dir "$state"
grep -q "^FAIL  Backup and state directories: backup_dir $open/link: $open is writable by other users" "$out" ||
    { cat "$out"; fail "a symlink in a 0777 directory passed"; }
# A sticky shared parent (like /tmp) is fine when the entry is ours, not when it is another's.
sticky=$TEST_TMP/sticky
mkdir -m 1777 "$sticky" && chmod 1777 "$sticky"
mkdir -m 700 "$sticky/ours" "$sticky/theirs"
chown nobody "$sticky/theirs"
plan_with "$TEST_TMP/plan-ours" backup_dir "$sticky/ours/not-yet"
run_status 0 check -c "$TEST_TMP/plan-ours" --state-dir "$state"
grep -q "^PASS  Backup and state directories" "$out" || { cat "$out"; fail "no PASS for our dir in a sticky one"; }
plan_with "$TEST_TMP/plan-theirs" backup_dir "$sticky/theirs/sub"
run_status 1 check -c "$TEST_TMP/plan-theirs" --state-dir "$state"
grep -q "^FAIL  Backup and state directories: backup_dir $sticky/theirs/sub: $sticky/theirs is owned by user nobody" "$out" ||
    { cat "$out"; fail "another user's directory in a sticky one passed"; }
pass_step "group/world-writable dirs and parents refused; a sticky parent only with our entry"

# --- the state directory -----------------------------------------------------------------------
sstate=$TEST_TMP/shared-state
mkdir "$sstate" && chown nobody "$sstate" && chmod 777 "$sstate"
: >"$CALLS_LOG"
run_status 1 --batch --yes -c "$PLAN" --state-dir "$sstate"
assert_contains "$errf" "refusing the state directory $sstate: $sstate is owned by user nobody"
assert_empty_dir "$sstate"
[ ! -s "$CALLS_LOG" ] || { cat "$CALLS_LOG"; fail "programs ran with a refused state directory"; }
run_status 1 check -c "$PLAN" --state-dir "$sstate"
grep -q "^FAIL  Backup and state directories: state directory $sstate: $sstate is owned by user nobody" "$out" ||
    { cat "$out"; fail "a nobody-owned state directory passed the checks"; }
assert_empty_dir "$sstate" # not even the dangling-paths list
pass_step "a 0777 state directory owned by nobody: batch refuses, check fails, nothing written"

# --- the fixed dump's checksum ---------------------------------------------------------------
"$runner" -c "$PLAN" -s "$state" discover stop_docker dump fixup artifacts >"$TEST_TMP/stages.out" 2>&1 ||
    { cat "$TEST_TMP/stages.out"; fail "discover..fixup failed"; }
fixed=$(sed -n 's/^fixed_dump=//p' "$TEST_TMP/stages.out")
sum=$(sed -n 's/^fixed_dump_sha256=//p' "$TEST_TMP/stages.out")
[ -f "$fixed" ] || { cat "$TEST_TMP/stages.out"; fail "no fixed dump"; }
[ "$sum" = "$(sha256sum <"$fixed" | cut -d' ' -f1)" ] || fail "fixed_dump_sha256 $sum is not the dump's SHA-256"
cp -p "$fixed" "$TEST_TMP/fixed.orig"
sed -i '1a CREATE TABLE public.tampered (x integer);' "$fixed"
set +e
"$runner" -c "$PLAN" -s "$state" "set:fixed_dump=$fixed" "set:fixed_dump_sha256=$sum" prepare_db import \
    >"$TEST_TMP/import.out" 2>&1
rc=$?
set -e
[ $rc = 1 ] || { cat "$TEST_TMP/import.out"; fail "a changed fixed dump was imported (exit $rc)"; }
assert_contains "$TEST_TMP/import.out" "FAILED import: $fixed was changed after the fix-up stage wrote it"
n=$(sb_psql "$DST_HOST" "$DST_DB" -At -c "select count(*) from pg_tables where schemaname = 'public'")
[ "$n" = 0 ] || fail "the import touched the database ($n tables)"
cp -p "$TEST_TMP/fixed.orig" "$fixed"
"$runner" -c "$PLAN" -s "$state" "set:fixed_dump=$fixed" "set:fixed_dump_sha256=$sum" prepare_db import \
    >"$TEST_TMP/import2.out" 2>&1 || { cat "$TEST_TMP/import2.out"; fail "the unchanged fixed dump was refused"; }
n=$(sb_psql "$DST_HOST" "$DST_DB" -At -c "select count(*) from pg_tables where schemaname = 'public' and tablename = 'tampered'")
[ "$n" = 0 ] || fail "the tampered table is there"
"$DOCKER" start immich_server immich_machine_learning >/dev/null
pass_step "fixup records the fixed dump's SHA-256; a dump changed after it is refused by the import"

# --- a .env whose nested variables explode ----------------------------------------------------
cp "$COMPOSE_DIR/.env" "$TEST_TMP/env.orig"
{
    printf 'A=%0100d\n' 0
    for v in B C D E F G H I J K; do
        prev=$(printf '%s' "$v" | tr 'B-K' 'A-J')
        printf '%s=' "$v"
        i=0; while [ $i -lt 40 ]; do printf '${%s}' "$prev"; i=$((i + 1)); done
        printf '\n'
    done
} >>"$COMPOSE_DIR/.env"
line=$(($(wc -l <"$TEST_TMP/env.orig") + 3))
run_status 1 check -c "$PLAN" --state-dir "$state"
grep -q "^FAIL  Compose .env: $COMPOSE_DIR/.env:$line: the value expands to more than 64 KiB" "$out" ||
    { cat "$out" "$errf"; fail "no clear error for the exploding .env (line $line)"; }
cp "$TEST_TMP/env.orig" "$COMPOSE_DIR/.env"
pass_step "a .env with exploding \${VAR}s: a clear error naming the line, no abort"

# --- option-like names and a bad URL: refused before anything runs --------------------------------
cp "$COMPOSE_DIR/.env" "$TEST_TMP/env.dash"
plan_with "$TEST_TMP/plan-dash" db_database_name "--file=/tmp/x"
: >"$CALLS_LOG"
run_status 2 check -c "$TEST_TMP/plan-dash" --state-dir "$state"
assert_contains "$errf" 'db_database_name: must not start with "-"'
run_status 1 dump -c "$TEST_TMP/plan-dash"
assert_contains "$errf" 'db_database_name: must not start with "-"'
run_status 1 --batch --yes -c "$TEST_TMP/plan-dash" --state-dir "$TEST_TMP/state-dash"
assert_contains "$errf" 'FAIL Settings: db_database_name: must not start with "-"'
[ ! -s "$CALLS_LOG" ] || { cat "$CALLS_LOG"; fail "programs ran with an option-like database name"; }
plan_with "$TEST_TMP/plan-url" immich_url "http://h:99999999"
run_status 2 check -c "$TEST_TMP/plan-url" --state-dir "$state"
assert_contains "$errf" "immich_url: the port must be a number from 1 to 65535"
# The same name from .env: refused by the checks; psql got it as one --dbname= word.
grep -v '^db_database_name *=' "$PLAN" >"$TEST_TMP/plan-env"
sed -i 's/^DB_DATABASE_NAME=.*/DB_DATABASE_NAME=-x/' "$COMPOSE_DIR/.env"
grep -q '^DB_DATABASE_NAME=-x' "$COMPOSE_DIR/.env" || echo 'DB_DATABASE_NAME=-x' >>"$COMPOSE_DIR/.env"
: >"$CALLS_LOG"
run_status 1 check -c "$TEST_TMP/plan-env" --state-dir "$state"
grep -q '^FAIL  Settings: db_database_name: must not start with "-"' "$out" || { cat "$out"; fail "-x from .env passed"; }
if grep '	psql	' "$CALLS_LOG" | grep -v '	--dbname=-x	' | grep -q .; then
    cat "$CALLS_LOG"; fail "psql got the database name other than as --dbname=-x"
fi
cp "$TEST_TMP/env.dash" "$COMPOSE_DIR/.env"
pass_step "names starting with - and a port out of range are refused before anything runs"

# --- a media_owner that does not exist -------------------------------------------------------------
plan_with "$TEST_TMP/plan-owner" media_owner "no-such-user-im:nogroup"
run_status 1 check -c "$TEST_TMP/plan-owner" --state-dir "$state"
grep -q "^FAIL  Media owner: user no-such-user-im does not exist" "$out" || { cat "$out"; fail "a missing media owner passed"; }
: >"$CALLS_LOG"
run_status 1 --batch --yes -c "$TEST_TMP/plan-owner" --state-dir "$TEST_TMP/state-owner"
assert_contains "$errf" "FAIL Media owner: user no-such-user-im does not exist"
assert_no_stop
pass_step "a media_owner that does not exist fails the checks; Docker is not stopped"
