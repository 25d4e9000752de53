#!/bin/bash
# The whole wizard in a terminal (issue 7): `immich-migrate --demo` in tmux at 80x24, through
# every screen to the final summary, with one resize, one Esc back, one typed confirmation and
# one resume after the wizard was killed (SIGKILL) in the middle of the import.
# - The typed confirmation: before "Prepare database", a table is created in the target
#   database (as when the NixOS Immich already started once and migrated its schema); the stage
#   must then ask for the database name to be typed; a wrong name is refused first.
# - The kill: the import is started with r and the wizard is killed with SIGKILL as soon as the
#   import's "started" record is in the log; its helper processes must not outlive it. The
#   wizard is started again on the same sandbox and state directory, offers Resume, and the
#   migration is finished from there.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need sha256sum

title_is() { tmux_screen | sed -n 1p | grep -qF "$1"; }
wait_title() {
    i=0
    until title_is "$1"; do
        i=$((i + 1)); [ $i -lt 300 ] || { _tmux_dump; fail "never reached the screen \"$1\""; }
        sleep 0.1
    done
}
run_here() { tmux_keys r; tmux_wait_for "${1:-Result: done}" 120; }

# ---------------------------------------------------------------- the demo starts
tmux_start 80 24 -- "$IMMICH_MIGRATE" --demo
tmux_wait_for "Welcome" 180
tmux_assert "DEMO"
tmux_assert "14. · Verify"
pid=$(tmux_pid)
# The demo's directory: from the lock file the wizard holds open.
root=$(tmux_demo_root)
[ -n "$root" ] || fail "cannot find the demo's directory from the wizard's open files"
sb="$root/sandbox"
state="$root/state"
log="$state/migration.log"
at_exit "'$SANDBOX_TOOL' destroy '$sb' >/dev/null 2>&1; rm -rf '$root'"
. "$sb/sandbox.env"
pass_step "the demo built its sandbox in $root and shows the DEMO banner"

tmux_keys Enter
tmux_wait_for "Settings"
tmux_assert "compose_dir"
# One resize: larger, the form uses the room, then back to 80x24.
tmux_resize 100 30
tmux_wait_for "Up/Down Select"
i=0 # the redraw after SIGWINCH may take a moment on a loaded machine
until [ "$(tmux_screen | LC_ALL=C.UTF-8 wc -L)" -gt 80 ]; do
    i=$((i + 1)); [ $i -lt 100 ] || { _tmux_dump; fail "after resizing to 100x30 no line is wider than 80 columns"; }
    sleep 0.1
done
tmux_resize 80 24
tmux_wait_for "n Next"
long=$(tmux_screen | LC_ALL=C.UTF-8 wc -L)
[ "$long" -le 80 ] || { _tmux_dump; fail "after resizing back the screen is $long columns wide"; }
tmux_assert "n Next"
pass_step "resize to 100x30 and back to 80x24 on the settings screen"

tmux_keys n
wait_title "Checks"
tmux_wait_for "Result: done" 120
tmux_refute "[FAIL]"
# records_of STAGE TEXT: how many log records of STAGE end in TEXT
records_of() { grep -c "^[0-9]*	$1	message	.*$2\$" "$state/migration.log" || true; }
# r runs the checks again while Docker still runs.
before=$(records_of discover ": done")
tmux_keys r
i=0
until [ "$(records_of discover ": done")" -gt "$before" ]; do
    i=$((i + 1)); [ $i -lt 600 ] || { _tmux_dump; fail "r on the passed checks did not run them again"; }
    sleep 0.1
