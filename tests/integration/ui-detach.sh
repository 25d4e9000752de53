#!/bin/sh
# A dropped SSH connection (issue 13, item 12), in tmux on the sandbox:
# - a hang-up during a stage that changes the source (Stop Docker) still stops the wizard at a
#   safe point: the process ends, the stage is not done, no status file, the lock is free;
# - a hang-up while the library is backed up detaches. With a new target_location (the
#   sandbox's) the backup archive is written by the pre-copy, from the same read as the copy
#   (the base archive; Back up library after the stop adds only a catch-up): the process lives
#   on without its terminal, the archive keeps growing, the lock stays held; immich-migrate
#   started in a new tmux session attaches and shows the pre-copy's progress; q leaves the
#   viewer and the run goes on; started again, it follows the pre-copy to its end and then
#   takes over the wizard at the next stage (Stop Docker) without a key; the archive is
#   complete (zstd and tar read it), and Back up library and Verify backup pass on it.
# The copy is slowed with IMMICH_MIGRATE_TEST_FILES_DELAY_MS (HACKING.md, "Test hooks").
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/tmux.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need zstd tar flock stat

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 16 --bytes-per-file 600000
state="$TEST_TMP/state"
conf="$TEST_TMP/plan.conf"
hold="$TEST_TMP/hold"

# A docker that, while $hold exists, keeps "docker stop" waiting (the stage stays running long
# enough to hang up on it); otherwise the sandbox's stand-in.
docker="$TEST_TMP/held-docker"
cat >"$docker" <<EOF
#!/bin/sh
if [ "\$1" = stop ] && [ -e '$hold' ]; then
    : >'$TEST_TMP/held'
    while [ -e '$hold' ]; do sleep 0.1; done
fi
exec '$sb/bin/docker' "\$@"
EOF
chmod +x "$docker"
sed "s|^docker_command *=.*|docker_command = $docker|" "$sb/immich-migrate.conf" >"$conf"
grep -q "^docker_command = $docker\$" "$conf" || fail "cannot set docker_command in $conf"

wizard() { # wizard SESSION: immich-migrate in a new tmux session named SESSION
    TMUX_SESSION=$1
    tmux_start -- env IMMICH_MIGRATE_TEST_FILES_DELAY_MS=150 "$IMMICH_MIGRATE" -c "$conf" \
        --state-dir "$state"
}
hang_up() { _tmux kill-session -t "$TMUX_SESSION"; } # the pane's terminal goes away: SIGHUP
alive() { kill -0 "$1" 2>/dev/null; }
wait_dead() { # wait_dead PID SECONDS
    _i=0
    while alive "$1"; do
        _i=$((_i + 1))
        [ $_i -le $(($2 * 10)) ] || fail "process $1 still runs $2 s after the hang-up"
        sleep 0.1
    done
}
lock_free() { flock -n "$state/lock" true; }
stage_status() { sed -n "s/^stage	$1	\([a-z]*\).*/\1/p" "$state/journal"; }
partial() { find "$BACKUP_DIR" -maxdepth 1 -name '*.tar.zst.partial' | head -n 1; }
size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------- a stage that changes the source
wizard a
tmux_wait_for "Welcome"
tmux_keys Enter
tmux_wait_for "Settings"
tmux_keys n
tmux_wait_for "Result: done" 120
wizard_next_to "Stop Docker"
: >"$hold"
tmux_keys r
i=0
while [ ! -e "$TEST_TMP/held" ]; do
    i=$((i + 1)); [ $i -le 600 ] || { _tmux_dump; fail "docker stop never ran"; }
    sleep 0.1
done
pid=$(tmux_pid)
hang_up
wait_dead "$pid" 60
rm -f "$hold"
[ "$(stage_status stop_docker)" != done ] || fail "Stop Docker is done after a hang-up during it"
[ ! -e "$state/status" ] || fail "a hang-up during Stop Docker left a status file (detached?)"
lock_free || fail "the lock is still held after the wizard stopped"
if grep -q "terminal hung up" "$state/migration.log"; then fail "Stop Docker went on detached"; fi
pass_step "a hang-up during a stage that changes the source stops the wizard"

