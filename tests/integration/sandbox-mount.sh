#!/bin/sh
# --mount /data (installs since v1.137): paths, MediaLocation, compose file and docker inspect
# agree on /data; --backup-style dump writes a pg_dump like Immich v2.5+.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need gzip

sb=$TEST_TMP/sb
sandbox_create "$sb" --mount /data --assets 10 --bytes-per-file 10 --immich-version 2.5.1 --backup-style dump

[ "$MOUNT" = /data ] || fail "MOUNT=$MOUNT"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT value->>'location' FROM system_metadata WHERE key = 'MediaLocation'")" = /data ] ||
    fail "MediaLocation is not /data"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset WHERE \"originalPath\" NOT LIKE '/data/%' AND \"originalPath\" NOT LIKE '/mnt/photos/%'")" = 0 ] ||
    fail "an original is outside /data and /mnt/photos"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset_file WHERE path NOT LIKE '/data/thumbs/%'")" = 0 ] ||
    fail "a thumbnail is not under /data/thumbs"
sb_psql "$SRC_HOST" immich -At -c 'SELECT "newPath" FROM move_history' | grep -q '^/data/library/' ||
    fail "move_history newPath not under /data/library"
for p in $(sb_psql "$SRC_HOST" immich -At -c "SELECT \"originalPath\" FROM asset UNION ALL SELECT path FROM asset_file"); do
    [ -f "$(sb_host_path "$p")" ] || fail "no file for $p"
done
pass_step "paths under /data"

assert_contains "$COMPOSE_DIR/docker-compose.yml" '${UPLOAD_LOCATION}:/data'
"$DOCKER" inspect immich_server >"$TEST_TMP/inspect.json"
# PostgreSQL is the JSON oracle: the Mounts array names /data as the upload destination.
dest=$(sb_psql "$SRC_HOST" postgres -At -v doc="$(cat "$TEST_TMP/inspect.json")" <<'EOF'
SELECT m->>'Destination' FROM jsonb_array_elements((:'doc'::jsonb)->0->'Mounts') m
WHERE m->>'Source' LIKE '%/docker/library'
EOF
)
[ "$dest" = /data ] || fail "inspect upload mount destination: $dest"
pass_step "compose and inspect"

case ${IMMICH_BACKUP##*/} in
    immich-db-backup-[0-9]*T[0-9]*-v2.5.1-pg[0-9]*.sql.gz) ;;
    *) fail "backup name: $IMMICH_BACKUP" ;;
esac
gzip -dc "$IMMICH_BACKUP" >"$TEST_TMP/b.sql"
assert_contains "$TEST_TMP/b.sql" 'PostgreSQL database dump'
assert_not_contains "$TEST_TMP/b.sql" 'database cluster dump'
assert_contains "$TEST_TMP/b.sql" 'DROP TABLE IF EXISTS public.asset;'
pass_step "pg_dump style backup"
