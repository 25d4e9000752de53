#!/bin/sh
# fixup + import gives a database whose path columns equal an independent expectation
# (regexp_replace on a restored copy of the un-fixed dump) and which is otherwise unchanged;
# both schema generations, an external library, escaping in the target path.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/pg.sh"
. "$top_srcdir/tests/integration/db-lib.sh"
need psql pg_dump zstd gzip

pg_start SRC
pg_start DST
psql_on DST -d postgres -c "CREATE ROLE immich LOGIN"

check_generation() {
    gen=$1; target=$2; k=$3
    db_make_source SRC "src_$k" "$gen" >/dev/null
    pg_dump -h "$SRC_HOST" -p 5432 -U postgres "src_$k" >"$TEST_TMP/raw-$k.sql"
    zstd -q "$TEST_TMP/raw-$k.sql" -o "$TEST_TMP/raw-$k.sql.zst"

    "$IMMICH_MIGRATE" fixup --target "$target" --map /mnt/photos=/srv/photos \
        --report "$TEST_TMP/report-$k.txt" "$TEST_TMP/raw-$k.sql.zst" "$TEST_TMP/fixed-$k.sql" \
        || fail "fixup failed ($gen)"
    [ "$(stat -c %a "$TEST_TMP/fixed-$k.sql")" = 600 ] || fail "fixed dump is not 0600"

    # A: the fixed dump imported; B: the raw dump restored, then rewritten by SQL.
    psql_on DST -d postgres -c "CREATE DATABASE a_$k" -c "CREATE DATABASE b_$k"
    psql_on DST -1 -d "a_$k" -f "$TEST_TMP/fixed-$k.sql" >/dev/null || fail "import of fixed dump failed"
    sed "s/SELECT pg_catalog.set_config('search_path', '', false);/SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', true);/" \
        "$TEST_TMP/raw-$k.sql" | psql_on DST -1 -d "b_$k" -f - >/dev/null
    { db_expect_sql "$target" /mnt/photos=/srv/photos; db_expect_updates "$gen" "$target"; } |
        psql_on DST -1 -d "b_$k" -f - >/dev/null
    db_canonical_dump "$DST_HOST" "a_$k" >"$TEST_TMP/a-$k.txt"
    db_canonical_dump "$DST_HOST" "b_$k" >"$TEST_TMP/b-$k.txt"
    diff -u "$TEST_TMP/b-$k.txt" "$TEST_TMP/a-$k.txt" >&2 || fail "fixed import differs from the expectation ($gen)"
    pass_step "$gen: import equals the independent expectation"

    # The rows that matter, spelled out (guards against an expectation that maps nothing).
    if [ "$gen" = old ]; then A=assets L=libraries; else A=asset L=library; fi
    got=$(psql_on DST -At -d "a_$k" -c "SELECT \"originalPath\" || '|' || \"encodedVideoPath\" || '|' || \"sidecarPath\" FROM $A WHERE id = 3")
    [ "$got" = "$target/upload/1/2024/img3.jpg|$target/encoded-video/1/v3.mp4|$target/upload/1/2024/img3.jpg.xmp" ] ||
        fail "three paths in one row: $got"
    got=$(psql_on DST -At -d "a_$k" -c "SELECT description FROM $A WHERE \"originalPath\" = '/srv/photos/2020/ext.jpg'")
    [ "$got" = "upload/notes start like a path" ] || fail "description changed or external path not mapped: $got"
    got=$(psql_on DST -At -d "a_$k" -c "SELECT \"importPaths\"::text FROM $L WHERE name = 'ext'")
    [ "$got" = '{/srv/photos,"/srv/photos/sub dir",/mnt/other}' ] || fail "importPaths: $got"
    got=$(psql_on DST -At -d "a_$k" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'immich'")
    [ "$got" = 0 ] || fail "$got tables not owned by immich"
    got=$(psql_on DST -At -d "a_$k" -c "SELECT \"originalPath\" FROM $A WHERE \"originalPath\" LIKE '%odd%'")
    [ "$got" = "$(printf '%s/upload/1/odd\\name\tx.jpg' "$target")" ] || fail "escaped path: $got"
    if [ "$gen" = new ]; then
        got=$(psql_on DST -At -d "a_$k" -c "SELECT value->>'location' FROM system_metadata WHERE key = 'MediaLocation'")
        [ "$got" = "$target" ] || fail "MediaLocation: $got"
        got=$(psql_on DST -At -d "a_$k" -c "SELECT value->>'location' FROM system_metadata WHERE key = 'other'")
        [ "$got" = /usr/src/app/upload ] || fail "other system_metadata row changed: $got"
    fi
    r=$TEST_TMP/report-$k.txt
    assert_contains "$r" "Immich version of the dump: 1.135.3"
    assert_contains "$r" "1752267649968-StandardizeNames"
    assert_contains "$r" "Extensions the dump creates: cube earthdistance pg_trgm unaccent uuid-ossp"
    assert_contains "$r" "/elsewhere/left.jpg"
    assert_contains "$r" "public.album.albumName"
    assert_contains "$r" "public.$A.originalPath: 43 / 2"
    pass_step "$gen: rows, owners, MediaLocation and report"
}

check_generation old /var/lib/immich 1
check_generation new "$TEST_TMP/nix os/im	me\\dia" 2

# Lines longer than the fix-up's 4 MiB block: a path-table row (assembled whole) and a row of
# another table (streamed); read from a file (mapped) and from a pipe (blocks): same output.
psql_on SRC -d postgres -c "CREATE DATABASE big"
db_fixture_sql new | psql_on SRC -d big -f - >/dev/null
psql_on SRC -d big -c "INSERT INTO asset (\"ownerId\", \"originalPath\", description) VALUES (1, '/usr/src/app/upload/upload/big.jpg', repeat('d', 5000000))" \
    -c "INSERT INTO album (\"albumName\", description) VALUES ('big', repeat('upload/', 900000))"
pg_dump -h "$SRC_HOST" -p 5432 -U postgres big >"$TEST_TMP/big.sql"
"$IMMICH_MIGRATE" fixup --target /T "$TEST_TMP/big.sql" "$TEST_TMP/big-file.sql" >/dev/null 2>&1 || fail "fixup (file) failed"
cat "$TEST_TMP/big.sql" | "$IMMICH_MIGRATE" fixup --target /T - "$TEST_TMP/big-pipe.sql" >/dev/null 2>&1 || fail "fixup (pipe) failed"
cmp -s "$TEST_TMP/big-file.sql" "$TEST_TMP/big-pipe.sql" || fail "mapped and streamed fix-ups differ"
cat "$TEST_TMP/big.sql" | zstd -q -o "$TEST_TMP/big.sql.zst"
"$IMMICH_MIGRATE" fixup --target /T "$TEST_TMP/big.sql.zst" "$TEST_TMP/big-zst.sql.zst" >/dev/null 2>&1 || fail "fixup (zst) failed"
zstd -dc "$TEST_TMP/big-zst.sql.zst" | cmp -s - "$TEST_TMP/big-file.sql" || fail "zstd in/out differs"
psql_on DST -d postgres -c "CREATE DATABASE big"
psql_on DST -1 -d big -f "$TEST_TMP/big-pipe.sql" >/dev/null || fail "import of the long-line dump failed"
got=$(psql_on DST -At -d big -c "SELECT \"originalPath\", length(description) FROM asset WHERE description LIKE 'ddd%'")
[ "$got" = "/T/upload/big.jpg|5000000" ] || fail "long row: $got"
got=$(psql_on DST -At -d big -c "SELECT length(description) FROM album WHERE \"albumName\" = 'big'")
[ "$got" = 6300000 ] || fail "long other row changed: $got"
pass_step "lines longer than a block: mapped, streamed and zstd agree; import correct"
