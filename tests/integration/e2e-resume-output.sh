#!/bin/bash
# Resume between "output file complete" and "stage recorded as done" (issue 7). The dump and
# the backup get their final names only once complete; a kill in the moment after that, before
# the journal says "done", used to make the rerun write a second, differently time-stamped
# copy. Now the name is saved in the journal (KEY.pending) before the file is created, and the
# rerun finds the finished file under it and uses it.
#
# That moment lasts microseconds, too short to hit with a signal reliably, so the journal is
# put into exactly the state such a kill leaves: the stage "running", the later stages not run,
# the artifact only under its pending name. Then --resume must finish with one file, not two,
# and without running pg_dump (or writing an archive) again. Also: a pending name whose file
# was never finished is written under that name; one outside backup_dir is not used.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
. "$top_srcdir/tests/integration/e2e-lib.sh"

sb="$TEST_TMP/sb"
sandbox_create "$sb" --assets 6
state="$TEST_TMP/state"
journal="$state/journal"
log="$state/migration.log"

run_batch() { # run_batch OUT [options]: a batch run that must succeed
    local out=$1; shift
    "$IMMICH_MIGRATE" --batch -c "$PLAN" --state-dir "$state" --yes "$@" >"$out" 2>&1 ||
        { tail -n 20 "$out"; fail "immich-migrate --batch $* failed"; }
}

# rewind STAGE KEY [ARTIFACT...]: the journal as a kill right after STAGE's output file got its
# final name leaves it: STAGE "running", every later stage "pending", artifact KEY only as
# KEY.pending, and the named artifacts (set by STAGE or later ones) gone.
rewind() {
    local stage=$1 key=$2; shift 2
    awk -F'\t' -v OFS='\t' -v stage="$stage" -v key="$key" -v drop="$*" '
        BEGIN { n = split(drop, d, " "); for (i = 1; i <= n; i++) gone[d[i]] = 1 }
        $1 == "stage" && $2 == stage { $3 = "running"; after = 1; print; next }
        $1 == "stage" && after { $3 = "pending"; $5 = ""; print; next }
        $1 == "artifact" && $2 == key ".pending" { next }
        $1 == "artifact" && $2 == key { $2 = key ".pending"; print; next }
        $1 == "artifact" && ($2 in gone) { next }
        { print }' "$journal" >"$journal.new" && mv "$journal.new" "$journal"
    grep -q "^stage	$stage	running	" "$journal" || { cat "$journal"; fail "could not rewind the journal to $stage"; }
    grep -q "^artifact	$key.pending	/" "$journal" || { cat "$journal"; fail "no $key.pending in the rewound journal"; }
}

count() { compgen -G "$1" | wc -l; }
stage_done_in() { # stage_done_in STAGE LOGPART: STAGE logged "done" in that part of the log
    awk -F'\t' -v st="$1" '$2 == st && $3 == "message" && $8 ~ /: done$/ { f = 1 } END { exit !f }' "$2"
}
# The target server is made unreachable (its socket moved aside) to stop a run at the nixos
# stage's checks, after the dump and its fix-up and before copy and chown: the state a kill during the dump would find, nothing later done yet.
socket="$DST_HOST/.s.PGSQL.5432"
hide_target() { mv "$socket" "$socket.hidden"; }
show_target() { mv "$socket.hidden" "$socket"; }
at_exit "[ ! -e '$socket.hidden' ] || mv '$socket.hidden' '$socket'"
resume_until_nixos() { # resume_until_nixos OUT: a resume that stops at the nixos checks
    local rc=0
    "$IMMICH_MIGRATE" --batch -c "$PLAN" --state-dir "$state" --yes --resume >"$1" 2>&1 || rc=$?
    [ $rc != 0 ] || fail "the resume with the target hidden succeeded"
    grep -q "^stage	fixup	done	" "$journal" || { tail -n 20 "$1"; cat "$journal"; fail "the resume did not get past fixup"; }
    grep -q "^stage	nixos	failed	" "$journal" || { tail -n 20 "$1"; cat "$journal"; fail "the resume did not stop at the nixos checks"; }
}

# ---------------------------------------------------------------- the backup
# A first run that stops at the dump (pg_dump fails): backup and its verification are done.
set +e
IMMICH_SANDBOX_FAIL_PG_DUMP=1 "$IMMICH_MIGRATE" --batch -c "$PLAN" --state-dir "$state" --yes \
    >"$TEST_TMP/first.out" 2>&1
rc=$?
set -e
[ $rc != 0 ] || fail "the run with a failing pg_dump succeeded"
grep -q "^stage	verify_backup	done	" "$journal" || { cat "$journal"; fail "verify_backup is not done after the first run"; }
archive=$(sed -n 's/^artifact	backup_archive	//p' "$journal")
[ -f "$archive" ] && [ -f "$archive.manifest" ] || fail "no backup archive $archive with its manifest"
# The sandbox's target differs from the library: the pre-copy wrote the base archive, the
# backup its catch-up; one of each.
archives() { echo "$(count "$BACKUP_DIR/immich-library-base-*[0-9].tar.zst") $(count "$BACKUP_DIR/immich-library-*.catchup.tar.zst")"; }
[ "$(archives)" = "1 1" ] || { ls -la "$BACKUP_DIR"; fail "expected one base archive and one catch-up"; }
case $archive in *.catchup.tar.zst) ;; *) fail "the backup archive $archive is not the catch-up" ;; esac
sum_before=$(sha256sum <"$archive")
rewind backup backup_archive backup_verified
sleep 1.1 # a new archive would get another time stamp
off=$(stat -c %s "$log")

