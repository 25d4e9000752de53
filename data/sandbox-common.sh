# Shared by the sandbox's stand-ins (fake-docker, fake-systemctl, fake-journalctl); sourced.
# Expects $IMMICH_SANDBOX (the sandbox dir; the DIR/bin wrappers set it) and $tool.

[ -n "${IMMICH_SANDBOX:-}" ] || { echo "$tool: IMMICH_SANDBOX is not set (use DIR/bin/$tool)" >&2; exit 1; }
[ -f "$IMMICH_SANDBOX/state/sandbox.conf" ] ||
    { echo "$tool: $IMMICH_SANDBOX is not a sandbox" >&2; exit 1; }
. "$IMMICH_SANDBOX/state/sandbox.conf"
# Failure injection may also come from a file, for callers that clean their environment.
if [ -f "$IMMICH_SANDBOX/faults.env" ]; then set -a; . "$IMMICH_SANDBOX/faults.env"; set +a; fi

# Appends this call to DIR/calls.log: tool name and arguments, tab-separated; tabs and
# newlines inside arguments are written as \t and \n.
record_call() {
    local line=$tool a
    for a in "$@"; do
        a=${a//$'\t'/\\t}
        a=${a//$'\n'/\\n}
        line+=$'\t'$a
    done
    printf '%s\n' "$line" >>"$IMMICH_SANDBOX/calls.log"
}

as_pg_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

pg_running() { # pg_running src|dst
    local d=$IMMICH_SANDBOX/$1-pg
    [ -f "$d/data/postmaster.pid" ] && as_pg_user "$PG_BINDIR/pg_ctl" -D "$d/data" status >/dev/null 2>&1
}

pg_start_server() {
    local d=$IMMICH_SANDBOX/$1-pg
    pg_running "$1" && return 0
    as_pg_user "$PG_BINDIR/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 \
        -o "-k $d -c listen_addresses='' -p 5432 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=40" \
        start >>"$d/pg_ctl.log" 2>&1
}

pg_stop_server() {
    local d=$IMMICH_SANDBOX/$1-pg
    pg_running "$1" || return 0
    as_pg_user "$PG_BINDIR/pg_ctl" -D "$d/data" -m fast -w -t 30 stop >>"$d/pg_ctl.log" 2>&1
}
