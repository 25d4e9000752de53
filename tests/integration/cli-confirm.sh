#!/bin/sh
# Confirmation on a terminal without the wizard (a stage subcommand without --yes): a wrong
# answer changes nothing; the word of the user's language ("ja" in German) or "yes" confirms.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
need msgfmt stat

mkdir -p "$TEST_TMP/locale/de/LC_MESSAGES"
msgfmt -o "$TEST_TMP/locale/de/LC_MESSAGES/immich-migrate.mo" "$top_srcdir/po/de.po"
if [ "$(id -u)" = 0 ]; then owner=nobody:$(id -gn nobody); else owner=$(id -un):$(id -gn); fi
lib="$TEST_TMP/media"
mkdir -p "$lib/upload"
before=$(stat -c %u:%g "$lib/upload")

ask() { # ANSWER: runs chown in German on a terminal and answers
    tmux_start -- env IMMICH_MIGRATE_LOCALEDIR="$TEST_TMP/locale" LANGUAGE=de LC_ALL=C.UTF-8 \
        "$IMMICH_MIGRATE" chown --target-location "$lib" "$lib" "$owner" --state-dir "$TEST_TMP/state"
    tmux_wait_for "„ja“" 20
    tmux_type "$1"
    tmux_keys Enter
    tmux_wait_exit 20
}

status=$(ask "vielleicht")
[ "$status" != 0 ] || fail "a wrong answer was taken as yes"
[ "$(stat -c %u:%g "$lib/upload")" = "$before" ] || fail "an unconfirmed chown changed the owner"
pass_step "a wrong answer changes nothing"

status=$(ask "ja")
[ "$status" = 0 ] || { tmux_screen; fail "\"ja\" was not accepted (exit $status)"; }
[ "$(stat -c %U:%G "$lib/upload")" = "$owner" ] || fail "confirmed chown did not change the owner"
pass_step "German \"ja\" confirms"
