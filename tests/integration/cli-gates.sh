#!/bin/sh
# The gates hold for the destructive subcommands too. While a migration is under way in the
# state directory (an unfinished journal: here the checks failed), prepare-db, import, copy and
# chown refuse, naming the gates that do not hold, and change nothing: the target database
# (whole pg_dump), the owners, DST. With --override NAMES they run and that migration's log
# records the override; while the migration holds its lock they refuse; with no journal in the
# state directory they run as before; a state directory others can write is refused.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
need pg_dump stat flock

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 4
state="$TEST_TMP/state"
alone="$TEST_TMP/alone"
log="$state/migration.log"
# A check fails: the target location is not empty.
mkdir -p "$TARGET_LOCATION"
echo stray >"$TARGET_LOCATION/stray.txt"
expect_status 1 "$IMMICH_MIGRATE" --batch --yes -c "$PLAN" --state-dir "$state" 2>"$TEST_TMP/batch.err"
assert_contains "$TEST_TMP/batch.err" 'stage "Discover & check" failed'
grep -q "^stage	discover	failed	" "$state/journal" || { cat "$state/journal"; fail "the checks did not fail"; }

"$PG_BINDIR/pg_dump" -h "$SRC_HOST" -p 5432 -U postgres "$SRC_DB" >"$TEST_TMP/raw.sql" ||
    fail "pg_dump of the source failed"
"$IMMICH_MIGRATE" fixup -c "$PLAN" --report "$TEST_TMP/fixup.report" "$TEST_TMP/raw.sql" \
    "$TEST_TMP/fixed.sql" 2>"$TEST_TMP/fixup.err" || { cat "$TEST_TMP/fixup.err"; fail "fixup failed"; }
dsn="host=$DST_HOST port=5432 user=postgres dbname=$DST_DB"
all_gates="the checks passed with the current settings; a verified backup of the library; the NixOS stage done (units stopped)"

fails() { # NAME COMMAND...: exit 1, stderr in $TEST_TMP/NAME.err
    name=$1; shift
    set +e; "$IMMICH_MIGRATE" "$@" </dev/null 2>"$TEST_TMP/$name.err"; got=$?; set -e
    [ "$got" = 1 ] || { cat "$TEST_TMP/$name.err"; fail "exit $got, not 1: $*"; }
}
refused() { # NAME GATES-TEXT OVERRIDE-NAMES COMMAND...: exit 1, the gates named, a hint
    name=$1 what=$2 names=$3; shift 3
    fails "$name" "$@"
    assert_contains "$TEST_TMP/$name.err" "a migration is under way in $state: refused: it needs first: $what (or run with --override $names)"
}
overridden() { # STAGE NAMES: the migration's log records the override of NAMES by STAGE
    grep -q "^[0-9]*	$1	override	.*override of $2: runs without " "$log" ||
        { cat "$log"; fail "no override of $2 for $1 in the log"; }
}
target_same() { # FILE: the target database is as in FILE
    e2e_target_dump "$TEST_TMP/now.sql"
    cmp -s "$1" "$TEST_TMP/now.sql" || { diff "$1" "$TEST_TMP/now.sql" | head -20; fail "$2"; }
}

# --- prepare-db ---
e2e_target_dump "$TEST_TMP/before.sql"
refused prepare "$all_gates" checks,backup,nixos \
    prepare-db -c "$PLAN" --dump "$TEST_TMP/fixed.sql" --yes --state-dir "$state"
target_same "$TEST_TMP/before.sql" "a refused prepare-db changed the target database"
# --override of some gates does not pass over the others.
refused prepare2 "$all_gates" checks,backup,nixos \
    prepare-db -c "$PLAN" --dump "$TEST_TMP/fixed.sql" --yes --state-dir "$state" --override checks
target_same "$TEST_TMP/before.sql" "prepare-db with a partial --override changed the target database"
grep -q "	override	" "$log" && fail "an override was logged for a refused run"
"$IMMICH_MIGRATE" prepare-db -c "$PLAN" --dump "$TEST_TMP/fixed.sql" --yes --state-dir "$state" \
    --override checks,backup,nixos </dev/null 2>"$TEST_TMP/prepare3.err" ||
    { cat "$TEST_TMP/prepare3.err"; fail "prepare-db --override failed"; }
overridden prepare_db checks,backup,nixos
e2e_target_dump "$TEST_TMP/prepared.sql"
cmp -s "$TEST_TMP/before.sql" "$TEST_TMP/prepared.sql" && fail "prepare-db --override changed nothing"
pass_step "prepare-db: refused inside the migration, runs with --override (logged)"

# --- import ---
refused import "$all_gates" checks,backup,nixos \
    import --dsn "$dsn" --state-dir "$state" "$TEST_TMP/fixed.sql"
target_same "$TEST_TMP/prepared.sql" "a refused import changed the target database"
"$IMMICH_MIGRATE" import --dsn "$dsn" --state-dir "$state" --override checks,backup,nixos \
    "$TEST_TMP/fixed.sql" 2>"$TEST_TMP/import2.err" ||
    { cat "$TEST_TMP/import2.err"; fail "import --override failed"; }
overridden import checks,backup,nixos
[ "$(sb_psql "$DST_HOST" "$DST_DB" -At -c "SELECT count(*) FROM asset")" = "$ASSETS" ] ||
    fail "import --override did not load the assets"
pass_step "import: refused inside the migration, runs with --override (logged)"

# --- copy ---
refused copy "the checks passed with the current settings; a verified backup of the library" checks,backup \
    copy "$UPLOAD_LOCATION" "$TEST_TMP/copy1" --state-dir "$state"
