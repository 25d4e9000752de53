#!/bin/bash
# Nothing cut off at 80x24 (issue 13: 1, 6, 9). A whole migration of the sandbox in tmux at
# 80x24: on every screen no text runs into the right edge (column 80 holds only a rule, a box
# border or the "…" cut marker), the destructive stage's paragraph (what it changes and asks)
# is complete, and every long
# log record of a stage whose beginning is on the screen is there complete (wrapped). With
# failing checks, each finding is complete with its fix text. The same in German. At 60x20
# the wizard says it needs 80x24, keeps Esc in the key bar and still lists all 13 stages.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need msgfmt
need gettext
export LC_ALL=C.UTF-8

locale_dir="$TEST_TMP/locale"
mkdir -p "$locale_dir/de/LC_MESSAGES"
msgfmt -o "$locale_dir/de/LC_MESSAGES/immich-migrate.mo" "$top_srcdir/po/de.po" ||
    fail "po/de.po does not compile"
lang=en
tr_() { # the translation of a msgid in the language under test
    if [ "$lang" = de ]; then
        LANGUAGE=de TEXTDOMAINDIR="$locale_dir" gettext -d immich-migrate -- "$1"
    else
        printf '%s' "$1"
    fi
}
run_wizard() { # run_wizard W H ARGS...: the wizard in the language under test
    _w=$1 _h=$2
    shift 2
    tmux_start "$_w" "$_h" -- env LANGUAGE="$lang" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        IMMICH_MIGRATE_LOCALEDIR="$locale_dir" "$IMMICH_MIGRATE" "$@"
}