done
tmux_wait_for "Result: done" 120
for t in "Pre-copy library" "Stop Docker" "Back up library" "Verify backup" "Dump database" "Fix up dump" "Configure NixOS"; do
    wizard_next_to "$t"
    run_here
    [ "$t" = "Fix up dump" ] || continue
    # the fix-up's report line by line on its screen: counts per path column, path rules,
    # MediaLocation (records of their own, not one collapsed line)
    # (the report is longer than the log pane: scroll back through it, record by record)
    seen=no
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do
        if tmux_screen | grep -qE ': [0-9]+ / [0-9]+'; then seen=yes; break; fi
        tmux_keys PPage
        sleep 0.2
    done
    [ "$seen" = yes ] || { _tmux_dump; fail "the fix-up's counts per column are not on its screen"; }
    for l in "Path rules:" "MediaLocation: " "Path columns (rewritten / left as they were):"; do
        grep -qF "	$l" "$state/migration.log" || fail "the fix-up's report has no record of its own: $l"
    done
done
# Once Docker was stopped, the checks are not run again: they would find it stopped by us.
wizard_back_to "Checks"
before=$(records_of discover ": done")
tmux_keys r
i=0
until [ "$(records_of discover "already done")" -ge 1 ]; do
    i=$((i + 1)); [ $i -lt 300 ] || { _tmux_dump; fail "r on the checks after Docker was stopped did not say already done"; }
    sleep 0.1
done
[ "$(records_of discover ": done")" = "$before" ] || fail "the checks ran again after Docker was stopped"
pass_step "checks (run again on r while Docker runs, not after it was stopped) and stages 2-7 ran"

# ---------------------------------------------------------------- typed confirmation
"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$DST_HOST" -U postgres -d "$DST_DB" \
    -c "SET ROLE $DST_OWNER; CREATE TABLE public.immich_was_here (id int)" || fail "cannot create a table in the target"
wizard_next_to "Prepare database"
tmux_keys r
tmux_wait_for "Type the database name" 60
tmux_type "not-$DST_DB"
tmux_keys Enter
sleep 1
tmux_assert "Type the database name" # a wrong name is not accepted
"$PG_BINDIR/psql" -X -At -h "$DST_HOST" -U postgres -d "$DST_DB" -c "SELECT to_regclass('public.immich_was_here')" |
    grep -qx immich_was_here || fail "the table was dropped before the confirmation"
# Clear the wrong text, type the right name.
for _ in $(seq 20); do tmux_keys BSpace; done
tmux_type "$DST_DB"
tmux_keys Enter
tmux_wait_for "Result: done" 60
[ -z "$("$PG_BINDIR/psql" -X -At -h "$DST_HOST" -U postgres -d "$DST_DB" -c "SELECT to_regclass('public.immich_was_here')")" ] ||
    fail "the confirmed prepare-db left the old table"
grep -qF "confirmed: " "$log" || fail "the confirmation is not in the log"
pass_step "prepare-db asked for the database name, refused a wrong one, ran after the right one"

# ---------------------------------------------------------------- Esc back
tmux_keys Escape
wait_title "Configure NixOS"
tmux_assert "Result: done"
wizard_next_to "Prepare database"
pass_step "Esc went back to the previous stage, n forward again"

# ---------------------------------------------------------------- kill -9 during the import
wizard_next_to "Import dump"
# The log is watched with bash builtins only and the wizard frozen (SIGSTOP) the moment the
# import's "started" record is there: a grep forked every 10 ms was seen to notice it only after
# the demo's short import had ended on a loaded machine.
lines_before=$(wc -l < "$log")
exec {lfd}<"$log"
for ((k = 0; k < lines_before; k++)); do IFS= read -r -u $lfd _ || break; done
tmux_keys r
buf="" i=0 deadline=$((SECONDS + 120))
while :; do
    if IFS= read -r -u $lfd line; then
        line=$buf$line buf=""
        case $line in *"	import	message	"*": started") break ;; esac
    else
        buf=$buf$line i=$((i + 1))
        [ $((i % 10000)) != 0 ] || [ $SECONDS -lt $deadline ] || fail "the import never started"
    fi
done
kill -STOP "$pid"
exec {lfd}<&-
children=$(pgrep -P "$pid" || true)
kill -KILL "$pid"
[ "$(tmux_wait_exit 10)" = 137 ] || fail "the wizard did not die of SIGKILL"
grep -q "	import	message	.*: done$" "$log" && fail "the import finished before the kill; the kill must land inside it"
# Nothing the wizard started may go on importing on its own.
for c in $children; do
    for _ in $(seq 50); do kill -0 "$c" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$c" 2>/dev/null && fail "process $c of the killed wizard is still running: $(cat /proc/$c/cmdline | tr '\0' ' ')"
