#!/bin/bash
# Resume after any interruption (issue 7): a batch migration of the sandbox is killed again
# and again, at random moments spread over every stage, and resumed each time; the finished
# result must equal an uninterrupted reference run exactly.
#
# How it works:
# - One sandbox, copied while stopped ("pristine"). The reference run migrates it without
#   interruption; its target pg_dump, target library listing and backup dir names are kept.
#   Then the pristine copy is put back at the same path before every kill round, so the
#   rounds start from exactly the same bytes (paths, ports, random file contents, timestamps).
# - A kill round walks the stages in order. For each stage not yet done it starts the batch
#   (the first time plainly, then with --resume) in its own process group, waits for that
#   stage's "started" record in the migration log, sleeps a random delay drawn uniformly from
#   [0, 3/4 of the stage's duration in the reference run], then freezes the process group
#   (SIGSTOP), reads from the log where it stands, and interrupts (the signal, then SIGCONT),
#   rotating through: SIGKILL of the whole process group (power cut), SIGHUP to the group (SSH
#   dropped) and SIGTERM to the program, shifted each round so that in three rounds every stage
#   gets each signal once. The import gets SIGKILL in even rounds; in odd rounds it is
#   interrupted by pg_terminate_backend of the importer's connection (application_name
#   'immich-migrate import'), after a random delay from the moment that backend appears. Where each kill actually landed is read back from the
#   log (the last stage that started and did not finish); a kill that overshoots its stage
#   counts for the stage it hit, and the round goes on with the next unfinished stage.
#   Stages shorter than 150 ms in the reference are approached from before (noticing a
#   stage's start through tail and grep can take longer than such a stage on a loaded machine:
#   a 24 ms backup was missed in four rounds in a row): the group is frozen when the previous
#   stage shows up in the log and then let run in small SIGCONT/SIGSTOP steps until the stage
#   has started, plus a few random steps (0-1 below 20 ms, 0-7 above; see step_into).
# - After each round the batch is resumed to the end; then: target pg_dump == reference,
#   target library == reference listing (paths, types, modes, owners, sizes, mtimes) and its
#   contents == the source library's, no partial/temp files anywhere, the backup directory
#   holds the same files as in the reference (no half-written dump left beside a new one),
#   every stage "done" in the journal, and the sandbox's password appears in no log or journal.
# At least three rounds; more (at most 4) until at least 20 kills landed inside stages and
# every stage was hit at least once; a stage still missed then gets up to 3 aimed kills.
# E2E_SEED=N reproduces a run's random delays.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"
need setsid tail timeout sha256sum

