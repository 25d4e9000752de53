# Helpers for the end-to-end tests (sourced after common.sh and sandbox-lib.sh; not a test).
#   e2e_snapshot SB COPY      stops SB's servers, copies SB to COPY (cp -a), starts SB again
#   e2e_restore SB COPY       destroys SB and puts COPY back in its place (same path, so every
#                             path, port and byte is as before), servers started
#   e2e_target_dump FILE      pg_dump of the target database + the target's roles, into FILE
#   e2e_tree_list DIR         one line per entry: path type mode owner group size [mtime] link
#   e2e_tree_sums DIR         sha256 of every regular file, by relative path
#   e2e_journal_all_done DIR  every stage of the journal in DIR is "done"
#   e2e_leftovers DIR...      prints temp/partial files left under the DIRs
#   e2e_normalise_names DIR   the names in DIR with digits replaced by '#', sorted

e2e_snapshot() {
    "$SANDBOX_TOOL" stop "$1" >/dev/null || fail "cannot stop the sandbox $1"
    cp -a "$1" "$2" || fail "cannot copy the sandbox to $2"
    "$SANDBOX_TOOL" start "$1" >/dev/null || fail "cannot start the sandbox $1"
}

e2e_restore() {
    "$SANDBOX_TOOL" destroy "$1" >/dev/null || fail "cannot destroy the sandbox $1"
    cp -a "$2" "$1" || fail "cannot restore the sandbox from $2"
    "$SANDBOX_TOOL" start "$1" >/dev/null || fail "cannot start the restored sandbox $1"
}

e2e_target_dump() {
    # A fixed \restrict key: pg_dump picks a random one per run (the only legitimate difference).
    "$PG_BINDIR/pg_dump" --restrict-key=e2e -h "$DST_HOST" -p 5432 -U postgres -d "$DST_DB" >"$1" ||
        fail "pg_dump of the target failed"
    "$PG_BINDIR/pg_dumpall" -h "$DST_HOST" -p 5432 -U postgres --roles-only --no-role-passwords \
        --restrict-key=e2e >>"$1" ||
        fail "pg_dumpall --roles-only of the target failed"
}

# Directory mtimes are left out (creating and removing entries moves them); file mtimes are in.
e2e_tree_list() {
    (cd "$1" && find . -mindepth 1 \( -type f -printf '%P\t%y\t%m\t%u\t%g\t%s\t%T@\n' \) -o \
        \( ! -type f -printf '%P\t%y\t%m\t%u\t%g\t-\t-\t%l\n' \)) | LC_ALL=C sort
}

e2e_tree_sums() {
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

e2e_journal_all_done() {
    _j="$1/journal"
    [ -f "$_j" ] || fail "no journal in $1"
    _n=$(grep -c "^stage	" "$_j" || true)
    _done=$(grep -c "^stage	[^	]*	done	" "$_j" || true)
    [ "$_n" -ge 10 ] && [ "$_n" = "$_done" ] || { cat "$_j"; fail "journal: $_done of $_n stages done"; }
}

e2e_leftovers() {
    find "$@" \( -name '*.partial' -o -name '.immich-migrate.partial' -o -name '*.tmp.??????' \
        -o -name 'immich-migrate-stdin.*' -o -name 'immich-migrate-copy.*' -o -name '*.tmp' \) -print
}

e2e_normalise_names() {
    ls -A "$1" | sed 's/[0-9]/#/g' | LC_ALL=C sort
}
