#!/bin/bash
# A pre-copy killed right after it made a directory (strace delays the return of every mkdirat
# by 2 s; the test SIGKILLs the copy while the target's new directory exists): the copy record
# must already call that directory ours, so that when the directory then vanishes from the
# source, the catch-up removes our (empty) copy of it and the target equals the source. Before
# the fix the record line came after mkdirat, and the directory stayed for good.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$top_srcdir/tests/lib/common.sh"
need strace pgrep

src=$TEST_TMP/src dst=$TEST_TMP/dst rec=$TEST_TMP/state/library-copy.record
mkdir -p "$src/keep" "$src/gone/inner" "$TEST_TMP/state"
printf 'a photo\n' >"$src/keep/photo.jpg"
sleep 1.1 # a ctime younger than a second is not trusted by the record

strace -f -qq -o /dev/null -e trace=mkdirat,mkdir -e inject=mkdirat:delay_exit=2000000 \
    "$IMMICH_MIGRATE" copy --record "$rec" --live "$src" "$dst" 2>"$TEST_TMP/kill.log" &
tracer=$!
i=0
until [ -d "$dst/gone" ]; do
    i=$((i + 1)); [ $i -le 600 ] || { cat "$TEST_TMP/kill.log"; fail "the copy never made $dst/gone"; }
    sleep 0.1
done
pid=$(pgrep -P "$tracer" -f "immich-migrate copy" | head -n 1)
[ -n "$pid" ] || fail "cannot find the copy under strace"
kill -KILL "$pid"
wait "$tracer" 2>/dev/null || true
[ -d "$dst/gone" ] && [ ! -d "$dst/gone/inner" ] ||
    fail "the kill did not land between mkdirat of gone and of gone/inner: $(find "$dst")"
pass_step "the pre-copy was killed while mkdirat of $dst/gone returned"

rm -rf "$src/gone" # vanishes while "Immich runs"
"$IMMICH_MIGRATE" copy --record "$rec" --no-verify "$src" "$dst" 2>"$TEST_TMP/catch.log" ||
    { cat "$TEST_TMP/catch.log"; fail "the catch-up failed"; }
[ ! -e "$dst/gone" ] || { cat "$TEST_TMP/catch.log"; fail "our copy of the vanished directory stayed: the record did not call it ours"; }
cmp -s "$src/keep/photo.jpg" "$dst/keep/photo.jpg" || fail "the photo was not copied"
diff <(cd "$src" && find . | LC_ALL=C sort) <(cd "$dst" && find . | LC_ALL=C sort) ||
    fail "the target's entries differ from the source's"
pass_step "the catch-up removed our copy of the vanished directory; the target equals the source"