seed=${E2E_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
echo "random seed: $seed (E2E_SEED=$seed reproduces the delays)"

sb="$TEST_TMP/sb"
pristine="$TEST_TMP/pristine"
state="$TEST_TMP/state"
tmp="$TEST_TMP/tmpdir" # TMPDIR of the migration (not of the sandbox tool): empty at the end
mkdir -p "$tmp"
sandbox_create "$sb" --assets 20 --bytes-per-file 2048
conf="$sb/immich-migrate.conf"
e2e_snapshot "$sb" "$pristine"
t_start=$SECONDS
# Verify backup checks the catch-up archive in about 1 ms here; stepping into it missed it in
# 7 tries of 7 on a loaded machine. A 3 ms pause after each entry it compares (a test knob,
# HACKING.md) makes it a stage a random delay can land in, in the reference run and every round.
export IMMICH_MIGRATE_TEST_VERIFY_DELAY_MS=3


# ---------------------------------------------------------------- reference run
TMPDIR="$tmp" "$IMMICH_MIGRATE" --batch -c "$conf" --state-dir "$state" --yes 2>"$TEST_TMP/ref.err" ||
    { tail -n 30 "$TEST_TMP/ref.err"; fail "the reference run failed"; }
mapfile -t stages < <(sed -n 's/^stage	\([^	]*\)	.*/\1/p' "$state/journal")
[ ${#stages[@]} -ge 10 ] || fail "the journal lists only ${#stages[@]} stages"
e2e_journal_all_done "$state"
e2e_target_dump "$TEST_TMP/ref.dump"
grep -q "CREATE TABLE public.asset " "$TEST_TMP/ref.dump" || fail "the reference target holds no asset table"
e2e_tree_list "$TARGET_LOCATION" >"$TEST_TMP/ref.list"
e2e_tree_sums "$TARGET_LOCATION" >"$TEST_TMP/ref.sums"
e2e_tree_sums "$UPLOAD_LOCATION" >"$TEST_TMP/src.sums"
cmp -s "$TEST_TMP/ref.sums" "$TEST_TMP/src.sums" ||
    { diff "$TEST_TMP/src.sums" "$TEST_TMP/ref.sums" | head; fail "the reference copy differs from the source library"; }
e2e_normalise_names "$BACKUP_DIR" >"$TEST_TMP/ref.backup"
# Reference durations (ms) of every stage, from the "X: done" records.
declare -A dur
while IFS=$'\t' read -r _ st _ _ d _ _ text; do
    case $text in *": done") dur[$st]=$(awk -v d="$d" 'BEGIN { printf "%d", d * 1000 }') ;; esac
done <"$state/migration.log"
for st in "${stages[@]}"; do
    [ -n "${dur[$st]:-}" ] || fail "no duration for stage $st in the reference log"
done
declare -A prev_of
prev=""
for st in "${stages[@]}"; do prev_of[$st]=$prev; prev=$st; done
echo "reference run: $(for st in "${stages[@]}"; do printf '%s=%sms ' "$st" "${dur[$st]}"; done)"
pass_step "reference run finished; target dump, library and backup names saved"

# ---------------------------------------------------------------- kill rounds
declare -A landed
kills=0
# signal_for STAGE: 0 = SIGKILL of the group, 1 = SIGHUP to the group, 2 = SIGTERM; shifted by
# one every round, so that in three rounds every stage gets each of them once. The import gets
# pg_terminate_backend in odd rounds and SIGKILL in even ones.
declare -A stage_index
for i in "${!stages[@]}"; do stage_index[${stages[$i]}]=$i; done
signal_for() {
    if [ "$1" = import ]; then echo 0; else echo $(( (stage_index[$1] + round) % 3 )); fi
}
log="$state/migration.log"

stage_done() { grep -q "^stage	$1	done	" "$state/journal" 2>/dev/null; }

start_batch() { # start_batch [--resume]; sets $pid (its own process group)
    TMPDIR="$tmp" setsid "$IMMICH_MIGRATE" --batch -c "$conf" --state-dir "$state" --yes "$@" \
        >>"$TEST_TMP/round.out" 2>&1 &
    pid=$!
}

# from_pristine: the sandbox as it was before the reference run, no state, an empty round log.
from_pristine() {
    e2e_restore "$sb" "$pristine"
    rm -rf "$state"
    : >"$TEST_TMP/round.out"
}

# kill_group: SIGKILL of the (stopped) batch's group; returns when the batch and every child
# of its group (the stand-ins, pg_dump) are gone, so a resume never meets one of them.
kill_group() {
    local k
    kill -KILL -- -"$pid" 2>/dev/null || true
    kill -CONT -- -"$pid" 2>/dev/null || true
    wait $pid || true
    for ((k = 0; k < 100; k++)); do pgrep -g "$pid" >/dev/null 2>&1 || break; sleep 0.05; done
}

# count_kill AT: a kill that landed in stage AT ("-" = between stages, not counted).
count_kill() {
    [ "$1" != - ] || return 0
    kills=$((kills + 1))
    landed[$1]=$(( ${landed[$1]:-0} + 1 ))
}

# resume_to_end WHAT: --resume to the end, then the result must equal the reference.
resume_to_end() {
    TMPDIR="$tmp" "$IMMICH_MIGRATE" --batch -c "$conf" --state-dir "$state" --yes --resume >>"$TEST_TMP/round.out" 2>&1 ||
        { tail -n 30 "$TEST_TMP/round.out"; fail "the resume after $1 failed"; }
    check_result
}

# wait_started STAGE OFFSET: until STAGE's "started" record appears after byte OFFSET of the
# log (inotify through tail -f, so the delay after the record is small); 1 if the program ended.
wait_started() {
    wait_record "^[0-9]+	$1	message	.*: started\$" "$2"
}
wait_record() {
    local re=$1 i=0
    # tail -F polls a file that does not exist yet once a second: wait for it first.
    while [ ! -f "$log" ] && [ $i -lt 2000 ]; do
        kill -0 $pid 2>/dev/null || return 1
        sleep 0.005; i=$((i + 1))
    done
    timeout 120 grep -m1 -q -E "$re" < <(tail -c +$(($2 + 1)) -F --pid=$pid "$log" 2>/dev/null)
}

# landed_in OFFSET: the stage interrupted in the log after OFFSET ("-" when between stages).
landed_in() {
    tail -c +$(($1 + 1)) "$log" | awk -F'\t' '
        $3 == "message" && $8 ~ /: started$/ { cur = $2 }
        $8 ~ /: (done|skipped.*)$/ && $2 == cur { cur = "" }
        END { print (cur == "" ? "-" : cur) }'
}

# step_into STAGE OFFSET: for stages too short to hit after noticing their start (a few ms,
# and a loaded machine may not run the watcher for longer than that): the log is read with bash
# builtins only (no process per look) until the previous stage shows up, the group is frozen
# there, and then let run in small steps (SIGCONT, a few dozen microseconds, SIGSTOP) until
# STAGE's "started" record is in the log, plus 0-1 (stages under 20 ms) or 0-7 random steps.
# Returns 0 with the group stopped, 1 if the program ended first.
step_into() {
    local target=$1 off=$2 prev=${prev_of[$1]} lfd line buf="" extra seen=0 i=0 k
    if [ "${dur[$1]}" -lt 20 ]; then extra=$((RANDOM % 2)); else extra=$((RANDOM % 8)); fi
    while [ ! -f "$log" ]; do kill -0 "$pid" 2>/dev/null || return 1; done
    exec {lfd}<"$log"
    LC_ALL=C read -r -N "$off" -u $lfd _ || true
    while :; do # until a record of the previous stage (or of STAGE itself)
        if IFS= read -r -u $lfd line; then
            line=$buf$line buf=""
            case $line in *"	$prev	"* | *"	$target	"*) break ;; esac
        else
            buf=$buf$line i=$((i + 1))
            if [ $((i % 2000)) = 0 ] && ! kill -0 "$pid" 2>/dev/null; then exec {lfd}<&-; return 1; fi
        fi
    done
    kill -STOP -- -"$pid" 2>/dev/null || { exec {lfd}<&-; return 1; }
    case $line in *"	$target	message	"*": started") seen=1 ;; esac
    i=0
    while [ $i -lt 100000 ]; do
        while IFS= read -r -u $lfd line; do
            line=$buf$line buf=""
            case $line in *"	$target	message	"*": started") seen=1 ;; esac
        done
        buf=$buf$line
        if [ $seen = 1 ]; then
            [ $extra -gt 0 ] || break
            extra=$((extra - 1))
        fi
        kill -CONT -- -"$pid" 2>/dev/null || break
        for ((k = 0; k < 10; k++)); do :; done
        kill -STOP -- -"$pid" 2>/dev/null || break
        i=$((i + 1))
    done
    exec {lfd}<&-
    [ $seen = 1 ] || return 1
}

