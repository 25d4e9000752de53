#!/bin/sh
# fixup --report: a new file is created 0600; /dev/null and a pipe (/dev/stdout) are written
# to; an existing file, also behind a symlink, is refused before anything is written (the
# fixed dump is not created); a pipe nobody reads fails instead of hanging.
. "$top_srcdir/tests/lib/common.sh"
need timeout mkfifo

T=$TEST_TMP
cat >"$T/dump.sql" <<'SQL'
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.t (id integer);
ALTER TABLE public.t OWNER TO postgres;
-- PostgreSQL database dump complete
SQL
fixup() { timeout 20 "$IMMICH_MIGRATE" fixup --target /var/lib/immich "$@"; }

fixup --report /dev/null "$T/dump.sql" "$T/null.sql" 2>"$T/null.err" ||
    { cat "$T/null.err"; fail "fixup --report /dev/null failed"; }
[ -s "$T/null.sql" ] || fail "no fixed dump with --report /dev/null"
pass_step "--report /dev/null"

fixup --report /dev/stdout "$T/dump.sql" "$T/pipe.sql" 2>"$T/pipe.err" | cat >"$T/pipe.out"
assert_contains "$T/pipe.out" "Owner and grant names mapped: 1"
pass_step "--report /dev/stdout into a pipe"

fixup --report "$T/new.txt" "$T/dump.sql" "$T/new.sql" || fail "fixup --report NEW failed"
[ "$(stat -c %a "$T/new.txt")" = 600 ] || fail "the new report is not 0600"
assert_contains "$T/new.txt" "Owner and grant names mapped: 1"
pass_step "--report to a new file: created 0600"

echo precious >"$T/old.txt"
ln -s "$T/old.txt" "$T/link.txt"
for r in old.txt link.txt; do
    expect_status 1 fixup --report "$T/$r" "$T/dump.sql" "$T/out-$r.sql" 2>"$T/exists.err"
    assert_contains "$T/exists.err" "already exists"
    [ "$(cat "$T/old.txt")" = precious ] || fail "--report $r changed the existing file"
    [ ! -e "$T/out-$r.sql" ] || fail "--report $r refused only after the fixed dump was written"
done
pass_step "an existing file (also behind a symlink) is refused before anything is written"

mkfifo "$T/fifo"
expect_status 1 fixup --report "$T/fifo" "$T/dump.sql" "$T/fifo.sql" 2>"$T/fifo.err"
assert_contains "$T/fifo.err" "cannot open"
[ ! -e "$T/fifo.sql" ] || fail "the fixed dump was written although the report cannot be"
pass_step "a pipe nobody reads: refused at once"