done
grep -q "^stage	import	running	" "$state/journal" || { cat "$state/journal"; fail "the journal does not show the import as running"; }
pass_step "the wizard was killed during the import; no helper outlived it"

# ---------------------------------------------------------------- resume in a new wizard
tmux_start 80 24 -- "$IMMICH_MIGRATE" -c "$PLAN" --state-dir "$state"
tmux_wait_for "Welcome" 60
tmux_wait_for "An unfinished migration was found"
tmux_assert "Enter Resume"
tmux_keys r
tmux_wait_gone "An unfinished migration was found"
sleep 0.5
# The resume goes to the first unfinished stage; from there, run each to the end.
for t in "Prepare database" "Import dump" "Copy library" "Set owner" "Start Immich" "Verify"; do
    wizard_next_to "$t"
    tmux_keys r
    i=0
    while :; do
        i=$((i + 1)); [ $i -lt 900 ] || { _tmux_dump; fail "stage $t did not finish within 3 minutes"; }
        if tmux_screen | grep -qF "Type the database name"; then
            tmux_type "$DST_DB"; tmux_keys Enter
        elif tmux_screen | grep -qF "y yes"; then
            tmux_keys y
        elif tmux_screen | grep -qF "Result: done"; then
            break
        elif tmux_screen | grep -qF "Result: failed"; then
            _tmux_dump; fail "stage $t failed after the resume"
        fi
        sleep 0.2
    done
done
# Verify only looks: "r" on its finished screen runs it once more (other stages say "already done").
verify_done() { grep -c "	verify	message	.*: done\$" "$state/migration.log" || true; }
before=$(verify_done)
tmux_keys r
i=0
until [ "$(verify_done)" -gt "$before" ]; do
    i=$((i + 1)); [ $i -lt 300 ] || { _tmux_dump; fail "r on the finished Verify screen did not run it again"; }
    sleep 0.1
done
tmux_wait_for "Result: done" 30
! grep -q "	verify	message	.*already done\$" "$state/migration.log" || fail "Verify said \"already done\" instead of running again"
tmux_keys n
wait_title "Summary"
tmux_assert "The migration is complete."
tmux_keys End # the stages are listed below the result
tmux_wait_for "Stages:"
for t in "Discover & check" "Pre-copy library" "Stop Docker" "Back up library" "Verify backup" "Dump database" "Fix up dump" \
         "Configure NixOS" "Prepare database" "Import dump" "Copy library" "Set owner" "Start Immich" "Verify"; do
    tmux_screen | grep -qE "^  $t +done" || { _tmux_dump; fail "the summary does not show $t done"; }
done
tmux_keys Enter
[ "$(tmux_wait_exit 30)" = 0 ] || fail "the wizard did not exit 0 from the summary"
pass_step "the new wizard offered Resume and finished the migration to the summary"

# The result is real: every asset imported once, the library copied exactly.
src_n=$("$PG_BINDIR/psql" -X -At -h "$SRC_HOST" -U postgres -d "$SRC_DB" -c 'SELECT count(*) FROM asset')
dst_n=$("$PG_BINDIR/psql" -X -At -h "$DST_HOST" -U postgres -d "$DST_DB" -c 'SELECT count(*) FROM asset')
[ "$src_n" = "$dst_n" ] && [ "$src_n" -gt 0 ] || fail "assets: source $src_n, target $dst_n"
(cd "$UPLOAD_LOCATION" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >"$TEST_TMP/src.sums"
(cd "$TARGET_LOCATION" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >"$TEST_TMP/dst.sums"
cmp -s "$TEST_TMP/src.sums" "$TEST_TMP/dst.sums" || fail "the copied library differs from the source"
pass_step "target database and library match the source"
