#!/bin/sh
# The stand-in systemctl and journalctl: units, the fake Immich answering /api/server/ping,
# start-up delay and start-up errors, show properties, postgresql.service = target server.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need bash

sb=$TEST_TMP/sb
sandbox_create "$sb" --assets 3 --bytes-per-file 10
: >"$CALLS_LOG"

# http_get PATH: prints the status code and body of GET PATH on the fake server (bash /dev/tcp).
http_get() {
    bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 || exit 7
             printf "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" "$1" >&3
             IFS= read -r status <&3; body=$(cat <&3)
             printf "%s\n%s\n" "${status%$(printf "\r")}" "${body##*$(printf "\r\n\r\n")}"' "$IMMICH_PORT" "$1" 2>/dev/null
}

expect_status 3 "$SYSTEMCTL" is-active immich-server >"$TEST_TMP/out"
[ "$(cat "$TEST_TMP/out")" = inactive ] || fail "immich-server not inactive at first"
expect_status 7 http_get /api/server/ping
"$SYSTEMCTL" start immich-server || fail "start failed"
[ "$("$SYSTEMCTL" is-active immich-server)" = active ] || fail "not active after start"
tries=0
until http_get /api/server/ping >"$TEST_TMP/ping"; do
    tries=$((tries + 1)); [ $tries -lt 50 ] || fail "no answer on port $IMMICH_PORT"; sleep 0.1
done
[ "$(head -n 1 "$TEST_TMP/ping")" = "HTTP/1.1 200 OK" ] || fail "ping status: $(head -n 1 "$TEST_TMP/ping")"
[ "$(tail -n 1 "$TEST_TMP/ping")" = '{"res":"pong"}' ] || fail "ping body: $(tail -n 1 "$TEST_TMP/ping")"
http_get /api/other >"$TEST_TMP/other"
[ "$(head -n 1 "$TEST_TMP/other")" = "HTTP/1.1 404 Not Found" ] || fail "unknown path is not 404"
"$JOURNALCTL" -u immich-server --no-pager -o cat >"$TEST_TMP/journal"
assert_contains "$TEST_TMP/journal" "GET /api/server/ping 200"
assert_contains "$TEST_TMP/journal" "GET /api/other 404"
assert_contains "$TEST_TMP/journal" "Immich Server is listening"
"$JOURNALCTL" -u immich-server --since "$(date -d '+1 hour' '+%Y-%m-%d %H:%M:%S')" >"$TEST_TMP/journal"
[ "$(cat "$TEST_TMP/journal")" = "-- No entries --" ] || fail "--since in the future printed entries"
pass_step "start, ping, journal"

"$SYSTEMCTL" status immich-server >"$TEST_TMP/status" || fail "status of a running unit is not 0"
assert_contains "$TEST_TMP/status" "Active: active (running)"
expect_status 4 "$SYSTEMCTL" status nosuch 2>/dev/null
"$SYSTEMCTL" show immich-server -p ExecStart,Environment >"$TEST_TMP/show"
assert_contains "$TEST_TMP/show" "ExecStart={ path=/nix/store/"
assert_contains "$TEST_TMP/show" "-immich-$IMMICH_VERSION/bin/server"
assert_contains "$TEST_TMP/show" "IMMICH_MEDIA_LOCATION=$TARGET_LOCATION"
assert_contains "$TEST_TMP/show" "DB_HOSTNAME=$DST_HOST"
[ "$("$SYSTEMCTL" show immich-server --property=ActiveState --value)" = active ] || fail "show ActiveState"
[ "$("$SYSTEMCTL" show nosuch.service -p LoadState)" = LoadState=not-found ] || fail "unknown unit LoadState"
IMMICH_SANDBOX_NIX_VERSION=9.8.7 "$SYSTEMCTL" show immich-server -p ExecStart --value | grep -q -- '-immich-9.8.7/bin/server' ||
    fail "IMMICH_SANDBOX_NIX_VERSION not used"
pass_step "show"

"$SYSTEMCTL" stop immich-server || fail "stop failed"
expect_status 3 "$SYSTEMCTL" is-active -q immich-server
expect_status 7 http_get /api/server/ping
[ -z "$(pgrep -f -- "$sb/state/immich-server")" ] || fail "fake server still runs after stop"
expect_status 5 "$SYSTEMCTL" start nosuch 2>"$TEST_TMP/err"
assert_contains "$TEST_TMP/err" "Unit nosuch.service not found."
pass_step "stop, unknown unit"

# A slow start: active at once, ping answers only after the delay (long enough that a loaded
# machine still asks before it ends; then polled, at most 20 s).
t0=$(date +%s)
IMMICH_SANDBOX_STARTUP_DELAY=4 "$SYSTEMCTL" start immich-server.service
expect_status 7 http_get /api/server/ping
[ "$("$SYSTEMCTL" is-active immich-server)" = active ] || fail "not active while starting"
[ $(( $(date +%s) - t0 )) -lt 4 ] || fail "the machine is too slow for this check: 4 s passed before the first ping"
tries=0
until http_get /api/server/ping | grep -q pong; do
    tries=$((tries + 1)); [ $tries -lt 200 ] || fail "no pong after the start-up delay"; sleep 0.1