# ---------------------------------------------------------------- the backup detaches
wizard b
tmux_wait_for "An unfinished migration was found"
tmux_keys_new_screen r
wizard_next_to "Pre-copy library"
tmux_keys r
i=0
while [ -z "$(partial)" ] || [ "$(size_of "$(partial)")" -eq 0 ]; do
    i=$((i + 1)); [ $i -le 600 ] || { _tmux_dump; fail "the backup never started writing"; }
    sleep 0.1
done
archive=$(partial)
pid=$(tmux_pid)
hang_up
i=0
while [ ! -s "$state/status" ]; do
    i=$((i + 1))
    [ $i -le 300 ] || { tail -n 5 "$state/migration.log"; fail "no status file: the backup did not detach"; }
    alive "$pid" || { tail -n 5 "$state/migration.log"; fail "the hang-up ended the backup's process"; }
    sleep 0.1
done
[ "$(stat -c %a "$state/status")" = 600 ] || fail "the status file is not 0600"
grep -q "terminal hung up" "$state/migration.log" || fail "the log does not say the terminal hung up"
size=$(size_of "$archive")
i=0
while [ "$(size_of "$archive")" -le "$size" ]; do
    i=$((i + 1)); [ $i -le 300 ] || fail "the archive stopped growing after the hang-up"
    alive "$pid" || fail "the detached process ended before the archive grew"
    sleep 0.1
done
alive "$pid" || fail "the detached process is gone"
if lock_free; then fail "the detached process does not hold the lock"; fi
[ "$(stage_status precopy)" = running ] || fail "the journal says precopy $(stage_status precopy)"
pass_step "a hang-up while the pre-copy writes the archive detaches: process alive, archive growing, lock held"

# ---------------------------------------------------------------- attach, leave with q
wizard c
tmux_wait_for "Attached"
tmux_wait_for "Pre-copy library"
tmux_wait_for "Running in process $pid"
tmux_screen | grep -qE '[0-9]+%' || { _tmux_dump; fail "the attached view shows no progress"; }
tmux_keys q
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "q in the attached view exited $status"
alive "$pid" || fail "q in the attached view ended the detached run"
size=$(size_of "$archive")
i=0
while [ "$(size_of "$archive")" -le "$size" ] && [ -e "$archive" ]; do
    i=$((i + 1)); [ $i -le 300 ] || fail "the archive stopped growing after q"
    sleep 0.1
done
pass_step "a new session attaches and shows the pre-copy's progress; q leaves the run alone"

# ---------------------------------------------------------------- attach, take over
wizard d
tmux_wait_for "Attached"
i=0
until tmux_screen | sed -n 1p | grep -qF "Stop Docker"; do
    i=$((i + 1)); [ $i -le 3000 ] || { _tmux_dump; fail "the wizard did not take over at Stop Docker"; }
    sleep 0.1
done
tmux_refute "Attached"
tmux_assert "has ended; the wizard continues here"
wait_dead "$pid" 30
[ "$(stage_status precopy)" = done ] || fail "the journal says precopy $(stage_status precopy)"
[ ! -e "$state/status" ] || fail "the status file was left behind"
final=$(find "$BACKUP_DIR" -maxdepth 1 -name '*.tar.zst' | head -n 1)
[ -n "$final" ] && [ -z "$(partial)" ] || fail "no complete archive in $BACKUP_DIR: $(ls "$BACKUP_DIR")"
zstd -t -q "$final" || fail "zstd cannot read $final"
zstd -dc -q "$final" | tar -tf - >"$TEST_TMP/archive.list" || fail "tar cannot read $final"
files=$(find "$UPLOAD_LOCATION" -type f | wc -l)
[ "$(grep -vc '/$' "$TEST_TMP/archive.list")" -ge "$files" ] ||
    fail "the archive lists $(grep -vc '/$' "$TEST_TMP/archive.list") files, the library has $files"
pass_step "when the pre-copy ends the new session takes over at Stop Docker; the archive is complete"

tmux_keys r
tmux_wait_for "Result: done" 120
for st in "Back up library" "Verify backup"; do
    wizard_next_to "$st"
    tmux_keys r
    tmux_wait_for "Result: done" 120
done
[ "$(stage_status verify_backup)" = done ] || fail "Verify backup is not done"
tmux_keys q
tmux_wait_for "Quit?"
tmux_keys y
status=$(tmux_wait_exit 10)
[ "$status" = 0 ] || fail "the wizard exited $status after quit"
pass_step "Back up library (the catch-up) and Verify backup pass on the archive written detached"
