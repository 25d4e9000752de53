#!/bin/sh
# German in the wizard (LANGUAGE=de): the welcome screen, key bar, help, settings and the
# quit question in German, answered with the German yes key "j". The catalogue is compiled
# from po/de.po into the test's own locale directory (IMMICH_MIGRATE_LOCALEDIR).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
need msgfmt

locale_dir="$TEST_TMP/locale"
mkdir -p "$locale_dir/de/LC_MESSAGES"
msgfmt -c -o "$locale_dir/de/LC_MESSAGES/immich-migrate.mo" "$top_srcdir/po/de.po" \
    || fail "po/de.po does not compile"

conf="$TEST_TMP/plan.conf"
cat >"$conf" <<CONF
backup_dir = $TEST_TMP/backup
docker_command = false
systemctl_command = false
journalctl_command = false
CONF

de() { env LANGUAGE=de LANG=C.UTF-8 LC_ALL=C.UTF-8 IMMICH_MIGRATE_LOCALEDIR="$locale_dir" "$@"; }

# Without a terminal: the German one-line hint.
set +e
de "$IMMICH_MIGRATE" -c "$conf" --state-dir "$TEST_TMP/notty" </dev/null >"$TEST_TMP/notty.out" 2>&1
set -e
assert_contains "$TEST_TMP/notty.out" "der Assistent braucht ein Terminal"

tmux_start -- env LANGUAGE=de LANG=C.UTF-8 LC_ALL=C.UTF-8 IMMICH_MIGRATE_LOCALEDIR="$locale_dir" \
    "$IMMICH_MIGRATE" -c "$conf" --state-dir "$TEST_TMP/state"
tmux_wait_for "Willkommen"
tmux_assert "Schritte:"
tmux_assert "Erkunden & prüfen"
tmux_assert "Enter Starten"
tmux_assert "q Beenden"
tmux_assert "? Hilfe"
tmux_refute "Welcome"
pass_step "welcome screen in German"

tmux_keys '?'
tmux_wait_for "Tasten überall"
tmux_keys Escape
tmux_wait_gone "Tasten überall"

tmux_keys Enter
tmux_wait_for "Einstellungen"
tmux_assert "Wert"
tmux_assert "Quelle"
tmux_assert "Ändern"
tmux_screen | grep -F "backup_dir" | grep -qF "Konfigurationsdatei" || { tmux_screen; fail "source label not German"; }
pass_step "help and settings in German"

# The checks run by themselves; each finding says its verdict once, in German ("[FEHL]" in the
# mark column, not "[FEHL] FEHL …").
tmux_keys n
tmux_wait_for "Fehlgeschlagen:" 60
tmux_assert "[FEHL]"
if tmux_screen | grep -qE '\[FEHL\] +FEHL |\[WARN\] +WARN '; then tmux_screen; fail "a finding says its verdict twice"; fi
tmux_keys Escape
tmux_wait_for "Einstellungen"
pass_step "the checks' findings in German, each verdict once"

# The log browser's key bar fits 80 columns in German: no key dropped (c Leeren was).
tmux_keys Escape
tmux_wait_for "Willkommen"
tmux_keys v
tmux_wait_for "Einträgen"
for pair in "Enter Zeigen" "/ Suchen" "n/N Treffer" "s/e Filter" "c Leeren" "? Hilfe" "Esc Zurück"; do
    tmux_screen | tail -n 1 | grep -qF -- "$pair" || { tmux_screen; fail "the German log browser's key bar lacks $pair"; }
done
tmux_keys Escape
tmux_wait_for "Willkommen"
pass_step "the German log browser's key bar shows every key at 80 columns"

tmux_keys q
tmux_wait_for "Beenden?"
tmux_assert "j ja"
tmux_keys j
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "German quit with j exited $status"
pass_step "Beenden? answered with j"
