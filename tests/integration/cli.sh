#!/bin/sh
# The command line: help, version, errors for bad input, the lock, dry run, report.
. "$top_srcdir/tests/lib/common.sh"
M=$IMMICH_MIGRATE

"$M" --help > "$TEST_TMP/help" || fail "--help failed"
assert_contains "$TEST_TMP/help" "--batch"
assert_contains "$TEST_TMP/help" "--dry-run"
assert_contains "$TEST_TMP/help" "--state-dir"
assert_contains "$TEST_TMP/help" "import"
"$M" --version | grep -q '^immich-migrate [0-9]' || fail "--version"
pass_step "help and version"

expect_status 2 "$M" no-such-stage 2> "$TEST_TMP/err"
assert_contains "$TEST_TMP/err" 'unknown stage "no-such-stage"'
expect_status 2 "$M" --no-such-option 2> "$TEST_TMP/err"
expect_status 2 "$M" --batch --dry-run 2> "$TEST_TMP/err"
assert_contains "$TEST_TMP/err" "choose one of"
pass_step "usage errors"

# A malformed config: file:line for every bad line, nothing created in the state dir.
cat > "$TEST_TMP/bad.conf" <<'CONF'
upload_location = /srv/immich/library
this line has no equals sign
colour = blue
CONF
expect_status 1 "$M" --batch -c "$TEST_TMP/bad.conf" --state-dir "$TEST_TMP/state" 2> "$TEST_TMP/err"
assert_contains "$TEST_TMP/err" "bad.conf:2:"
assert_contains "$TEST_TMP/err" "bad.conf:3: unknown key \"colour\""
[ ! -e "$TEST_TMP/state" ] || fail "a bad config created the state directory"
pass_step "bad config refused, nothing created"

# Dry run: the plan with sources, every stage; no state written.
cat > "$TEST_TMP/good.conf" <<'CONF'
upload_location = /srv/immich/library
target_dsn = host=/run/postgresql password=topsecret-dsn
CONF
"$M" --dry-run -c "$TEST_TMP/good.conf" --state-dir "$TEST_TMP/state" > "$TEST_TMP/dry"
assert_contains "$TEST_TMP/dry" 'upload_location = "/srv/immich/library" (config file'
assert_contains "$TEST_TMP/dry" 'target_location = "/var/lib/immich" (default)'
for title in "Discover & check" "Stop Docker" "Back up library" "Dump database" "Fix up dump" \
             "Prepare database" "Import dump" "Set owner" "Start Immich" "Verify"; do
    assert_contains "$TEST_TMP/dry" "$title"
done
assert_not_contains "$TEST_TMP/dry" "topsecret-dsn"
[ ! -e "$TEST_TMP/state" ] || fail "--dry-run wrote a state directory"
pass_step "dry run"

# The lock: a second instance is refused and told the first one's pid.
mkdir -m 700 "$TEST_TMP/locked"
( exec 9>"$TEST_TMP/locked/lock"; echo 424242 >&9; flock -x 9; sleep 30 ) &
holder=$!
at_exit "kill $holder 2>/dev/null"
i=0 # until the pid is written and the lock really held
while ! { [ -s "$TEST_TMP/locked/lock" ] && ! flock -n "$TEST_TMP/locked/lock" true; }; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "the lock holder did not start"
    sleep 0.1
done
expect_status 1 "$M" --batch --state-dir "$TEST_TMP/locked" 2> "$TEST_TMP/err"
assert_contains "$TEST_TMP/err" "pid 424242"
kill $holder; wait $holder 2>/dev/null || true
pass_step "lock"

# A batch run (with stages that fail honestly or not) leaves a journal and a private log;
# the report has every stage and no password.
set +e
"$M" --batch -c "$TEST_TMP/good.conf" --state-dir "$TEST_TMP/state" 2> "$TEST_TMP/batch.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || [ "$rc" -eq 0 ]
[ -f "$TEST_TMP/state/journal" ] || fail "no journal"
[ "$(stat -c %a "$TEST_TMP/state/migration.log")" = 600 ] || fail "log is not 0600"
[ "$(stat -c %a "$TEST_TMP/state")" = 700 ] || fail "state dir is not 0700"
"$M" --report="$TEST_TMP/state" > "$TEST_TMP/report.md"
assert_contains "$TEST_TMP/report.md" "# immich-migrate report"
assert_contains "$TEST_TMP/report.md" "| 1 | Discover & check |"
assert_not_contains "$TEST_TMP/report.md" "topsecret-dsn"
assert_not_contains "$TEST_TMP/state/migration.log" "topsecret-dsn"
assert_not_contains "$TEST_TMP/state/journal" "topsecret-dsn"
pass_step "journal, log and report"

# German: LANGUAGE=de gives German help and errors (catalog compiled from po/de.po).
need msgfmt
mkdir -p "$TEST_TMP/locale/de/LC_MESSAGES"
msgfmt -c -o "$TEST_TMP/locale/de/LC_MESSAGES/immich-migrate.mo" "$top_srcdir/po/de.po"
IMMICH_MIGRATE_LOCALEDIR="$TEST_TMP/locale" LANGUAGE=de LC_ALL=C.UTF-8 "$M" --help > "$TEST_TMP/help.de"
assert_contains "$TEST_TMP/help.de" "Aufruf: immich-migrate"
assert_contains "$TEST_TMP/help.de" "den interaktiven Assistenten starten"
assert_not_contains "$TEST_TMP/help.de" "start the interactive wizard"
set +e
IMMICH_MIGRATE_LOCALEDIR="$TEST_TMP/locale" LANGUAGE=de LC_ALL=C.UTF-8 "$M" no-such-stage 2> "$TEST_TMP/err.de"
set -e
assert_contains "$TEST_TMP/err.de" "unbekannter Schritt"
pass_step "German help and errors"

# Every help text fits an 80-column terminal, in English and in German (wc -L counts columns).
stages=$("$M" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$stages" ] || fail "no stages listed in --help"
for lang in C de; do
    for cmd in "" $stages; do
        IMMICH_MIGRATE_LOCALEDIR="$TEST_TMP/locale" LANGUAGE=$lang LC_ALL=C.UTF-8 \
            "$M" $cmd --help > "$TEST_TMP/width" 2>&1 || fail "'$cmd --help' ($lang) failed"
        width=$(LC_ALL=C.UTF-8 wc -L < "$TEST_TMP/width")
        [ "$width" -le 80 ] || { grep -n '.\{81,\}' "$TEST_TMP/width"; fail "'$cmd --help' ($lang) is $width columns wide"; }
    done
done
pass_step "every --help fits 80 columns, English and German"
