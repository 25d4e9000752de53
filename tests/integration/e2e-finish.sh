#!/bin/bash
# The wizard's preview names what is written, and the finish screen shows the result (issue 13,
# items 7 and 11). A whole migration on the sandbox in tmux, with a state directory that is not
# the default:
# - the stage screens of "Back up library" and "Dump database" show the names of the archive
#   and the dump; the name is claimed in the journal (KEY.pending) when the screen is shown, a
#   second visit (at least a second later) shows the same name, the run writes that file, and
#   a visit after the run still shows it;
# - at 80x24 the finish screen names the library archive, the database dump and the asset
#   count without any key, and the --review hint names --state-dir DIR;
# - the NixOS stage writes its settings to STATE/nixos-immich.nix (0600) and names it; on the
#   finish screen p shows them without box-drawing characters, equal to that file.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 8
state="$TEST_TMP/state"
journal="$state/journal"

title_is() { tmux_screen | sed -n 1p | grep -qF "$1"; }
# The screen as one line without the blanks at the line ends: a path wrapped (or broken) over
# two lines reads whole.
unwrapped() { tmux_screen | sed 's/^ *//; s/ *$//' | tr -d '\n'; }
pending_of() { sed -n "s/^artifact	$1.pending	//p" "$journal"; }
# wait_second_after EPOCH: until the clock shows a later second (the names carry seconds)
wait_second_after() { while [ "$(date +%s)" -le "$1" ]; do sleep 0.1; done; }
# run_here: r, then answer what the stage asks, until it is done.
run_here() {
    tmux_keys r
    _i=0
    while :; do
        _i=$((_i + 1)); [ $_i -lt 1200 ] || { _tmux_dump; fail "the stage did not finish within 4 minutes"; }
        if tmux_screen | grep -qF "Type the database name"; then
            tmux_type "$DST_DB"; tmux_keys Enter
        elif tmux_screen | grep -qF "y yes"; then
            tmux_keys y
        elif tmux_screen | grep -qF "Result: done"; then
            return 0
        elif tmux_screen | grep -qF "Result: failed"; then
            _tmux_dump; fail "a stage failed"
        fi
        sleep 0.2
    done
}
# check_named KEY TITLE GLOB PREVIOUS: the stage screen shows the pending name of KEY, a second
# visit (from the PREVIOUS screen, a second later) shows the same, and its run writes exactly
# that file.
check_named() {
    key=$1 title=$2
    name=$(pending_of "$key")
    [ -n "$name" ] || { cat "$journal"; fail "showing \"$title\" did not claim a name for $key"; }
    case ${name##*/} in $3) ;; *) fail "$key's claimed name is ${name##*/}" ;; esac
    unwrapped | grep -qF -- "$name" || { _tmux_dump; fail "\"$title\" does not show $name"; }
    wait_second_after "$(date +%s)"
    wizard_back_to "$4"
    wizard_next_to "$title"
    [ "$(pending_of "$key")" = "$name" ] || fail "a second visit claimed $(pending_of "$key"), not $name"
    unwrapped | grep -qF -- "$name" || { _tmux_dump; fail "the second visit of \"$title\" does not show $name"; }
    run_here
    [ -f "$name" ] || { ls -l "$BACKUP_DIR"; fail "the run did not write $name"; }
    grep -q "^artifact	$key	$name\$" "$journal" || { cat "$journal"; fail "$key is not $name"; }
    wait_second_after "$(date +%s)" # once done, the screen names the file written
    wizard_back_to "$4"
    wizard_next_to "$title"
    unwrapped | grep -qF -- "$name" || { _tmux_dump; fail "\"$title\", done, does not show $name"; }
    pass_step "\"$title\" showed ${name##*/} on both visits and wrote it"
}

# Wide enough that the preview's commands are whole on the stage screens.
tmux_start 220 40 -- "$IMMICH_MIGRATE" -c "$PLAN" --state-dir "$state"
tmux_wait_for "Welcome" 60
tmux_keys Enter
tmux_wait_for "Settings"
tmux_keys n
tmux_wait_for "Result: done" 120
for t in "Pre-copy library" "Stop Docker" "Back up library" "Verify backup" "Dump database" \
         "Fix up dump" "Configure NixOS" "Prepare database" "Import dump" "Copy library" "Set owner" \
         "Start Immich" "Verify"; do
    wizard_next_to "$t"
    case $t in
    "Back up library") check_named backup_archive "$t" 'immich-library-*.tar.zst' "Stop Docker" ;;
    "Dump database") check_named dump_file "$t" 'immich-*.sql.zst' "Verify backup" ;;
    *) run_here ;;
    esac
    if [ "$t" = "Configure NixOS" ]; then # the stage leaves a copy of its settings to take
        [ "$(stat -c %a "$state/nixos-immich.nix" 2>/dev/null)" = 600 ] ||
            fail "the NixOS stage did not write $state/nixos-immich.nix (0600)"
        grep -qF "The settings are also in $state/nixos-immich.nix" "$state/migration.log" ||
            fail "the NixOS stage does not name $state/nixos-immich.nix"
    fi
