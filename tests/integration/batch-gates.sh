#!/bin/sh
# The gates in batch mode: a failed check stops the batch before anything changes; only
# --override NAME passes over a gate, and every stage that ran without its gate says so in the
# log and in --report. --override is refused outside --batch and for unknown names.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"

expect_status 2 "$IMMICH_MIGRATE" --batch --override bogus --state-dir "$TEST_TMP/s0" 2>"$TEST_TMP/err"
assert_contains "$TEST_TMP/err" 'unknown gate "bogus" (known: checks,backup,nixos)'
expect_status 2 "$IMMICH_MIGRATE" --override checks --state-dir "$TEST_TMP/s0" </dev/null 2>"$TEST_TMP/err"
assert_contains "$TEST_TMP/err" "--override is for --batch"
[ -e "$TEST_TMP/s0" ] && fail "a refused command line created the state directory"
pass_step "--override: unknown names and use outside --batch are refused"

# The dry run shows the table: what each stage changes and what it needs first.
"$IMMICH_MIGRATE" --dry-run --state-dir "$TEST_TMP/s0" >"$TEST_TMP/dry"
sed -n '/^## 9\. Prepare database/,/^## 10\./p' "$TEST_TMP/dry" >"$TEST_TMP/dry-prepare"
assert_contains "$TEST_TMP/dry-prepare" "Changes: drops and recreates the target database's schemas."
assert_contains "$TEST_TMP/dry-prepare" "Needs first: the checks passed with the current settings; a verified backup of the library; the NixOS stage done (units stopped)."
pass_step "--dry-run shows what each stage changes and needs first"

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 4
state="$TEST_TMP/state"
log="$state/migration.log"
target=$(sed -n 's/^target_location *= *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$PLAN")
# A check fails: the target location is not empty.
mkdir -p "$target"
echo stray >"$target/stray.txt"

expect_status 1 "$IMMICH_MIGRATE" --batch --yes -c "$PLAN" --state-dir "$state" 2>"$TEST_TMP/err"
assert_contains "$TEST_TMP/err" 'stage "Discover & check" failed'
grep -q "^docker	stop	" "$sb/calls.log" && fail "docker stop ran after a failed check"
grep -q "	override	" "$log" && fail "an override was logged without --override"
pass_step "a failed check stops the batch before anything changes"

# --override backup does not pass over the checks.
expect_status 1 "$IMMICH_MIGRATE" --batch --yes --resume --override backup -c "$PLAN" --state-dir "$state" 2>"$TEST_TMP/err"
assert_contains "$TEST_TMP/err" 'stage "Discover & check" failed'
grep -q "^docker	stop	" "$sb/calls.log" && fail "docker stop ran with the checks failed and not overridden"
pass_step "--override of another gate does not pass over the checks"

"$IMMICH_MIGRATE" --batch --yes --resume --override checks -c "$PLAN" --state-dir "$state" 2>"$TEST_TMP/err" ||
    { cat "$TEST_TMP/err"; fail "the batch with --override checks failed"; }
assert_contains "$TEST_TMP/err" "going on (--override)"
for s in stop_docker backup dump fixup nixos prepare_db import copy chown start; do
    grep -q "^[0-9]*	$s	override	.*override of checks: runs without the checks passed" "$log" ||
        { cat "$log"; fail "no override record for $s"; }
done
grep -q "	verify_backup	override	" "$log" && fail "verify_backup needs no gate but logged an override"
"$IMMICH_MIGRATE" --report="$state" >"$TEST_TMP/report.md"
sed -n '/^## Overrides/,/^## /p' "$TEST_TMP/report.md" >"$TEST_TMP/overrides.md"
for s in "Stop Docker" "Prepare database" "Import dump" "Set owner"; do
    grep -F "[$s]" "$TEST_TMP/overrides.md" | grep -qF "override of checks" ||
        { cat "$TEST_TMP/report.md"; fail "the report does not list the override of $s"; }
done
pass_step "--override checks: the migration runs, every gated stage's override is in the log and the report"
