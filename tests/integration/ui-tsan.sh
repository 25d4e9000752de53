#!/bin/sh
# The event queue and the worker under ThreadSanitizer: compiles them with the unit test
# using gcc -fsanitize=thread and runs it. Any data race fails the test (exit code 66).
. "$top_srcdir/tests/lib/common.sh"
need gcc pkg-config
pkg-config --exists cmocka || fail "cmocka (libcmocka-dev) is needed for the TSan build"

src="$top_srcdir/src"
bin="$TEST_TMP/test_events_tsan"
# shellcheck disable=SC2046
gcc -std=c11 -pthread -g -O1 -fsanitize=thread \
    -include "$top_builddir/config.h" -I"$src" -I"$top_builddir" \
    "$src/events.c" "$src/worker.c" "$src/common.c" "$src/redact.c" "$src/report.c" "$src/textesc.c" \
    "$top_srcdir/tests/unit/test_events.c" \
    $(pkg-config --cflags --libs cmocka) -o "$bin" \
    || fail "cannot compile the event queue with -fsanitize=thread"

# Several rounds: races show up in some interleavings only.
for round in 1 2 3; do
    TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$bin" >"$TEST_TMP/out.$round" 2>&1 || {
        cat "$TEST_TMP/out.$round"
        fail "test_events under ThreadSanitizer failed in round $round"
    }
    assert_contains "$TEST_TMP/out.$round" "PASSED"
    assert_not_contains "$TEST_TMP/out.$round" "WARNING: ThreadSanitizer"
done
pass_step "event queue and worker are clean under ThreadSanitizer"
