#!/bin/sh
# Builds pgvector (PostgreSQL extension `vector`, Immich's pgvector mode) from its vendored
# source and installs it into the PostgreSQL server the tests use, unless it is installed
# already. Debian 12 has no pgvector package; the tests need it for the sandbox's
# smart_search/face_search tables. Nothing is fetched from the network.
#
#   build-aux/install-pgvector.sh [TARBALL]
#
# TARBALL: pgvector's source (.tar.gz); default $PGVECTOR_TARBALL, else
# ../shared/vendor/pgvector.tar.gz relative to the project root (CI puts shared/ beside the
# clone). PG_CONFIG: the server's pg_config; default the newest
# /usr/lib/postgresql/*/bin/pg_config (the server tests/lib/pg.sh and the sandbox run), which
# Debian's postgresql-server-dev-N provides. `make install` writes into the server's
# directories, so run it as root (as README's install line does).
set -eu

prog=install-pgvector
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$prog" "$*" >&2; }

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -le 1 ] || die "usage: $0 [TARBALL]"
tarball=${1:-${PGVECTOR_TARBALL:-$top/../shared/vendor/pgvector.tar.gz}}

find_pg_config() {
    if [ -n "${PG_CONFIG:-}" ]; then
        [ -x "$PG_CONFIG" ] || die "PG_CONFIG=$PG_CONFIG is not an executable"
        echo "$PG_CONFIG"; return
    fi
    server=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$server" ] || die "no PostgreSQL server in /usr/lib/postgresql (apt-get install postgresql)"
    [ -x "$server/pg_config" ] ||
        die "$server/pg_config is missing: apt-get install postgresql-server-dev-$(basename "$(dirname "$server")")"
    echo "$server/pg_config"
}

pg_config=$(find_pg_config)
sharedir=$("$pg_config" --sharedir)
pkglibdir=$("$pg_config" --pkglibdir)
if [ -f "$sharedir/extension/vector.control" ] && [ -f "$pkglibdir/vector.so" ]; then
    note "pgvector is installed already ($sharedir/extension/vector.control)"
    exit 0
fi

[ -f "$tarball" ] || die "pgvector's source $tarball is missing; pass its path as an argument or in PGVECTOR_TARBALL (never downloaded)"
[ -f "$("$pg_config" --pgxs)" ] ||
    die "PGXS ($("$pg_config" --pgxs)) is missing: apt-get install postgresql-server-dev-$("$pg_config" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')"
command -v make >/dev/null 2>&1 || die "make is missing: apt-get install build-essential"

work=$(mktemp -d "${TMPDIR:-/tmp}/pgvector-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
tar -xzf "$tarball" -C "$work" || die "cannot unpack $tarball"
control=$(find "$work" -maxdepth 2 -name vector.control | head -n 1)
[ -n "$control" ] || die "$tarball holds no vector.control: not pgvector's source"
src=$(dirname "$control")

note "building pgvector $(sed -n "s/^default_version = '\(.*\)'$/\1/p" "$control") for $("$pg_config" --version)"
# OPTFLAGS="": no -march=native, so the library runs on any machine of the architecture.
make -C "$src" -j"$(nproc 2>/dev/null || echo 2)" PG_CONFIG="$pg_config" OPTFLAGS="" >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; die "building pgvector failed"; }
make -C "$src" PG_CONFIG="$pg_config" OPTFLAGS="" install >"$work/install.log" 2>&1 ||
    { tail -n 20 "$work/install.log" >&2; die "installing pgvector failed (run as root)"; }
[ -f "$sharedir/extension/vector.control" ] && [ -f "$pkglibdir/vector.so" ] ||
    die "make install ran but $sharedir/extension/vector.control or $pkglibdir/vector.so is missing"
note "installed pgvector into $sharedir/extension and $pkglibdir"
