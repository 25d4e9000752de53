#!/bin/sh
# library_backup = none in the wizard's settings (tmux, 80x24): typing "none" asks for a typed
# confirmation; Esc leaves the value as it was, typing "none" sets it (typed, saved in the
# journal's plan). Another value needs no confirmation.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"

state="$TEST_TMP/state"
conf="$TEST_TMP/plan.conf"
cat >"$conf" <<CONF
backup_dir = $TEST_TMP/backup
docker_command = false
systemctl_command = false
journalctl_command = false
CONF
row() { tmux_screen | grep -F "library_backup"; }
edit_to() { # VALUE: edit library_backup to VALUE and press Enter
    tmux_keys Enter
    tmux_wait_for "Ctrl-A/E/W/U/K"
    tmux_keys C-u
    tmux_type "$1"
    tmux_keys Enter
}

tmux_start -- "$IMMICH_MIGRATE" -c "$conf" --state-dir "$state"
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "Settings"
tmux_keys End Up Up Up Up Up
tmux_wait_for "Library backup: archive (all)"
row | grep -q "archive.*default" || { _tmux_dump; fail "library_backup is not archive by default"; }

edit_to none
tmux_wait_for 'Type "none" to confirm'
tmux_assert "writes no archive of the library"
tmux_keys Escape
tmux_wait_for "Not changed: library_backup = none needs the typed confirmation"
row | grep -q "archive" || { _tmux_dump; fail "Esc changed library_backup"; }
pass_step "none without the typed confirmation: not changed"

edit_to none
tmux_wait_for 'Type "none" to confirm'
tmux_type none
tmux_keys Enter
tmux_wait_gone 'Type "none" to confirm'
i=0
until row | grep -q "none.*typed"; do # the row is redrawn after the dialog closes
    i=$((i + 1)); [ $i -le 100 ] || { _tmux_dump; fail "library_backup is not none (typed) after the confirmation"; }
    sleep 0.1
done
grep -q '^library_backup = "none"' "$state/journal" || fail "the journal's plan does not hold library_backup = none"
pass_step "none with the typed confirmation: set, saved in the journal"

edit_to originals
tmux_wait_gone "Ctrl-A/E/W/U/K"
tmux_refute 'to confirm'
row | grep -q "originals" || { _tmux_dump; fail "originals was not taken"; }
pass_step "originals needs no confirmation"
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
[ "$(tmux_wait_exit 10)" = 0 ] || fail "the wizard did not exit 0"