# rand_delay MS: seconds, uniform in [0, 3/4 of MS] at ms resolution (3/4: durations vary with
# the machine's load, and a delay past the stage's end is a kill wasted on the next stage).
rand_delay() {
    local ms=$1 r
    r=$(( (RANDOM * 32768 + RANDOM) % (ms * 3 / 4 + 1) ))
    printf '%d.%03d' $((r / 1000)) $((r % 1000))
}

interrupt_import() { # pg_terminate_backend of the importer, after a random delay
    local delay
    delay=$(rand_delay "${dur[import]}")
    sb_psql "$DST_HOST" postgres -At <<SQL >"$TEST_TMP/terminate.out" 2>&1 &
SET statement_timeout = '120s';
DO \$\$
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN EXISTS (SELECT FROM pg_stat_activity WHERE application_name = 'immich-migrate import');
    PERFORM pg_sleep(0.002);
  END LOOP;
  PERFORM pg_sleep($delay);
  PERFORM pg_stat_clear_snapshot();
  PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'immich-migrate import';
END
\$\$;
SQL
    watcher=$!
    how="pg_terminate_backend after ${delay}s"
}

interrupt() { # interrupt STAGE: start (resuming), hit STAGE, wait for the program to end
    local target=$1 resume=$2 off=0 delay sig at=-
    [ -f "$log" ] && off=$(stat -c %s "$log")
    watcher=""
    if [ "$target" = import ] && [ $((round % 2)) = 1 ]; then
        interrupt_import
        start_batch $resume
    else
        start_batch $resume
        if [ "${dur[$target]}" -lt 150 ] && [ -n "${prev_of[$target]}" ]; then
            step_into "$target" "$off" || {
                wait $pid || true; tail -n 20 "$TEST_TMP/round.out"
                fail "round $round: the batch ended before stage $target started"; }
            delay="stepped into it"
        else
            if ! wait_started "$target" "$off"; then
                wait $pid || true
                tail -n 20 "$TEST_TMP/round.out"
                fail "round $round: the batch ended before stage $target started"
            fi
            delay=$(rand_delay "${dur[$target]}")
            sleep "$delay"
            delay="after ${delay}s"
            # Freeze the group and read where it is (the log is written with write(), no
            # buffer), then deliver the signal and let it go on.
            kill -STOP -- -"$pid" 2>/dev/null || true
        fi
        at=$(landed_in "$off")
        case $(signal_for "$target") in
            0) sig=KILL; kill -KILL -- -"$pid" 2>/dev/null || true ;;
            1) sig=HUP; kill -HUP -- -"$pid" 2>/dev/null || true ;;
            2) sig=TERM; kill -TERM "$pid" 2>/dev/null || true ;;
        esac
        kill -CONT -- -"$pid" 2>/dev/null || true
        how="SIG$sig $delay"
    fi
    local rc=0
    wait $pid || rc=$?
    if [ -n "$watcher" ]; then
        wait "$watcher" || { cat "$TEST_TMP/terminate.out"; fail "the pg_terminate_backend watcher failed"; }
        at=$(landed_in "$off")
    fi
    # A SIGKILL of the group leaves children (the stand-ins, pg_dump) to die with it; wait
    # until none of the group is left before resuming.
    local i=0
    while pgrep -g "$pid" >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    count_kill "$at"
    echo "round $round: target $target, $how: exit $rc, landed in $at"
    # A program that was interrupted must say so, not claim success (unless the signal came
    # during the last stage and that stage finished anyway).
    if [ "$at" != - ] && [ "$at" != "${stages[-1]}" ] && [ $rc = 0 ]; then
        tail -n 20 "$TEST_TMP/round.out"; fail "interrupted in $at but the batch exited 0"
    fi
}

