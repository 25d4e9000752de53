#!/bin/sh
# The classifier and the scan's refusal rules under valgrind: no read of memory never written
# (stmt_classify("SET standard_conforming_strings") once read a token kind past the words it
# had read). Not a unit test: the sanitizer rerun of tests/unit cannot run valgrind.
. "$top_srcdir/tests/lib/common.sh"
need valgrind
prog=$top_builddir/tests/unit/test_sql_policy
[ -x "$prog" ] || fail "missing $prog (make check builds it)"
valgrind -q --error-exitcode=9 --track-origins=yes "$prog" > "$TEST_TMP/out" 2> "$TEST_TMP/err" \
    || { cat "$TEST_TMP/err" "$TEST_TMP/out"; fail "valgrind found errors in test_sql_policy"; }
pass_step "test_sql_policy is clean under valgrind"
