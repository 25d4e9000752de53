#!/bin/sh
# Plain terminals: NO_COLOR gives no colour at all (bold/reverse only), a non-UTF-8 locale
# gives ASCII marks and lines; with colours allowed the same screen does use colour (so the
# check can fail).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"

conf="$TEST_TMP/plan.conf"
cat >"$conf" <<CONF
backup_dir = $TEST_TMP/backup
docker_command = false
systemctl_command = false
journalctl_command = false
CONF
colour_codes() { tmux_screen_raw | grep -c "$(printf '\033')\[[0-9;]*3[0-7]m" || true; }

# Colours allowed, UTF-8: the invalid upload_location is marked in colour with a Unicode mark.
tmux_start -- env LC_ALL=C.UTF-8 "$IMMICH_MIGRATE" -c "$conf" --state-dir "$TEST_TMP/s1"
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "upload_location"
tmux_screen | grep -F "upload_location" | grep -qF "✗" || { tmux_screen; fail "no Unicode mark under UTF-8"; }
[ "$(colour_codes)" -gt 0 ] || fail "no colour used although colours are allowed"
tmux_keys q y
tmux_wait_exit 10 >/dev/null
pass_step "colour and Unicode when available"

# NO_COLOR and the C locale: no colour escape at all, ASCII marks and lines.
tmux_start -- env LC_ALL=C NO_COLOR=1 "$IMMICH_MIGRATE" -c "$conf" --state-dir "$TEST_TMP/s2"
tmux_wait_for "immich-migrate - Welcome"
tmux_assert " 1. . "
tmux_keys Enter
tmux_wait_for "upload_location"
tmux_screen | grep -F "upload_location" | grep -q "^ x " || { tmux_screen; fail "no ASCII mark in the C locale"; }
tmux_screen | grep -q -- "^-- [a-z_]* ---" || { tmux_screen; fail "no ASCII rule in the C locale"; }
[ "$(colour_codes)" = 0 ] || fail "colour used although NO_COLOR is set"
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "exit $status"
pass_step "NO_COLOR and ASCII fallback"
