#!/bin/sh
# The v1.135 generation (--schema old): old table names, relative upload/ paths, no
# MediaLocation; with --dangling, --no-external and --owner.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/integration/sandbox-lib.sh"
need gzip

if [ "$(id -u)" = 0 ]; then owner=nobody:nogroup; else owner="$(id -un):$(id -gn)"; fi
sb=$TEST_TMP/sb
sandbox_create "$sb" --schema old --assets 12 --bytes-per-file 64 --dangling --no-external --owner "$owner"

[ "$SCHEMA" = old ] && [ "$IMMICH_VERSION" = 1.135.3 ] || fail "sandbox.env: $SCHEMA $IMMICH_VERSION"
tables=$(sb_psql "$SRC_HOST" immich -At -c "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")
for t in assets users asset_files libraries exif person move_history albums albums_assets_assets \
         system_metadata version_history kysely_migrations migrations; do
    case ",$tables," in *",$t,"*) ;; *) fail "table $t missing (have $tables)" ;; esac
done
for t in asset user asset_file library asset_exif album; do
    case ",$tables," in *",$t,"*) fail "new table $t present in the old schema" ;; esac
done
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM system_metadata WHERE key = 'MediaLocation'")" = 0 ] ||
    fail "old schema has a MediaLocation row"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT version FROM version_history ORDER BY \"createdAt\" DESC LIMIT 1")" = 1.135.3 ] ||
    fail "newest version is not 1.135.3"
sb_psql "$SRC_HOST" immich -At -c "SELECT name FROM kysely_migrations" | grep -q StandardizeNames &&
    fail "old schema lists the v1.136 rename migration"
# pgvector mode in the old generation too (Immich supports it since v1.133); the dangling
# asset has no embedding, as the smart search job never saw its file.
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM smart_search s JOIN assets a ON a.id = s.\"assetId\"")" = 12 ] ||
    fail "not 12 smart_search rows"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM face_search s JOIN asset_faces f ON f.id = s.\"faceId\"")" -ge 1 ] ||
    fail "no face_search rows"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM pg_indexes WHERE indexname IN ('clip_index', 'face_index') AND indexdef LIKE '%USING hnsw (embedding vector_cosine_ops)%'")" = 2 ] ||
    fail "no hnsw indexes"
pass_step "old tables and versions"

# Relative paths; upload/upload/ for originals; no external library.
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM assets WHERE \"originalPath\" NOT LIKE 'upload/%'")" = 0 ] ||
    fail "an original path is not relative"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM assets WHERE \"originalPath\" LIKE 'upload/upload/%'")" -ge 1 ] ||
    fail "no upload/upload/ path"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM asset_files WHERE path NOT LIKE 'upload/thumbs/%'")" = 0 ] ||
    fail "a thumbnail path is not under upload/thumbs/"
sb_psql "$SRC_HOST" immich -At -c 'SELECT "profileImagePath" FROM users' | grep -q '^upload/profile/' ||
    fail "no upload/profile/ avatar"
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM libraries")" = 0 ] || fail "--no-external left a library"
[ ! -e "$sb/external" ] || fail "--no-external created $sb/external"
"$DOCKER" inspect -f '{{json .Mounts}}' immich_server >"$TEST_TMP/mounts"
assert_not_contains "$TEST_TMP/mounts" /mnt/photos
assert_contains "$TEST_TMP/mounts" "\"Source\":\"$UPLOAD_LOCATION\",\"Destination\":\"/usr/src/app/upload\""
pass_step "relative paths"

# The dangling asset: in the database, not on disk; everything else is on disk.
case $DANGLING_PATH in upload/upload/*) ;; *) fail "DANGLING_PATH: $DANGLING_PATH" ;; esac
[ "$(sb_psql "$SRC_HOST" immich -At -c "SELECT count(*) FROM assets WHERE \"originalPath\" = '$DANGLING_PATH'")" = 1 ] ||
    fail "dangling asset not in the database"
[ ! -e "$(sb_host_path "$DANGLING_PATH")" ] || fail "the dangling file exists"
missing=0
for p in $(sb_psql "$SRC_HOST" immich -At -c "SELECT \"originalPath\" FROM assets UNION ALL SELECT path FROM asset_files UNION ALL SELECT \"sidecarPath\" FROM assets WHERE \"sidecarPath\" IS NOT NULL"); do
    [ -f "$(sb_host_path "$p")" ] || missing=$((missing + 1))
done
[ $missing = 1 ] || fail "$missing paths without a file (want exactly the dangling one)"
pass_step "dangling asset"

# --owner: the library belongs to the owner.
bad=$(find "$UPLOAD_LOCATION" ! -user "${owner%%:*}" | head -n 3)
[ -z "$bad" ] || fail "not owned by $owner: $bad"
pass_step "owner"

# Before v1.136 Immich named its backups with epoch milliseconds.
case ${IMMICH_BACKUP##*/} in
    immich-db-backup-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9].sql.gz) ;;
    *) fail "old-style backup name: $IMMICH_BACKUP" ;;
esac
gzip -dc "$IMMICH_BACKUP" | grep -q 'CREATE TABLE public.assets (' || fail "backup lacks table assets"
assert_contains "$COMPOSE_DIR/.env" "IMMICH_VERSION=v1.135.3"
[ "$("$DOCKER" inspect -f '{{.Config.Image}}' immich_server)" = ghcr.io/immich-app/immich-server:v1.135.3 ] ||
    fail "image tag does not name v1.135.3"
pass_step "backup and version"
