#!/bin/sh
# The default sandbox (--schema new): database, files on disk, compose dir, plan, backup,
# target server; destroy leaves nothing running and nothing behind.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need gzip pgrep

sb=$TEST_TMP/sb
sandbox_create "$sb" --assets 20 --bytes-per-file 700

# Layout.
for f in src-pg dst-pg bin/docker bin/systemctl bin/journalctl docker/compose/docker-compose.yml \
         docker/compose/.env docker/library nixos backup immich-migrate.conf calls.log; do
    [ -e "$sb/$f" ] || fail "missing $sb/$f"
done
[ ! -e "$sb/nixos/immich" ] || fail "nixos/immich must not exist yet"
for d in library upload thumbs encoded-video profile backups; do
    [ -f "$UPLOAD_LOCATION/$d/.immich" ] || fail "no .immich marker in $d"
done
pass_step "layout"

# v1.136+ tables, absolute paths under the mount, MediaLocation.
tables=$(sb_psql "$SRC_HOST" immich -At -c "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")
for t in asset user asset_file library asset_exif person move_history album album_asset \
         system_metadata version_history kysely_migrations geodata_places; do
    case ",$tables," in *",$t,"*) ;; *) fail "table $t missing (have $tables)" ;; esac
done
for t in assets users asset_files libraries exif albums; do
    case ",$tables," in *",$t,"*) fail "old table $t present in the new schema" ;; esac
done
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT value->>'location' FROM system_metadata WHERE key = 'MediaLocation'")" = /usr/src/app/upload ] ||
    fail "MediaLocation is not /usr/src/app/upload"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT version FROM version_history ORDER BY \"createdAt\" DESC LIMIT 1")" = "$IMMICH_VERSION" ] ||
    fail "newest version_history row is not $IMMICH_VERSION"
sb_psql "$SRC_HOST" immich -At -c "SELECT name FROM kysely_migrations" | grep -qx 1752267649968-StandardizeNames ||
    fail "kysely_migrations lacks StandardizeNames"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset")" = 20 ] || fail "not 20 assets"
relative=$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset WHERE \"originalPath\" NOT LIKE '/%'")
[ "$relative" = 0 ] || fail "$relative relative original paths in the new schema"
pass_step "new schema"

# Extensions and the earthdistance generated column.
exts=$(sb_psql "$SRC_HOST" immich -At -c "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension")
for e in cube earthdistance pg_trgm unaccent uuid-ossp; do
    case ",$exts," in *",$e,"*) ;; *) fail "extension $e missing ($exts)" ;; esac
done
sb_psql "$SRC_HOST" immich -At -c "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE a.attgenerated = 's'" |
    grep -q 'll_to_earth(' || fail "no generated column using ll_to_earth"
pass_step "extensions"

# Immich's pgvector mode: extension vector, an embedding for every asset and face, hnsw indexes.
case ",$exts," in *,vector,*) ;; *) fail "extension vector missing ($exts)" ;; esac
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM smart_search s JOIN asset a ON a.id = s.\"assetId\"")" = 20 ] ||
    fail "not 20 smart_search rows"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM face_search s JOIN asset_face f ON f.id = s.\"faceId\"")" = "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset_face")" ] ||
    fail "not every face has an embedding"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT DISTINCT vector_dims(embedding) FROM smart_search UNION SELECT vector_dims(embedding) FROM face_search")" = 512 ] ||
    fail "embeddings are not 512 floats"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(DISTINCT embedding::text) FROM smart_search")" = 20 ] ||
    fail "the embeddings are not distinct"
for ix in "clip_index ON public.smart_search" "face_index ON public.face_search"; do
    sb_psql "$SRC_HOST" immich -At -c "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'" |
        grep -qF "CREATE INDEX $ix USING hnsw (embedding vector_cosine_ops) WITH (ef_construction='300', m='16')" ||
        fail "no hnsw index $ix"
done
pass_step "pgvector mode"

# The hard cases: one row with three paths, texts containing upload/, an external library.
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset WHERE \"encodedVideoPath\" LIKE '/%' AND \"sidecarPath\" LIKE '/%' AND \"originalPath\" LIKE '/usr/src/app/upload/%'")" -ge 1 ] ||
    fail "no asset row holding three paths"
sb_psql "$SRC_HOST" immich -At -c "SELECT description FROM album" | grep -q 'upload/' ||
    fail "no album description containing upload/"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT \"importPaths\"::text FROM library")" = '{/mnt/photos}' ] ||
    fail "external library importPaths is not {/mnt/photos}"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset WHERE \"originalPath\" LIKE '/mnt/photos/%' AND \"libraryId\" IS NOT NULL")" -ge 1 ] ||
    fail "no external asset"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset_exif WHERE latitude IS NOT NULL AND longitude IS NOT NULL")" -ge 1 ] ||
    fail "no exif coordinates"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM move_history")" -ge 1 ] || fail "no move_history rows"
pass_step "hard cases"