check_result() {
    e2e_journal_all_done "$state"
    e2e_target_dump "$TEST_TMP/round.dump"
    diff -u "$TEST_TMP/ref.dump" "$TEST_TMP/round.dump" >"$TEST_TMP/dump.diff" ||
        { head -n 40 "$TEST_TMP/dump.diff"; fail "round $round: the target database differs from the reference"; }
    e2e_tree_list "$TARGET_LOCATION" >"$TEST_TMP/round.list"
    diff -u "$TEST_TMP/ref.list" "$TEST_TMP/round.list" >"$TEST_TMP/list.diff" ||
        { head -n 40 "$TEST_TMP/list.diff"; fail "round $round: the library differs from the reference"; }
    e2e_tree_sums "$TARGET_LOCATION" >"$TEST_TMP/round.sums"
    cmp -s "$TEST_TMP/src.sums" "$TEST_TMP/round.sums" ||
        { diff "$TEST_TMP/src.sums" "$TEST_TMP/round.sums" | head; fail "round $round: library contents differ from the source"; }
    e2e_leftovers "$sb" "$state" "$tmp" >"$TEST_TMP/leftovers"
    [ ! -s "$TEST_TMP/leftovers" ] || { cat "$TEST_TMP/leftovers"; fail "round $round: partial or temp files left"; }
    e2e_normalise_names "$BACKUP_DIR" >"$TEST_TMP/round.backup"
    diff -u "$TEST_TMP/ref.backup" "$TEST_TMP/round.backup" ||
        { ls -la "$BACKUP_DIR"; fail "round $round: the backup directory differs from the reference's (half-written files?)"; }
    for f in "$log" "$state/journal" "$TEST_TMP/round.out"; do
        assert_not_contains "$f" "$SRC_DB_PASSWORD"
    done
}