done
archive=$(sed -n 's/^artifact	backup_archive	//p' "$journal")
dump=$(sed -n 's/^artifact	dump_file	//p' "$journal")

# ---------------------------------------------------------------- the finish screen at 80x24
tmux_resize 80 24
tmux_keys n
i=0
until title_is "Summary" && [ "$(tmux_screen | LC_ALL=C.UTF-8 wc -L)" -le 80 ]; do
    i=$((i + 1)); [ $i -lt 300 ] || { _tmux_dump; fail "never reached the summary at 80x24"; }
    sleep 0.1
done
tmux_assert "The migration is complete."
assets=$("$PG_BINDIR/psql" -X -At -h "$SRC_HOST" -U postgres -d "$SRC_DB" -c 'SELECT count(*) FROM asset')
tmux_assert "Assets: $assets"
unwrapped | grep -qF -- "$archive" || { _tmux_dump; fail "the summary does not name the archive $archive"; }
unwrapped | grep -qF -- "$dump" || { _tmux_dump; fail "the summary does not name the dump $dump"; }
# The sandbox's target differs from the library: the pre-copy wrote the base archive, and the
# backup after the stop is its catch-up. Both and the removed list are named.
base=$(sed -n 's/^artifact	backup_base	//p' "$journal")
[ -n "$base" ] && [ -f "$base" ] || fail "no base archive in the journal ($base)"
unwrapped | grep -qF -- "$base" || { _tmux_dump; fail "the summary does not name the base archive $base"; }
unwrapped | grep -qF -- "$archive.removed" || { _tmux_dump; fail "the summary does not name $archive.removed"; }
# The downtime, from the log itself: the end of Stop Docker's last finished attempt to the end
# of Start Immich's (their closing message records carry a duration, field 5).
down=$(awk -F'\t' '!/^#/ && $3 == "message" && $5 >= 0 && $2 == "stop_docker" { stop = $1 }
    !/^#/ && $3 == "message" && $5 >= 0 && $2 == "start" { start = $1 }
    END { if (stop == "" || start == "") exit 1; d = start - stop
          printf "%dh %02dm %02ds", d / 3600, (d / 60) % 60, d % 60 }' "$state/migration.log") ||
    fail "the log does not show Stop Docker and Start Immich finishing"
unwrapped | grep -qF -- "Immich was down: $down" || { _tmux_dump; fail "the summary does not say Immich was down $down"; }
pass_step "the finish screen at 80x24 names the archive, the dump, $assets assets and the downtime ($down)"

# The rest of it, scrolled into view with Down: the --review hint with the state directory and
# the next steps.
seen() { # seen TEXT: TEXT is on the screen, or comes into view within 20 lines of scrolling
    for _ in $(seq 20); do
        if tmux_screen | sed 's/^ *//; s/ *$//' | tr '\n' ' ' | tr -s ' ' | grep -qF -- "$1"; then return 0; fi
        tmux_keys Down
        sleep 0.2
    done
    _tmux_dump; fail "the summary never shows: $1"
}
seen "immich-migrate --review --state-dir $state"
seen "$DOCKER compose down"
seen "Keep the backups until you are sure."
tmux_keys Home
pass_step "the --review hint names --state-dir; the next steps are there"

# ---------------------------------------------------------------- the NixOS settings
file="$state/nixos-immich.nix"
[ -f "$file" ] || fail "no $file"
[ "$(stat -c %a "$file")" = 600 ] || fail "$file has mode $(stat -c %a "$file"), not 600"
grep -q '^services.immich = {$' "$file" || { cat "$file"; fail "$file holds no services.immich settings"; }
seen "$file"
tmux_keys Home
tmux_keys p
tmux_wait_for "Press Enter to go back"
plain=$(tmux_screen)
if printf '%s\n' "$plain" | grep -q '[─│┌┐└┘├┤┬┴┼═║╔╗╚╝]'; then
    _tmux_dump; fail "the unframed NixOS settings show box-drawing characters"
fi
# The settings as shown, whole lines (joined where the terminal wrapped them).
_tmux capture-pane -J -p -t "$TMUX_SESSION" | sed -n '/^services.immich = {$/,/^};$/p' >"$TEST_TMP/shown.nix"
cmp -s "$TEST_TMP/shown.nix" "$file" || { diff "$TEST_TMP/shown.nix" "$file"; fail "the unframed settings differ from $file"; }
tmux_keys Enter
tmux_wait_for "The migration is complete."
pass_step "p shows the NixOS settings unframed, equal to $file (0600)"

tmux_keys Enter
[ "$(tmux_wait_exit 30)" = 0 ] || fail "the wizard did not exit 0 from the summary"
