# A throwaway PostgreSQL server: Debian's initdb/pg_ctl on a temporary directory, run as an
# unprivileged OS user, socket (no TCP) in that directory, stopped when the test exits.
# Usage:  . "$top_srcdir/tests/lib/pg.sh"; pg_start NAME
# After pg_start NAME:  $NAME_HOST (socket dir), and PGHOST/PGPORT/PGUSER point at the last
# server started. Connect with: psql -h "$NAME_HOST" -U postgres -d postgres
# pg_start NAME peer  -> the server uses peer authentication for local connections
#                        (runs as OS user 'postgres'; only that OS user gets in as postgres).

pg_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] || fail "PostgreSQL server binaries not found (apt-get install postgresql postgresql-contrib)"
    echo "$d"
}

# The OS user the server runs as: ourselves, or when root, 'postgres' (Debian's) or nobody.
pg_os_user() {
    if [ "$(id -u)" != 0 ]; then id -un; return; fi
    if id postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
}

_pg_as() {
    u=$1; shift
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$u" -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    name=$1; auth=${2:-trust}
    bin=$(pg_bindir)
    user=$(pg_os_user)
    dir=$TEST_TMP/pg-$name
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown "$user" "$dir"
    chmod 700 "$dir"
    # TEST_TMP must be traversable by the server's user.
    chmod 755 "$TEST_TMP"
    if [ "$auth" = peer ]; then
        _pg_as "$user" "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=peer --auth-host=reject >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log"; fail "initdb failed"; }
        # The OS user 'root' may connect as 'postgres' only when tests say so: keep it peer.
    else
        _pg_as "$user" "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth=trust >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; fail "initdb failed"; }
    fi
    _pg_as "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -c listen_addresses='' -p 5432 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=40" \
        start >"$dir/pg_ctl.log" 2>&1 || { cat "$dir/pg_ctl.log" "$dir/server.log"; fail "pg_ctl start failed"; }
    at_exit "_pg_as '$user' '$bin/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1"
    eval "${name}_HOST=\$dir"
    eval "${name}_DSN=\"host=\$dir port=5432 user=postgres dbname=postgres\""
    PGHOST=$dir PGPORT=5432 PGUSER=postgres
    export PGHOST PGPORT PGUSER
}

# pg_stop NAME: stops a server early (e.g. to test a dropped connection).
pg_stop() {
    eval "dir=\$${1}_HOST"
    _pg_as "$(pg_os_user)" "$(pg_bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
}

# psql_on NAME [psql args]: psql against server NAME as postgres, stopping at the first error.
psql_on() {
    n=$1; shift
    eval "h=\$${n}_HOST"
    psql -X -q -v ON_ERROR_STOP=1 -h "$h" -p 5432 -U postgres "$@"
}

# pg_need_pgvector NAME: server NAME offers pgvector (extension vector, Immich's pgvector mode),
# else the test fails; never a skip. Debian has no package: build-aux/install-pgvector.sh.
pg_need_pgvector() {
    eval "h=\$${1}_HOST"
    n=$(psql -X -At -h "$h" -p 5432 -U postgres -d postgres \
        -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'") ||
        fail "cannot ask server $1 for its extensions"
    [ "$n" = 1 ] || fail "PostgreSQL in $(pg_bindir) lacks pgvector (extension 'vector'): run build-aux/install-pgvector.sh as root"
}
