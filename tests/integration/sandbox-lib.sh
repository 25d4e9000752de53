# Helpers for tests that use the sandbox (sourced after tests/lib/common.sh; not a test).
#   sandbox_create DIR [immich-sandbox create options]  creates DIR, destroys it at exit, and
#                                                        sources DIR/sandbox.env
#   sb_psql HOST DB [psql args]   psql as postgres against a sandbox server, stopping at errors
#   sb_host_path PATH             maps a database path to the host file (from sandbox.env values)
SANDBOX_TOOL=$IMMICH_MIGRATE_DATADIR/immich-sandbox
IMMICH_MIGRATE_LIBEXECDIR=${IMMICH_MIGRATE_LIBEXECDIR:-$top_builddir/src/tools}
export IMMICH_MIGRATE_LIBEXECDIR

sandbox_create() {
    sb_dir=$1; shift
    at_exit "'$SANDBOX_TOOL' destroy '$sb_dir' >/dev/null 2>&1 || true"
    IMMICH_SANDBOX_QUIET=1 "$SANDBOX_TOOL" create "$sb_dir" "$@" >"$TEST_TMP/create.out" ||
        fail "immich-sandbox create $sb_dir $* failed"
    [ "$(cat "$TEST_TMP/create.out")" = "$sb_dir" ] || fail "create printed $(cat "$TEST_TMP/create.out")"
    . "$sb_dir/sandbox.env"
}

sb_psql() {
    h=$1 db=$2; shift 2
    "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$h" -p 5432 -U postgres -d "$db" "$@"
}

sb_host_path() {
    p=$1
    case $p in
        upload/*) printf '%s/%s\n' "$UPLOAD_LOCATION" "${p#upload/}" ;;
        /mnt/photos/*) printf '%s/%s\n' "$EXTERNAL_LOCATION" "${p#/mnt/photos/}" ;;
        "$MOUNT"/*) printf '%s/%s\n' "$UPLOAD_LOCATION" "${p#"$MOUNT"/}" ;;
        *) return 1 ;;
    esac
}

# sb_pids_under DIR: pids of running processes whose command line mentions DIR.
sb_pids_under() {
    pgrep -f -- "$1" || true
}