[ -e "$TEST_TMP/copy1" ] && fail "a refused copy created DST"
"$IMMICH_MIGRATE" copy "$UPLOAD_LOCATION" "$TEST_TMP/copy1" --state-dir "$state" \
    --override checks,backup 2>"$TEST_TMP/copy2.err" || { cat "$TEST_TMP/copy2.err"; fail "copy --override failed"; }
overridden copy checks,backup
[ -d "$TEST_TMP/copy1" ] || fail "copy --override did not create DST"
pass_step "copy: refused inside the migration, runs with --override (logged)"

# --- chown ---
owners() { find "$TARGET_LOCATION" -printf '%U:%G %p\n' | LC_ALL=C sort; }
owners >"$TEST_TMP/owners.before"
grep -q "^0:0 " "$TEST_TMP/owners.before" || fail "the target location is not root's to start with"
refused chown "$all_gates" checks,backup,nixos \
    chown "$TARGET_LOCATION" nobody:nogroup -c "$PLAN" --state-dir "$state" --yes
owners | cmp -s "$TEST_TMP/owners.before" - || fail "a refused chown changed owners"
[ -e "$state/owners.manifest" ] && fail "a refused chown saved the owners"
"$IMMICH_MIGRATE" chown "$TARGET_LOCATION" nobody:nogroup -c "$PLAN" --state-dir "$state" --yes \
    --override nixos,checks,backup 2>"$TEST_TMP/chown2.err" ||
    { cat "$TEST_TMP/chown2.err"; fail "chown --override failed"; }
overridden chown checks,backup,nixos
[ "$(stat -c %U "$TARGET_LOCATION/stray.txt")" = nobody ] || fail "chown --override changed no owner"
pass_step "chown: refused inside the migration, runs with --override (logged)"

# The log says which subcommand ran, and nothing of the migration itself moved.
for s in prepare_db import copy chown; do
    grep -q "^[0-9]*	$s	message	.* run alone by \"immich-migrate " "$log" ||
        { cat "$log"; fail "the log does not say that $s ran alone"; }
done
grep -q "^stage	discover	failed	" "$state/journal" || fail "the subcommands changed the journal"
"$IMMICH_MIGRATE" --report="$state" >"$TEST_TMP/report.md"
sed -n '/^## Overrides/,/^## /p' "$TEST_TMP/report.md" >"$TEST_TMP/overrides.md"
for s in "Prepare database" "Import dump" "Set owner"; do
    grep -F "[$s]" "$TEST_TMP/overrides.md" | grep -qF "override of" ||
        { cat "$TEST_TMP/report.md"; fail "the report does not list the override of $s"; }
done
pass_step "the migration's log and report record the subcommands and their overrides"

# While the migration itself runs (its lock is held), a subcommand does not start.
flock "$state/lock" sleep 60 &
holder=$!
at_exit "kill $holder 2>/dev/null || true"
tries=0
while flock -n "$state/lock" true; do
    tries=$((tries + 1)); [ "$tries" -lt 300 ] || fail "the lock was never taken"; sleep 0.1
done
fails locked copy "$UPLOAD_LOCATION" "$TEST_TMP/copy4" --state-dir "$state" --override checks,backup
assert_contains "$TEST_TMP/locked.err" "is working on $state"
[ -e "$TEST_TMP/copy4" ] && fail "copy ran while the migration held its lock"
kill "$holder"; wait "$holder" 2>/dev/null || true
pass_step "a subcommand is refused while the migration holds its lock"

# --- no journal in the state directory: as before ---
"$IMMICH_MIGRATE" prepare-db -c "$PLAN" --dump "$TEST_TMP/fixed.sql" --yes --state-dir "$alone" \
    </dev/null 2>"$TEST_TMP/alone-prepare.err" || { cat "$TEST_TMP/alone-prepare.err"; fail "prepare-db alone failed"; }
target_same "$TEST_TMP/prepared.sql" "prepare-db alone did not empty the target database"
"$IMMICH_MIGRATE" import --dsn "$dsn" --state-dir "$alone" "$TEST_TMP/fixed.sql" 2>"$TEST_TMP/alone-import.err" ||
    { cat "$TEST_TMP/alone-import.err"; fail "import alone failed"; }
"$IMMICH_MIGRATE" copy "$UPLOAD_LOCATION" "$TEST_TMP/copy2" --state-dir "$alone" 2>"$TEST_TMP/alone-copy.err" ||
    { cat "$TEST_TMP/alone-copy.err"; fail "copy alone failed"; }
[ -d "$TEST_TMP/copy2" ] || fail "copy alone did not create DST"
"$IMMICH_MIGRATE" chown "$TARGET_LOCATION" root:root -c "$PLAN" --state-dir "$alone" --yes \
    2>"$TEST_TMP/alone-chown.err" || { cat "$TEST_TMP/alone-chown.err"; fail "chown alone failed"; }
[ "$(stat -c %U "$TARGET_LOCATION/stray.txt")" = root ] || fail "chown alone changed no owner"
[ -e "$alone/journal" ] || [ -e "$alone/migration.log" ] && fail "a subcommand alone made a journal or log"
pass_step "no journal in the state directory: the subcommands run as before"

# --- a state directory others can write is not believed ---
mkdir -m 0777 "$TEST_TMP/open"
fails open copy "$UPLOAD_LOCATION" "$TEST_TMP/copy3" --state-dir "$TEST_TMP/open"
assert_contains "$TEST_TMP/open.err" "refusing the state directory $TEST_TMP/open"
[ -e "$TEST_TMP/copy3" ] && fail "copy with an unsafe state directory created DST"
pass_step "a state directory others can write is refused"