done
[ $(( $(date +%s) - t0 )) -ge 3 ] || fail "pong came before the start-up delay was over"
"$SYSTEMCTL" restart immich-server
"$SYSTEMCTL" stop immich-server
pass_step "start-up delay"

# A server that fails at start-up: the error is in the journal, the unit is failed.
echo 'IMMICH_SANDBOX_SERVER_ERROR="Detected an inconsistent media location"' >"$sb/faults.env"
"$SYSTEMCTL" start immich-server
tries=0
until [ "$("$SYSTEMCTL" is-active immich-server)" = failed ]; do
    tries=$((tries + 1)); [ $tries -lt 100 ] || break; sleep 0.1
done
expect_status 3 "$SYSTEMCTL" is-active immich-server >"$TEST_TMP/out"
[ "$(cat "$TEST_TMP/out")" = failed ] || fail "is-active after a failed start: $(cat "$TEST_TMP/out")"
"$JOURNALCTL" -u immich-server -o cat -n 1 >"$TEST_TMP/journal"
assert_contains "$TEST_TMP/journal" "ERROR [Api:Bootstrap] Detected an inconsistent media location"
rm "$sb/faults.env"
expect_status 1 env IMMICH_SANDBOX_FAIL_START=immich-server "$SYSTEMCTL" start immich-server 2>/dev/null
pass_step "failed start"

# IMMICH_SANDBOX_STRICT=1: the fake server checks the target like Immich at start-up.
strict_start() { # strict_start EXPECTED-STATE
    "$SYSTEMCTL" stop immich-server
    IMMICH_SANDBOX_STRICT=1 "$SYSTEMCTL" start immich-server
    sleep 0.3
    tries=0 # a failing start-up may take longer on a loaded machine
    while [ "$1" = failed ] && [ "$("$SYSTEMCTL" is-active immich-server)" != failed ] && [ $tries -lt 100 ]; do
        tries=$((tries + 1)); sleep 0.1
    done
    st=$("$SYSTEMCTL" is-active immich-server) || true
    [ "$st" = "$1" ] || fail "strict start: $st, expected $1"
}
strict_start failed
"$JOURNALCTL" -u immich-server -o cat -n 1 | grep -qF "Failed to read: \"<UPLOAD_LOCATION>/encoded-video/.immich ($TARGET_LOCATION/encoded-video/.immich)" ||
    fail "no marker error in the journal"
for d in library upload thumbs encoded-video profile backups; do
    mkdir -p "$TARGET_LOCATION/$d"; : >"$TARGET_LOCATION/$d/.immich"
done
strict_start active # an empty database: a fresh install
sb_psql "$DST_HOST" immich -q <<'SQL'
CREATE TABLE version_history (version varchar, "createdAt" timestamptz DEFAULT now());
CREATE TABLE system_metadata (key varchar, value jsonb);
CREATE TABLE asset ("originalPath" varchar, "isExternal" boolean);
INSERT INTO version_history VALUES ('99.0.0');
INSERT INTO system_metadata VALUES ('MediaLocation', '{"location": "/usr/src/app/upload"}');
INSERT INTO asset VALUES ('/elsewhere/a.jpg', false);
SQL
strict_start failed
"$JOURNALCTL" -u immich-server -o cat -n 1 | grep -q 'downgrades are not supported' || fail "no downgrade error"
sb_psql "$DST_HOST" immich -c "UPDATE version_history SET version = '$IMMICH_VERSION'" >/dev/null
strict_start failed
"$JOURNALCTL" -u immich-server -o cat -n 1 | grep -q 'Detected an inconsistent media location' ||
    fail "no inconsistent media location error"
sb_psql "$DST_HOST" immich -c "UPDATE asset SET \"originalPath\" = '/usr/src/app/upload/upload/a.jpg'" >/dev/null
strict_start active
"$JOURNALCTL" -u immich-server -o cat | grep -q 'performing an automatic migration of file paths from /usr/src/app/upload' ||
    fail "no automatic path migration message"
sb_psql "$DST_HOST" immich -c "UPDATE system_metadata SET value = jsonb_build_object('location', '$TARGET_LOCATION')" >/dev/null
strict_start active
"$SYSTEMCTL" stop immich-server
pass_step "strict start-up checks"

# postgresql.service is the target server.
[ "$("$SYSTEMCTL" is-active postgresql)" = active ] || fail "postgresql not active"
"$SYSTEMCTL" stop postgresql
expect_status 2 sb_psql "$DST_HOST" postgres -c 'SELECT 1' 2>/dev/null
"$SYSTEMCTL" start postgresql
[ "$(sb_psql "$DST_HOST" postgres -At -c 'SELECT 1')" = 1 ] || fail "target not back after start"
pass_step "postgresql.service"

head -n 1 "$CALLS_LOG" | grep -qx "$(printf 'systemctl\tis-active\timmich-server')" || fail "first call: $(head -n 1 "$CALLS_LOG")"
grep -q "$(printf '^journalctl\t-u\timmich-server\t--no-pager\t-o\tcat$')" "$CALLS_LOG" || fail "journalctl call not recorded"
[ "$(grep -c "$(printf '^systemctl\tstart\timmich-server')" "$CALLS_LOG")" -ge 3 ] || fail "starts not recorded"
pass_step "calls.log"
