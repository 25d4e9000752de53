#!/bin/bash
# --report of a finished, a failed and an interrupted migration of the sandbox (issue 7):
# every stage with its status and time, the commands with exit status and duration, errors in
# full (and --review in tmux shows the failed one's errors), and no password anywhere: neither the sandbox's DB_PASSWORD nor the one in the target
# DSN may appear in the report, the log, the journal or the program's output.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
need setsid timeout

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 8
pristine="$TEST_TMP/pristine"
e2e_snapshot "$sb" "$pristine"
conf="$TEST_TMP/plan.conf"
secret="dsn-secret-$$"
sed "s|^target_dsn = .*|target_dsn = \"host=$DST_HOST port=5432 user=postgres password=$secret\"|" \
    "$PLAN" >"$conf"
grep -q "password=$secret" "$conf" || fail "could not put a password into the plan"

titles=("Discover & check" "Pre-copy library" "Stop Docker" "Back up library" "Verify backup" "Dump database"
        "Fix up dump" "Configure NixOS" "Prepare database" "Import dump" "Copy library"
        "Set owner" "Start Immich" "Verify")

# stage_row REPORT N: the table row of stage N ("| N | title | status | time | note |").
human_time='([0-9]+\.[0-9] s|[0-9]+ s|[0-9]+ min [0-9]{2} s|[0-9]+ h [0-9]{2} min)'
stage_row() { grep "^| $2 | " "$1" || { cat "$1"; fail "the report has no row for stage $2"; }; }
row_field() { stage_row "$1" "$2" | awk -F' [|] ' -v f="$3" '{ print $f }'; }

no_secrets() { # no_secrets FILE...
    for f in "$@"; do
        assert_not_contains "$f" "$secret"
        assert_not_contains "$f" "$SRC_DB_PASSWORD"
    done
}

report() { # report STATE OUT
    "$IMMICH_MIGRATE" --report="$1" >"$2" 2>"$2.err" || { cat "$2.err"; fail "--report=$1 failed"; }
    no_secrets "$2" "$2.err" "$1/migration.log" "$1/journal"
}

# ---------------------------------------------------------------- finished
state="$TEST_TMP/finished"
"$IMMICH_MIGRATE" --batch -c "$conf" --state-dir "$state" --yes 2>"$TEST_TMP/finished.err" ||
    { tail -n 20 "$TEST_TMP/finished.err"; fail "the migration failed"; }
no_secrets "$TEST_TMP/finished.err"
report "$state" "$TEST_TMP/finished.md"
md="$TEST_TMP/finished.md"
for i in "${!titles[@]}"; do
    n=$((i + 1))
    [ "$(row_field "$md" $n 2)" = "${titles[$i]}" ] || fail "stage $n is not ${titles[$i]}: $(stage_row "$md" $n)"
    [ "$(row_field "$md" $n 3)" = done ] || fail "stage $n not done: $(stage_row "$md" $n)"
    row_field "$md" $n 4 | grep -qE "^$human_time\$" || fail "stage $n has no time in human units: $(stage_row "$md" $n)"
    grep -qF "### ${titles[$i]} (" "$md" || fail "the log has no section for ${titles[$i]}"