hide_target
resume_until_nixos "$TEST_TMP/backup.out"
tail -c +$((off + 1)) "$log" >"$TEST_TMP/backup.log"
assert_contains "$TEST_TMP/backup.log" "$archive was completed before the interruption; using it"
[ "$(archives)" = "1 1" ] || { ls -la "$BACKUP_DIR"; fail "the resume wrote a second archive"; }
[ "$(sha256sum <"$archive")" = "$sum_before" ] || fail "the archive changed"
grep -q "^artifact	backup_archive	$archive\$" "$journal" || { cat "$journal"; fail "backup_archive is not the kept archive"; }
grep -q "^artifact	backup_archive.pending	\$" "$journal" || { cat "$journal"; fail "the pending name was not cleared"; }
stage_done_in verify_backup "$TEST_TMP/backup.log" || fail "verify_backup did not check the kept archive"
pass_step "backup: the archive completed before the kill is kept and verified, not written twice"

# ---------------------------------------------------------------- the dump
dump=$(sed -n 's/^artifact	dump_file	//p' "$journal")
[ -f "$dump" ] || fail "no dump file $dump"
[ "$(count "$BACKUP_DIR/immich-*Z.sql.zst")" = 1 ] || { ls -la "$BACKUP_DIR"; fail "expected one dump"; }
dump_sum=$(sha256sum <"$dump")
rewind dump dump_file fixed_dump fixup_report
sleep 1.1
off=$(stat -c %s "$log")
calls_before=$(grep -c "pg_dump" "$CALLS_LOG" || true)

resume_until_nixos "$TEST_TMP/dump.out"
tail -c +$((off + 1)) "$log" >"$TEST_TMP/dump.log"
assert_contains "$TEST_TMP/dump.log" "$dump was completed before the interruption; using it"
[ "$(count "$BACKUP_DIR/immich-*Z.sql.zst")" = 1 ] || { ls -la "$BACKUP_DIR"; fail "the resume wrote a second dump"; }
[ "$(sha256sum <"$dump")" = "$dump_sum" ] || fail "the dump changed"
[ "$(grep -c "pg_dump" "$CALLS_LOG" || true)" = "$calls_before" ] || fail "pg_dump ran again"
stage_done_in fixup "$TEST_TMP/dump.log" || fail "fixup did not run on the kept dump"
pass_step "dump: the dump completed before the kill is used, pg_dump is not run again"

# A pending name in a directory that is no longer backup_dir (the setting was changed after the
# kill) is not used: the dump goes to backup_dir under a new name.
rewind dump dump_file fixed_dump fixup_report
elsewhere="$TEST_TMP/old-backups"
mkdir -m 700 "$elsewhere"
sed -i "s|^artifact	dump_file.pending	.*|artifact	dump_file.pending	$elsewhere/immich-old.sql.zst|" "$journal"
grep -q "^artifact	dump_file.pending	$elsewhere/" "$journal" || fail "could not point the pending name elsewhere"
sleep 1.1 # a new dump name differs from the earlier one
resume_until_nixos "$TEST_TMP/moved.out"
[ -z "$(ls -A "$elsewhere")" ] || { ls -la "$elsewhere"; fail "the dump was written to the old directory"; }
new_dump=$(sed -n 's/^artifact	dump_file	//p' "$journal")
case $new_dump in "$BACKUP_DIR"/immich-*Z.sql.zst) ;; *) fail "the new dump is $new_dump, not in $BACKUP_DIR" ;; esac
[ -f "$new_dump" ] && [ "$new_dump" != "$dump" ] || fail "no new dump file $new_dump"
rm -f "$dump" # the one of the earlier run: the rest of the test counts a single dump
pass_step "dump: a pending name outside backup_dir is dropped; the dump goes to backup_dir"

# A pending name whose file does not exist (the kill came before the file was finished): the
# stage writes it under that same name; then the migration runs to its end.
rewind dump dump_file fixed_dump fixup_report
pending=$(sed -n 's/^artifact	dump_file.pending	//p' "$journal")
rm -f "$pending"
show_target
off=$(stat -c %s "$log")
run_batch "$TEST_TMP/again.out" --resume
e2e_journal_all_done "$state"
tail -c +$((off + 1)) "$log" >"$TEST_TMP/again.log"
[ -f "$pending" ] || fail "the dump was not written again under its pending name $pending"
[ "$(count "$BACKUP_DIR/immich-*Z.sql.zst")" = 1 ] || { ls -la "$BACKUP_DIR"; fail "the rerun wrote a differently named dump"; }
[ "$(grep -c "pg_dump" "$CALLS_LOG" || true)" -gt "$calls_before" ] || fail "pg_dump did not run for the missing dump"
stage_done_in verify "$TEST_TMP/again.log" || fail "the migration did not verify after the resume"
[ -z "$(e2e_leftovers "$BACKUP_DIR")" ] || fail "partial files left: $(e2e_leftovers "$BACKUP_DIR")"
pass_step "dump: a pending name without its file is dumped again under the same name; the migration ends verified"