round=0
while :; do
    round=$((round + 1))
    from_pristine
    resume=""
    for target in "${stages[@]}"; do
        stage_done "$target" && continue # an earlier kill overshot past it
        interrupt "$target" "$resume"
        resume=--resume
    done
    # Resume to the end (a resume never needs more than one run).
    set +e
    TMPDIR="$tmp" "$IMMICH_MIGRATE" --batch -c "$conf" --state-dir "$state" --yes --resume >>"$TEST_TMP/round.out" 2>&1
    rc=$?
    set -e
    [ $rc = 0 ] || { tail -n 30 "$TEST_TMP/round.out"; fail "round $round: the final resume exited $rc"; }
    check_result
    pass_step "round $round: finished after the kills, equal to the reference ($kills kills so far, $((SECONDS - t_start)) s)"
    all_hit=1
    for st in "${stages[@]}"; do [ -n "${landed[$st]:-}" ] || all_hit=0; done
    if [ $round -ge 3 ] && [ $kills -ge 20 ] && [ $all_hit = 1 ]; then break; fi
    [ $round -lt 4 ] || break
done

# A stage that no kill hit in the rounds (a kill can overshoot a short stage whose length
# varies) gets aimed kills: a fresh run stepped into it (as in step_into), SIGKILL, resume to
# the end and the same checks; at most 3 attempts per stage.
for st in "${stages[@]}"; do
    [ -z "${landed[$st]:-}" ] && [ -n "${prev_of[$st]}" ] || continue
    for attempt in 1 2 3; do
        round="$st-aimed-$attempt"
        from_pristine
        start_batch
        step_into "$st" 0 || { wait $pid || true; tail -n 20 "$TEST_TMP/round.out"; fail "$st never started"; }
        at=$(landed_in 0)
        kill_group
        echo "aimed at $st (attempt $attempt): SIGKILL landed in $at"
        count_kill "$at"
        resume_to_end "the aimed kill in $st"
        [ "$at" != "$st" ] || break
    done
done

echo "kills per stage: $(for st in "${stages[@]}"; do printf '%s=%s ' "$st" "${landed[$st]:-0}"; done)"
[ $kills -ge 20 ] || fail "only $kills kills landed inside a stage"
for st in "${stages[@]}"; do
    [ -n "${landed[$st]:-}" ] || fail "no kill landed inside stage $st"
done
pass_step "$kills kills in $round rounds, every stage hit, every round equal to the reference"

# ---------------------------------------------------------------- kills while a file is written
# Random moments rarely fall in the short time a stage has its output file half-written, so
# these are aimed: the group is stepped (as in step_into) from the stage's start until the
# stage's output file exists, then killed with SIGKILL, resumed to the end and checked.
# A stage of a few ms can write and finish its file within one step on a busy machine; such an
# overshoot is not a kill inside the file, so the attempt is thrown away and made again (at most
# 8 times; the test fails if none lands inside the stage).
kill_while_writing() { # kill_while_writing STAGE GLOB
    local target=$1 glob=$2 i k off=0 attempt at=-
    round="$target-file"
    for attempt in 1 2 3 4 5 6 7 8; do
        from_pristine
        start_batch
        step_into "$target" "$off" || { wait $pid || true; tail -n 20 "$TEST_TMP/round.out"; fail "$target never started"; }
        i=0
        while ! compgen -G "$glob" >/dev/null; do
            i=$((i + 1))
            [ $i -lt 200000 ] || { kill -KILL -- -"$pid"; fail "$target never wrote $glob"; }
            kill -CONT -- -"$pid" 2>/dev/null || fail "the batch ended before $target wrote $glob"
            for ((k = 0; k < 10; k++)); do :; done
            kill -STOP -- -"$pid" 2>/dev/null || fail "the batch ended before $target wrote $glob"
        done
        at=$(landed_in 0)
        [ "$at" != "$target" ] || break
        echo "$target: attempt $attempt overshot (the group stopped in ${at/#-/no stage}), again"
        kill_group
    done
    [ "$at" = "$target" ] || fail "8 kills aimed at $target's file all landed outside it (last in $at)"
    echo "$target: SIGKILL while writing $(compgen -G "$glob" | head -n 1) ($(stat -c %s "$(compgen -G "$glob" | head -n 1)") bytes)"
    kill_group
    resume_to_end "the kill in $target's file"
    pass_step "SIGKILL while $target wrote its file: resumed, equal to the reference"
}
kill_while_writing dump "$BACKUP_DIR/immich-*.sql.zst*"
kill_while_writing fixup "$BACKUP_DIR/immich-*-nixos.sql*"
# The base archive is the pre-copy's; Back up library writes the catch-up beside it.
kill_while_writing backup "$BACKUP_DIR/immich-library-*.catchup.tar.zst*"
[ -z "$(ls -A "$tmp")" ] || { ls -la "$tmp"; fail "temp files left in TMPDIR"; }