# The screen as one line: lines stripped and joined with one space, runs of spaces as one.
joined() { tmux_screen | sed 's/^ *//; s/ *$//' | tr '\n' ' ' | tr -s ' '; }
squeeze() { printf '%s' "$1" | tr '\n' ' ' | tr -s ' '; }
assert_complete() { # assert_complete TEXT WHERE
    joined | grep -qF -- "$(squeeze "$1")" || { _tmux_dump; fail "not complete on the screen ($2): $1"; }
}
# No text in the last column: only rules, box borders and the cut marker may reach it.
edge_check() { # edge_check WHERE
    while IFS= read -r line; do
        [ "${#line}" -ge 80 ] || continue
        case ${line:79:1} in ─ | │ | ┐ | ┘ | ┤ | … | ' ') ;;
        *) _tmux_dump; fail "text runs into the right edge ($1): $line" ;;
        esac
    done < <(tmux_screen)
}
checked=0
# Every long record (message, warning, error) of stage $1 whose first 30 characters are on
# the screen is there complete.
records_complete() { # records_complete STAGE_ID WHERE
    _screen=$(joined)
    while IFS= read -r text; do
        case $text in *\\*) continue ;; esac # escaped outside text: not compared
        text=$(squeeze "${text#[A-Z][A-Z][A-Z][A-Z] }")
        [ "${#text}" -gt 70 ] || continue
        case $_screen in *"${text:0:30}"*) ;; *) continue ;; esac
        # A word longer than a line (a path) is broken inside it: compare without blanks then.
        _flat=${_screen// /} _tflat=${text// /}
        case $_screen in *"$text"*) checked=$((checked + 1)) ;;
        *) case $_flat in *"$_tflat"*) checked=$((checked + 1)) ;;
           *) _tmux_dump; fail "log record cut on the screen ($2): $text" ;;
           esac ;;
        esac
    done < <(awk -F'\t' -v s="$1" '$2 == s && ($3 == "message" || $3 == "warning" || $3 == "error") { print $8 }' "$state/migration.log")
}
screen_check() { edge_check "$1"; } # the checks every screen gets
title() { tmux_screen | sed -n 1p; }
next_screen() { # n, then wait for another title
    _t=$(title)
    tmux_keys n
    _i=0
    while [ "$(title)" = "$_t" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    [ "$(title)" != "$_t" ] || { _tmux_dump; fail "n did not leave $_t"; }
}
lang_texts() { # the texts looked for, in the language under test
    typed=$(tr_ 'Type "%s" to confirm:')
    typed_pre=${typed%%%s*} typed_post=${typed#*%s}
    # The destructive stage's paragraph (what it changes and asks) ends with this sentence;
    # seen whole, the paragraph above it was not cut.
    warning=$(tr_ "%s Only the backup can undo it.")
    warning=${warning#%s }
}

# ---------------------------------------------------------------- failing checks at 80x24
failing_checks() {
    state="$TEST_TMP/state-fail-$lang"
    conf="$TEST_TMP/fail.conf"
    cat >"$conf" <<CONF
backup_dir = $TEST_TMP/backup-$lang
docker_command = false
systemctl_command = false
journalctl_command = false
target_dsn = host=/nonexistent
CONF
    run_wizard 80 24 -c "$conf" --state-dir "$state"
    tmux_wait_for "$(tr_ "Welcome")"
    screen_check "welcome"
    assert_complete "$(tr_ "This wizard moves an Immich installation from Docker Compose to the NixOS services.immich module, one stage at a time. Each stage shows what it will run before it runs. Everything is recorded in a journal and a log, so you can stop at any time and resume later.")" "welcome"
    tmux_keys Enter
    tmux_wait_for "$(tr_ "Settings")"
    screen_check "settings"
    tmux_keys n
    tmux_wait_for "$(tr_ "Failed: %s" | sed 's/%s.*//')" 60
    screen_check "failed checks"
    checked=0
    records_complete discover "failed checks"
    [ "$checked" -ge 2 ] || { _tmux_dump; fail "only $checked long findings on the checks screen"; }
    # a finding with its fix text ("what to do")
    assert_complete "$(tr_ "the library could not be measured")" "failed checks"
    tmux_keys q
    tmux_wait_for "$(tr_ "Quit?")"
    tmux_keys "$( [ "$lang" = de ] && echo j || echo y)"
    tmux_wait_exit 10 >/dev/null
}

# ---------------------------------------------------------------- a whole run at 80x24
whole_run() {
    sb="$TEST_TMP/sb-$lang"
    sandbox_create "$sb" --assets 6
    state="$TEST_TMP/state-$lang"
    run_wizard 80 24 -c "$sb/immich-migrate.conf" --state-dir "$state"
    tmux_wait_for "$(tr_ "Welcome")"
    tmux_keys Enter
    tmux_wait_for "$(tr_ "Settings")"
    tmux_keys n
    tmux_wait_for "$(tr_ "Result: done")" 120
    screen_check "checks"
    records_complete discover "checks"
    checked=0 warned=0
    for _ in $(seq 12); do
        next_screen
        where=$(title)
        screen_check "$where, before"
        if tmux_screen | grep -qF -- "${warning:0:15}"; then
            assert_complete "$warning" "$where"
            warned=$((warned + 1))
        fi
        tmux_keys r
        for _i in $(seq 1200); do
            tmux_screen | grep -qF "$(tr_ "Result: done")" && break
            if tmux_screen | grep -qF "$(tr_ "Question")"; then
                edge_check "$where, question"
                tmux_keys "$( [ "$lang" = de ] && echo j || echo y)"
            elif tmux_screen | grep -qF -- "$typed_pre"; then # type the word it asks for
                edge_check "$where, confirmation"
                word=$(tmux_screen | grep -F -- "$typed_pre" | head -n 1)
                word=${word#*"$typed_pre"}
                word=${word%%"$typed_post"*}
                tmux_type "$word"
                tmux_keys Enter
                sleep 0.5
            fi
            sleep 0.1
        done
        tmux_assert "$(tr_ "Result: done")"
        screen_check "$where, done"
        id=$(awk -F'\t' '$2 != "" { s = $2 } END { print s }' "$state/migration.log")
        records_complete "$id" "$where, done"
    done
    next_screen
    screen_check "finish"
    [ "$checked" -ge 1 ] || fail "no long log record was on any stage screen"
    [ "$warned" -ge 2 ] || fail "the destructive-stage warning was on $warned screens only"
    tmux_keys q
    sleep 1
    if tmux_screen | grep -qF "$(tr_ "Quit?")"; then tmux_keys "$( [ "$lang" = de ] && echo j || echo y)"; fi
    tmux_wait_exit 10 >/dev/null
}

for lang in en de; do
    lang_texts
    failing_checks
    pass_step "[$lang] 80x24: the welcome text and the failed checks' findings with their fixes are complete"
    whole_run
    pass_step "[$lang] 80x24: a whole run, no text at the right edge, warnings and long log records complete"
done

# ---------------------------------------------------------------- 60x20
lang=en
run_wizard 60 20 -c "$TEST_TMP/fail.conf" --state-dir "$TEST_TMP/state-small"
tmux_wait_for "Welcome"
tmux_assert "needs 80x24"
tmux_assert "13. "
tmux_keys Enter
tmux_wait_for "Settings"
tmux_keys n
tmux_wait_for "Failed:" 60
tmux_assert "needs 80x24"
tmux_assert "Esc Back"
pass_step "60x20: an 80x24 notice, Esc in the key bar, all stages listed"