# Every path in the database is a file on disk of the requested size (mapped independently of
# the builder's own list), and no file on disk lacks a row.
sb_psql "$SRC_HOST" immich -At >"$TEST_TMP/paths" <<'EOF'
SELECT "originalPath" FROM asset UNION ALL
SELECT "encodedVideoPath" FROM asset WHERE "encodedVideoPath" <> '' UNION ALL
SELECT "sidecarPath" FROM asset WHERE "sidecarPath" IS NOT NULL UNION ALL
SELECT path FROM asset_file UNION ALL
SELECT "thumbnailPath" FROM person WHERE "thumbnailPath" <> '' UNION ALL
SELECT "profileImagePath" FROM "user" WHERE "profileImagePath" <> '' UNION ALL
SELECT "newPath" FROM move_history
EOF
n=0
while IFS= read -r p; do
    h=$(sb_host_path "$p") || fail "path outside the mounts: $p"
    [ -f "$h" ] || fail "no file for $p ($h)"
    [ "$(stat -c %s "$h")" = 700 ] || fail "$h is not 700 bytes"
    n=$((n + 1))
done <"$TEST_TMP/paths"
[ $n -ge 70 ] || fail "only $n paths"
on_disk=$( (find "$UPLOAD_LOCATION" -type f ! -name .immich ! -path '*/backups/*'; find "$EXTERNAL_LOCATION" -type f) | wc -l)
distinct=$(grep -cv '^$' "$TEST_TMP/paths" | tr -d ' ')
moves=$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM move_history")
[ "$on_disk" = $((distinct - moves)) ] || fail "$on_disk files on disk, $((distinct - moves)) distinct paths in the database"
[ "$on_disk" = "$MEDIA_FILES" ] || fail "sandbox.env says $MEDIA_FILES files, disk has $on_disk"
# Incompressible content: gzip cannot shrink a file.
f=$(sb_host_path "$(head -n 1 "$TEST_TMP/paths")")
[ "$(gzip -c "$f" | wc -c)" -ge 700 ] || fail "media file content is compressible"
pass_step "files match the database ($n paths)"

# Compose dir and plan.
assert_contains "$COMPOSE_DIR/.env" "UPLOAD_LOCATION=$UPLOAD_LOCATION"
assert_contains "$COMPOSE_DIR/.env" "DB_USERNAME=postgres"
assert_contains "$COMPOSE_DIR/.env" "DB_PASSWORD=$SRC_DB_PASSWORD"
assert_contains "$COMPOSE_DIR/.env" "IMMICH_VERSION=v$IMMICH_VERSION"
assert_contains "$COMPOSE_DIR/docker-compose.yml" '${UPLOAD_LOCATION}:/usr/src/app/upload'
assert_contains "$COMPOSE_DIR/docker-compose.yml" "$EXTERNAL_LOCATION:/mnt/photos:ro"
for kv in "compose_dir = $COMPOSE_DIR" "upload_location = $UPLOAD_LOCATION" \
          "target_location = $TARGET_LOCATION" "docker_command = $sb/bin/docker" \
          "systemctl_command = $sb/bin/systemctl" "journalctl_command = $sb/bin/journalctl" \
          "backup_dir = $BACKUP_DIR" "target_dsn = \"host=$DST_HOST port=5432 user=postgres\"" \
          "immich_url = http://127.0.0.1:$IMMICH_PORT" "media_owner = $MEDIA_OWNER"; do
    assert_contains "$PLAN" "$kv"
done
assert_not_contains "$PLAN" "$SRC_DB_PASSWORD"
owner_user=${MEDIA_OWNER%%:*}
id -u "$owner_user" >/dev/null || fail "media_owner user $owner_user does not exist"
pass_step "compose dir and plan"

# Immich's automatic backup: a pg_dumpall of the source, named like Immich names it.
case ${IMMICH_BACKUP##*/} in
    immich-db-backup-[0-9]*T[0-9]*-v$IMMICH_VERSION-pg[0-9]*.sql.gz) ;;
    *) fail "backup name: $IMMICH_BACKUP" ;;
esac
gzip -t "$IMMICH_BACKUP" || fail "backup is not valid gzip"
gzip -dc "$IMMICH_BACKUP" >"$TEST_TMP/backup.sql"
assert_contains "$TEST_TMP/backup.sql" 'PostgreSQL database cluster dump'
assert_contains "$TEST_TMP/backup.sql" 'CREATE TABLE public.asset ('
assert_contains "$TEST_TMP/backup.sql" 'DROP DATABASE IF EXISTS immich;'
assert_contains "$TEST_TMP/backup.sql" 'CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;'
assert_contains "$TEST_TMP/backup.sql" 'COPY public.smart_search ("assetId", embedding) FROM stdin;'
pass_step "automatic backup"

# Target: role immich, empty database immich owned by it.
[ "$(sb_psql "$DST_HOST" postgres -At -c "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'immich'")" = immich ] ||
    fail "target database immich is not owned by immich"
[ "$(sb_psql "$DST_HOST" immich -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] ||
    fail "target database is not empty"
pass_step "target server"

# A second create into a non-empty directory is refused.
expect_status 1 "$SANDBOX_TOOL" create "$sb" 2>/dev/null

# Destroy: servers and fake server stopped, directory gone.
"$sb/bin/systemctl" start immich-server
[ -n "$(sb_pids_under "$sb")" ] || fail "nothing runs under the sandbox before destroy"
"$SANDBOX_TOOL" destroy "$sb" || fail "destroy failed"
[ ! -e "$sb" ] || fail "destroy left $sb"
left=$(sb_pids_under "$sb")
[ -z "$left" ] || fail "processes left after destroy: $left"
expect_status 1 "$SANDBOX_TOOL" destroy "$TEST_TMP" 2>/dev/null
[ -d "$TEST_TMP" ] || fail "destroy removed a directory that is not a sandbox"
pass_step "destroy"