done
# The real downtime: from the end of Stop Docker to the end of Start Immich, as the log's own
# records give it (whole seconds; a small sandbox can be down for less than one)
down=$(awk -F'\t' '!/^#/ && $3 == "message" && $5 >= 0 && $2 == "stop_docker" { stop = $1 }
    !/^#/ && $3 == "message" && $5 >= 0 && $2 == "start" { start = $1 }
    END { if (stop == "" || start == "") exit 1; d = start - stop
          if (d < 10) printf "%.1f s", d; else if (d < 60) printf "%d s", d
          else printf "%d min %02d s", d / 60, d % 60 }' "$state/migration.log") ||
    fail "the log does not show Stop Docker and Start Immich finishing"
grep -qxF "Immich was down for $down (from the end of Stop Docker to the end of Start Immich)." "$md" ||
    { grep -i "down" "$md"; fail "the report lacks the real downtime ($down)"; }
# Commands with their exit status and duration, exactly as run.
grep -qE "^- [0-9:]+ UTC \*\*command\*\* \(exit 0\) [0-9]+\.[0-9]{2} s.*: \`$DOCKER stop immich_server immich_machine_learning\`" "$md" ||
    fail "the report lacks the docker stop command with exit status and duration"
grep -qE "\*\*command\*\* \(exit 0\) [0-9]+\.[0-9]{2} s.*: \`$SYSTEMCTL start immich-server.service immich-machine-learning.service\`" "$md" ||
    fail "the report lacks the systemctl start command"
grep -qF 'DROP SCHEMA IF EXISTS public CASCADE' "$md" || fail "the report lacks prepare-db's SQL"
grep -qF "COMMIT" "$md" || fail "the report lacks the import's COMMIT"
grep -qE "copied [0-9]+ files" "$md" || fail "the report does not say what the copy changed"
grep -qF "## Errors" "$md" && fail "a finished migration reports errors"
pass_step "finished: 14 stages done with times, commands with exit status and duration, no password"
# The names people read: stage titles, never the journal's ids; sizes in human units.
if grep -nE 'stop_docker|verify_backup|prepare_db' "$md" "$TEST_TMP/finished.err"; then
    fail "an internal stage id in --report or the batch output"
fi
grep -qF "[Back up library] progress: " "$TEST_TMP/finished.err" || fail "batch progress is not named by the stage's title"
grep -qE "progress: [0-9.]+ (B|KiB|MiB) of [0-9.]+ (B|KiB|MiB) \([0-9]+%\)" "$TEST_TMP/finished.err" ||
    fail "batch progress in bytes is not in human units: $(grep -m3 progress: "$TEST_TMP/finished.err")"
pass_step "stage titles, not ids, in --report and the batch output; progress in human units"

# ---------------------------------------------------------------- failed
e2e_restore "$sb" "$pristine"
state="$TEST_TMP/failed"
set +e
IMMICH_SANDBOX_FAIL_PG_DUMP=1 "$IMMICH_MIGRATE" --batch -c "$conf" --state-dir "$state" --yes \
    2>"$TEST_TMP/failed.err"
rc=$?
set -e
[ $rc = 1 ] || { tail -n 20 "$TEST_TMP/failed.err"; fail "a failing pg_dump: exit $rc, not 1"; }
grep -qF 'immich-migrate: stage "Dump database" failed: ' "$TEST_TMP/failed.err" ||
    { tail -n 20 "$TEST_TMP/failed.err"; fail "the batch does not name the failed stage"; }
no_secrets "$TEST_TMP/failed.err"
report "$state" "$TEST_TMP/failed.md"
md="$TEST_TMP/failed.md"
for n in 1 2 3 4 5; do [ "$(row_field "$md" $n 3)" = done ] || fail "stage $n: $(stage_row "$md" $n)"; done
[ "$(row_field "$md" 6 3)" = failed ] || fail "dump is not failed: $(stage_row "$md" 6)"
row_field "$md" 6 4 | grep -qE "^$human_time\$" || fail "the failed stage has no time"
grep -q "^Immich was down" "$md" && fail "a failed migration reports a downtime (Start Immich never finished)"
for n in 7 8 9 10 11 12 13 14; do [ "$(row_field "$md" $n 3)" = pending ] || fail "stage $n: $(stage_row "$md" $n)"; done
# The error in full: the section, pg_dump's own message, the failing command and its status.
sed -n '/^## Errors/,/^## Log/p' "$md" >"$TEST_TMP/errors.md"
assert_contains "$TEST_TMP/errors.md" "[Dump database]"
assert_contains "$md" "pg_dump: error: query failed: server closed the connection unexpectedly"
grep -qE "\*\*command\*\* \(exit 1\).*pg_dump" "$md" || fail "the failing pg_dump command is not in the report with its exit status"
pass_step "failed: dump failed with its time, later stages pending, pg_dump's error in full"

# --review of the failed migration: the errors filter shows the dump's failure.
tmux_start 80 24 -- "$IMMICH_MIGRATE" --review="$state"
tmux_wait_for "review of $state"
tmux_keys e
tmux_wait_for "errors only"
tmux_assert "dump"
tmux_assert "Dump database: failed"
tmux_refute "No record matches"
tmux_keys q
[ "$(tmux_wait_exit 10)" = 0 ] || fail "--review did not exit 0"
pass_step "--review of the failed migration lists its errors"

# ---------------------------------------------------------------- interrupted
e2e_restore "$sb" "$pristine"
state="$TEST_TMP/interrupted"
log="$state/migration.log"
# The copy is slowed down (a pause per file) so that the kill lands inside it: the pre-copy,
# which copies the library while Immich still runs (the copy stage after the stop is its
# catch-up and has little to do).
IMMICH_MIGRATE_TEST_FILES_DELAY_MS=40 setsid "$IMMICH_MIGRATE" --batch -c "$conf" \
    --state-dir "$state" --yes 2>"$TEST_TMP/interrupted.err" &
pid=$!
i=0
until grep -q "	precopy	message	.*: started$" "$log" 2>/dev/null; do
    kill -0 $pid 2>/dev/null || { tail -n 20 "$TEST_TMP/interrupted.err"; fail "the batch ended before the copy"; }
    i=$((i + 1)); [ $i -lt 1200 ] || fail "the copy never started"
    sleep 0.05
done
sleep 0.3
kill -KILL -- -$pid
wait $pid 2>/dev/null || true
no_secrets "$TEST_TMP/interrupted.err"
report "$state" "$TEST_TMP/interrupted.md"
md="$TEST_TMP/interrupted.md"
[ "$(row_field "$md" 1 3)" = done ] || fail "stage 1: $(stage_row "$md" 1)"
[ "$(row_field "$md" 2 3)" = interrupted ] || fail "the pre-copy is not shown as interrupted: $(stage_row "$md" 2)"
for n in $(seq 3 14); do [ "$(row_field "$md" $n 3)" = pending ] || fail "stage $n: $(stage_row "$md" $n)"; done
grep -qF "Pre-copy library: started" "$md" || fail "the report's log lacks the pre-copy's start"
pass_step "interrupted (SIGKILL during the pre-copy): checks done, pre-copy interrupted, rest pending"

# The interrupted migration resumes to the end, and its report then says done everywhere.
"$IMMICH_MIGRATE" --batch --resume -c "$conf" --state-dir "$state" --yes 2>"$TEST_TMP/resumed.err" ||
    { tail -n 20 "$TEST_TMP/resumed.err"; fail "the resume failed"; }
report "$state" "$TEST_TMP/resumed.md"
for n in $(seq 14); do [ "$(row_field "$TEST_TMP/resumed.md" $n 3)" = done ] || fail "after resume, stage $n: $(stage_row "$TEST_TMP/resumed.md" $n)"; done
grep -qF "migration resumed" "$TEST_TMP/resumed.md" || fail "the report does not show the resume"
pass_step "the interrupted migration resumed; its report shows every stage done"
