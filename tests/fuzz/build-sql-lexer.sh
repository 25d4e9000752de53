#!/bin/sh
# Builds the libFuzzer target with clang and runs it: build-sql-lexer.sh BUILDDIR [SECONDS]
# (BUILDDIR is a configured build tree; its config.h is used).
set -eu
b=${1:?usage: build-sql-lexer.sh BUILDDIR [SECONDS]}
secs=${2:-60}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=$b/tests/fuzz/fuzz_sql_lexer
mkdir -p "$b/tests/fuzz"
clang -g -O1 -fsanitize=fuzzer,address,undefined -include "$b/config.h" -I"$src/src" -I"$b" \
    $(pkg-config --cflags libpq) \
    "$src/tests/fuzz/fuzz_sql_lexer.c" "$src/src/pg/sql_lexer.c" "$src/src/pg/sql_meta.c" \
    "$src/src/pg/sql_classify.c" "$src/src/pg/sql_policy.c" "$src/src/common.c" \
    $(pkg-config --libs libpq) -o "$out"
mkdir -p "$b/tests/fuzz/corpus-work"
"$out" -max_total_time="$secs" -max_len=4096 "$b/tests/fuzz/corpus-work" "$src/tests/fuzz/corpus-sql-lexer"
