# Drive a terminal program in tmux, like a user over SSH: a private tmux server (its own
# socket), a window of a fixed size, keys in, screen text out.
# Usage: . "$top_srcdir/tests/lib/tmux.sh" (after common.sh), then
#   tmux_start [W H] -- CMD ARGS...   start CMD in a detached session (default 80x24)
#   tmux_keys KEY...                  tmux send-keys (names like Enter, Escape, F1, Down)
#   tmux_type TEXT                    send TEXT literally
#   tmux_screen                       print the visible screen (tmux_screen_raw: with escapes)
#   tmux_wait_for TEXT [SECONDS]      wait until TEXT is on screen (default 15 s), else fail
#   tmux_wait_gone TEXT [SECONDS]     wait until TEXT is no longer on screen
#   tmux_assert TEXT / tmux_refute TEXT
#   tmux_resize W H                   resize the window (the program gets SIGWINCH)
#   tmux_alive                        is the program still running?
#   tmux_wait_exit [SECONDS]          wait for the program to end; prints its exit status
#   tmux_pid                          the program's pid
need tmux

TMUX_SOCKET="im-test-$$-$(date +%s)"
TMUX_SESSION=t
TMUX_STATUS_FILE="$TEST_TMP/tmux-exit-status"
TMUX_PID_FILE="$TEST_TMP/tmux-pid"
unset TMUX

_tmux() { tmux -L "$TMUX_SOCKET" -f /dev/null "$@"; }

tmux_kill() { _tmux kill-server >/dev/null 2>&1 || true; }
at_exit tmux_kill

_tmux_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

tmux_start() {
    w=80 h=24
    if [ "$1" != -- ]; then w=$1 h=$2; shift 2; fi
    [ "$1" = -- ] && shift
    _tmux kill-session -t "$TMUX_SESSION" >/dev/null 2>&1 || true
    rm -f "$TMUX_STATUS_FILE" "$TMUX_PID_FILE"
    # A tiny sh wrapper records the program's pid and exit status and keeps the pane open
    # afterwards, so the last screen can still be read.
    cmd="sh -c 'echo \$\$ > \"\$0\"; exec \"\$@\"' $(_tmux_quote "$TMUX_PID_FILE")"
    for a in "$@"; do cmd="$cmd $(_tmux_quote "$a")"; done
    _tmux new-session -d -s "$TMUX_SESSION" -x "$w" -y "$h" \
        "$cmd; echo \$? > $(_tmux_quote "$TMUX_STATUS_FILE"); sleep 600" \
        || fail "cannot start tmux"
    _tmux resize-window -t "$TMUX_SESSION" -x "$w" -y "$h" >/dev/null 2>&1 || true
    _i=0
    while [ ! -s "$TMUX_PID_FILE" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    [ -s "$TMUX_PID_FILE" ] || fail "the program in tmux did not start"
}

# The program's pid (for signals).
tmux_pid() { cat "$TMUX_PID_FILE"; }

tmux_keys() { _tmux send-keys -t "$TMUX_SESSION" "$@"; }
tmux_type() { _tmux send-keys -t "$TMUX_SESSION" -l -- "$1"; }
tmux_screen() { _tmux capture-pane -p -t "$TMUX_SESSION"; }
# The screen with its attributes as escape sequences (colours, bold, reverse).
tmux_screen_raw() { _tmux capture-pane -e -p -t "$TMUX_SESSION"; }

_tmux_dump() {
    echo "--- screen:" >&2
    tmux_screen >&2 || true
    echo "---" >&2
}

tmux_wait_for() {
    _limit=$(( ${2:-15} * 10 ))
    _i=0
    while [ $_i -lt $_limit ]; do
        if tmux_screen | grep -qF -- "$1"; then return 0; fi
        sleep 0.1
        _i=$((_i + 1))
    done
    _tmux_dump
    fail "screen never showed: $1"
}

tmux_wait_gone() {
    _limit=$(( ${2:-15} * 10 ))
    _i=0
    while [ $_i -lt $_limit ]; do
        if ! tmux_screen | grep -qF -- "$1"; then return 0; fi
        sleep 0.1
        _i=$((_i + 1))
    done
    _tmux_dump
    fail "screen still shows: $1"
}

tmux_assert() { tmux_screen | grep -qF -- "$1" || { _tmux_dump; fail "screen lacks: $1"; }; }
tmux_refute() { if tmux_screen | grep -qF -- "$1"; then _tmux_dump; fail "screen shows: $1"; fi; }

tmux_resize() {
    _tmux resize-window -t "$TMUX_SESSION" -x "$1" -y "$2" >/dev/null 2>&1 \
        || _tmux resize-pane -t "$TMUX_SESSION" -x "$1" -y "$2" \
        || fail "cannot resize the tmux window"
    _size=$(_tmux display-message -p -t "$TMUX_SESSION" '#{pane_width}x#{pane_height}')
    [ "$_size" = "$1x$2" ] || fail "tmux pane is $_size, wanted $1x$2"
}

tmux_alive() { [ ! -e "$TMUX_STATUS_FILE" ]; }

tmux_wait_exit() {
    _limit=$(( ${1:-15} * 10 ))
    _i=0
    while [ $_i -lt $_limit ]; do
        if [ -s "$TMUX_STATUS_FILE" ]; then cat "$TMUX_STATUS_FILE"; return 0; fi
        sleep 0.1
        _i=$((_i + 1))
    done
    _tmux_dump
    fail "the program did not exit"
}

# _tmux_title_changes OLD TENTHS: waits up to TENTHS tenths of a second until the screen's
# title line is no longer OLD; 1 when it still is.
_tmux_title_changes() {
    _t=0
    while [ "$(tmux_screen | sed -n 1p)" = "$1" ]; do
        _t=$((_t + 1))
        [ $_t -le "$2" ] || return 1
        sleep 0.1
    done
}

# tmux_keys_new_screen KEY: press KEY, which leaves the current screen, and wait (up to 30 s)
# until the title line has changed. A wizard_next_to right after a key that changes the screen
# could otherwise read the old title on a loaded machine, press n before KEY was handled, and
# so go one screen too far.
tmux_keys_new_screen() {
    _old_title=$(tmux_screen | sed -n 1p)
    tmux_keys "$1"
    _tmux_title_changes "$_old_title" 300 || { _tmux_dump; fail "the screen did not change after the key $1"; }
}

# The wizard: press n (wizard_next_to) or Esc (wizard_back_to) until the screen's title line
# shows $1 (at most 20 screens). After each key it waits for the title to change (up to 10 s),
# so a slow redraw on a loaded machine never gets a second key that would skip past the
# wanted screen.
wizard_next_to() { _wizard_move n "$1"; }
wizard_back_to() { _wizard_move Escape "$1"; }
_wizard_move() {
    _n=0
    while :; do
        _title=$(tmux_screen | sed -n 1p)
        case $_title in *"$2"*) return 0 ;; esac
        _n=$((_n + 1))
        [ $_n -le 20 ] || { _tmux_dump; fail "never reached the screen \"$2\""; }
        tmux_keys "$1"
        _tmux_title_changes "$_title" 100 || true
    done
}

# The directory of a running --demo (/tmp/immich-migrate-demo.*), found through the lock file
# the program in tmux holds open. Prints nothing when it cannot be found.
tmux_demo_root() {
    for _fd in /proc/"$(tmux_pid)"/fd/*; do
        _t=$(readlink "$_fd" 2>/dev/null || true)
        case $_t in /tmp/immich-migrate-demo.*/state/lock) echo "${_t%/state/lock}"; return ;; esac
    done
}
