# For tests of refusals that touch /, /etc or /usr (sourced after common.sh; not a test): the
# rest of the test runs in a private mount namespace where every mount but the test's own
# directory is read-only, so that a regressed refusal cannot change this machine.
#   readonly_root_enter   outside: runs this test again inside and exits with its status;
#                         inside: makes the mounts read-only and sets RW to the one writable
#                         directory (the outer run's TEST_TMP)
need unshare mount findmnt
[ "$(id -u)" = 0 ] || fail "needs root: a private mount namespace makes / read-only"

readonly_root_enter() {
    if [ "${IM_READONLY_ROOT_INSIDE:-}" != yes ]; then
        IM_READONLY_ROOT_INSIDE=yes IM_READONLY_ROOT_RW=$TEST_TMP TMPDIR=$TEST_TMP \
            unshare --mount --propagation private sh "$0"
        exit $?
    fi
    RW=$IM_READONLY_ROOT_RW
    mount --bind "$RW" "$RW"
    findmnt -rn -o TARGET | sort -u | while IFS= read -r m; do
        [ "$m" = "$RW" ] && continue
        mount -o remount,bind,ro "$m" 2>/dev/null || true
    done
    touch /etc/.im-readonly-probe 2>/dev/null &&
        { rm -f /etc/.im-readonly-probe; fail "/etc is writable in the namespace"; }
    touch "$RW/probe" || fail "the test directory is not writable"
}
