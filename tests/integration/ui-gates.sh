#!/bin/sh
# The gates of the stage table in the wizard (tmux, 80x24). With failed checks a stage that
# changes something runs only after the user typed "override"; Esc refuses it (logged), the
# override is in the log and in --report. On the sandbox, with passing checks: skipped backup
# stages make chown and prepare-db refuse; a setting changed after the checks makes the gated
# stages refuse until the checks ran again. DSN passwords never appear on the screen.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"

secret=Sekr3tPw
state="$TEST_TMP/state"
log="$state/migration.log"
conf="$TEST_TMP/plan.conf"
# Commands that fail at once: the checks fail, nothing on this machine is touched.
cat >"$conf" <<CONF
backup_dir = $TEST_TMP/backup
docker_command = false
systemctl_command = false
journalctl_command = false
target_dsn = host=/nonexistent password=$secret
CONF
no_secret() { # the password is nowhere on the screen
    if tmux_screen | grep -qF "$secret"; then _tmux_dump; fail "the DSN password is on the screen ($1)"; fi
}
# records KIND TEXT: log records of prepare_db of KIND containing TEXT
records() { grep -c "	prepare_db	$1	.*$2" "$log" || true; }

tmux_start -- "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state"
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "Settings"
tmux_screen | grep -F "target_dsn" | grep -qF "password=********" || { _tmux_dump; fail "target_dsn not shown redacted"; }
no_secret "settings list"
tmux_keys End Up Up Up Up
tmux_wait_for "How to reach the NixOS PostgreSQL"
no_secret "settings detail pane"
tmux_keys Enter
tmux_wait_for "Ctrl-A/E/W/U/K"
no_secret "edit dialog"
tmux_keys Escape
tmux_wait_gone "Ctrl-A/E/W/U/K"
pass_step "settings: the DSN password is redacted in the list, the detail pane and the edit dialog"

tmux_keys n
tmux_wait_for "Findings"
tmux_wait_for "Failed:" 60
tmux_keys n
tmux_wait_for "Step 2 of"
pass_step "failed checks: n goes on without a silent \"Go on anyway\""

wizard_next_to "Prepare database"
tmux_assert "Needs first: the checks passed"
no_secret "prepare-db screen"
tmux_keys r
tmux_wait_for 'Type "override" to confirm' 30
no_secret "override question"
tmux_keys Escape
tmux_wait_for "Failed: refused" 30
[ "$(records error "refused: it needs first: the checks passed")" = 1 ] || fail "the refusal is not in the log"
[ "$(records message ": started")" = 0 ] || fail "prepare-db started although it was refused"
grep -q "^stage	prepare_db	\(running\|failed\|done\)" "$state/journal" && fail "a refusal changed the journal's state of prepare_db"
pass_step "prepare-db with failed checks: Esc on the typed override refuses it, logged"

tmux_keys r
tmux_wait_for 'Type "override" to confirm' 30
tmux_type overrid
tmux_keys Enter
sleep 1
tmux_assert 'Type "override" to confirm' # a wrong word is not accepted
tmux_keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
tmux_type override
tmux_keys Enter
tmux_wait_for "Failed:" 30
i=0
until [ "$(records message ": started")" = 1 ]; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "prepare-db did not run after the override"
    sleep 0.1
done
[ "$(records override "override of checks,backup,nixos")" = 1 ] || { cat "$log"; fail "the override is not in the log"; }
no_secret "after the override"
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
[ "$(tmux_wait_exit 10)" = 0 ] || fail "the wizard did not exit 0"
"$IMMICH_MIGRATE" --report="$state" >"$TEST_TMP/report.md" || fail "--report failed"
assert_contains "$TEST_TMP/report.md" "## Overrides"
sed -n '/^## Overrides/,/^## /p' "$TEST_TMP/report.md" | grep -F "[Prepare database]" | grep -qF "override of checks,backup,nixos" ||
    { cat "$TEST_TMP/report.md"; fail "the report does not list the override"; }
grep -qF "$secret" "$TEST_TMP/report.md" "$log" && fail "the password reached the log or the report"
pass_step "typed override: prepare-db runs, the override is in the log and the report"

# ---------------------------------------------------------------- the sandbox: checks pass
sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 4
state="$TEST_TMP/state2"
log="$state/migration.log"
target=$(sed -n 's/^target_location *= *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$PLAN")
owner_mode() { stat -c %U:%G:%a "$target" 2>/dev/null || echo missing; }
before=$(owner_mode)
tmux_start -- "$IMMICH_MIGRATE" -c "$PLAN" --state-dir "$state"
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "Settings"
tmux_keys n
tmux_wait_for "Result: done" 120
tmux_refute "[FAIL]"
skip_here() {
    wizard_next_to "$1"
    tmux_keys s
    tmux_wait_for "Skip this stage?"
    tmux_keys y
    tmux_wait_for "Skipped:"
}
skip_here "Back up library"
skip_here "Verify backup"
for t in "Prepare database" "Set owner"; do
    wizard_next_to "$t"
    tmux_assert "Needs first: a verified backup"
    tmux_keys r
    tmux_wait_for 'Type "override" to confirm' 30
    tmux_keys Escape
    tmux_wait_for "Failed: refused" 30
done
grep -q "	chown	error	.*refused: it needs first: a verified backup" "$log" || fail "chown's refusal is not in the log"
grep -q "	prepare_db	error	.*refused: it needs first: a verified backup" "$log" || fail "prepare-db's refusal is not in the log"
grep -q "	\(chown\|prepare_db\)	message	.*: started" "$log" && fail "chown or prepare-db started without the backup"
[ "$(owner_mode)" = "$before" ] || fail "the target changed owner or mode"
pass_step "skipped backup: chown and prepare-db refuse, nothing changed"

# A setting changed after the checks: the gated stages refuse until the checks run again.
wizard_back_to "Settings"
tmux_keys End Up Up Up Up
tmux_wait_for "How to reach the NixOS PostgreSQL"
tmux_keys Enter
tmux_wait_for "Ctrl-A/E/W/U/K"
tmux_keys End
tmux_type " connect_timeout=10"
tmux_keys Enter
tmux_wait_gone "Ctrl-A/E/W/U/K"
grep -q "	discover	message	.*settings were changed after the checks" "$log" || fail "the change did not void the checks"
tmux_keys n
tmux_wait_for "Checks"
tmux_wait_for "Pending: the settings were changed after the checks"
wizard_next_to "Stop Docker"
tmux_assert "Needs first: the checks passed"
tmux_keys r
tmux_wait_for 'Type "override" to confirm' 30
tmux_keys Escape
tmux_wait_for "Failed: refused" 30
grep -q "^docker	stop	" "$sb/calls.log" && fail "docker stop ran with checks made for other settings"
wizard_back_to "Checks"
tmux_keys r
tmux_wait_for "Result: done" 120
wizard_next_to "Stop Docker"
tmux_refute "Needs first"
tmux_keys r
tmux_wait_for "Result: done" 60
grep -q "^docker	stop	" "$sb/calls.log" || fail "docker stop did not run after the checks ran again"
pass_step "a setting changed after the checks: Stop Docker refused until the checks ran again"
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
[ "$(tmux_wait_exit 10)" = 0 ] || fail "the wizard did not exit 0"
