#!/bin/sh
# make check: the lexer's fuzz corpus through the plain-C driver (crash or hang = failure).
. "$top_srcdir/tests/lib/common.sh"
set -- "$top_srcdir"/tests/fuzz/corpus-sql-lexer/*
[ -e "$1" ] || fail "fuzz corpus missing"
[ "$#" -ge 10 ] || fail "fuzz corpus has only $# inputs"
timeout 120 "$top_builddir/tests/fuzz/fuzz_sql_lexer_driver" "$@" > "$TEST_TMP/out" || fail "the lexer failed on its corpus"
assert_contains "$TEST_TMP/out" "ran $# inputs"
