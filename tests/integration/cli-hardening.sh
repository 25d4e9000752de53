#!/bin/sh
# The process hardening of immich-migrate, whose memory holds DSN passwords: no core dumps
# (RLIMIT_CORE 0, not dumpable) and no descriptor leaks into the programs it runs: a docker
# started while check writes its temporary dangling-paths file does not inherit that file.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need setpriv grep

# --- no core dumps: a running immich-migrate (a slowed-down copy) ------------------------
src=$TEST_TMP/src
mkdir "$src"
head -c 3145728 /dev/urandom > "$src/large.mp4"
chmod -R a+rX "$src"
mkdir "$TEST_TMP/dst" && chmod 777 "$TEST_TMP/dst"
# As root run as nobody (setpriv execs: $! is immich-migrate itself).
if [ "$(id -u)" = 0 ]; then set -- setpriv --reuid=65534 --regid=65534 --clear-groups --; else set --; fi
IMMICH_MIGRATE_TEST_FILES_DELAY_MS=300 "$@" "$IMMICH_MIGRATE" copy --no-verify \
    "$src" "$TEST_TMP/dst/copy" > "$TEST_TMP/out" 2>&1 &
pid=$!
i=0
until [ -n "$(ls -A "$TEST_TMP/dst/copy" 2>/dev/null)" ]; do
    i=$((i + 1))
    [ $i -lt 200 ] || { kill $pid; cat "$TEST_TMP/out"; fail "the copy never started"; }
    sleep 0.05
done
limits=$(cat "/proc/$pid/limits")
owner=$(stat -c %u "/proc/$pid/status")
kill $pid
wait $pid || true
printf '%s\n' "$limits" | grep -E '^Max core file size +0 +0 ' >/dev/null ||
    { printf '%s\n' "$limits"; fail "core dumps are not disabled"; }
if [ "$(id -u)" = 0 ]; then
    # Run as nobody: a dumpable process's /proc files belong to it, a non-dumpable one's to root.
    [ "$owner" = 0 ] || fail "immich-migrate is dumpable (/proc/PID/status belongs to $owner)"
fi
pass_step "RLIMIT_CORE is 0 and the process is not dumpable"

# --- no descriptor leaks into children -------------------------------------------------
sb=$TEST_TMP/sb
sandbox_create "$sb" --dangling
cat > "$TEST_TMP/docker" <<EOS
#!/bin/sh
ls -l /proc/\$\$/fd >> '$TEST_TMP/fds' 2>&1
exec '$sb/bin/docker' "\$@"
EOS
chmod 755 "$TEST_TMP/docker"
cp "$PLAN" "$TEST_TMP/plan.conf"
printf 'docker_command = %s\n' "$TEST_TMP/docker" >> "$TEST_TMP/plan.conf"
set +e
"$IMMICH_MIGRATE" check -c "$TEST_TMP/plan.conf" --state-dir "$TEST_TMP/state" > "$TEST_TMP/out" 2>&1
set -e
[ -s "$TEST_TMP/state/dangling-paths" ] || { cat "$TEST_TMP/out"; fail "check wrote no dangling-paths"; }
[ -s "$TEST_TMP/fds" ] || fail "the docker wrapper never ran"
if grep -E 'dangling-paths|immich-migrate-|\.tmp\.' "$TEST_TMP/fds"; then
    fail "a child of immich-migrate inherited a temporary file"
fi
pass_step "docker inherits no temporary file of check"
