-- Rows for the sandbox's v1.135-generation schema, generated on the server.
-- psql variables: assets (count), bytes (bytes per file), external (0/1), dangling (0/1),
-- history (comma-separated versions for version_history, oldest first).
-- Paths are relative ("upload/..."), as Immich v1.52-v1.135 stored them. Ids are derived
-- from md5 so that every run produces the same layout.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

INSERT INTO users (id, email, password, "profileImagePath", "isAdmin", "shouldChangePassword",
                   "storageLabel", name, "createdAt", "updatedAt")
SELECT md5('sandbox-user-' || n)::uuid,
       CASE n WHEN 1 THEN 'admin@example.com' ELSE 'alice@example.com' END,
       '$2b$10$sandboxsandboxsandboxsandboxsandboxsandboxsandboxsandb',
       'upload/profile/' || md5('sandbox-user-' || n)::uuid || '/' || md5('sandbox-profile-' || n)::uuid || '.jpg',
       n = 1, false,
       CASE n WHEN 1 THEN 'admin' END,
       CASE n WHEN 1 THEN 'Admin' ELSE 'Alice' END,
       timestamptz '2023-02-01 10:00:00+00', timestamptz '2023-02-01 10:00:00+00'
FROM generate_series(1, 2) AS n;

INSERT INTO libraries (id, name, "ownerId", "importPaths", "exclusionPatterns", "refreshedAt")
SELECT md5('sandbox-library-1')::uuid, 'Family photos', md5('sandbox-user-1')::uuid,
       '{/mnt/photos}', '{**/@eaDir/**,**/._*,**/#recycle/**,**/#snapshot/**}',
       timestamptz '2025-06-01 03:00:00+00'
WHERE :external = 1;

-- One row per asset with everything the paths are made of.
CREATE TEMP TABLE sandbox_asset AS
WITH base AS (
  SELECT i,
         md5('sandbox-asset-' || i)::uuid AS id,
         CASE WHEN i % 3 = 0 THEN md5('sandbox-user-2')::uuid ELSE md5('sandbox-user-1')::uuid END AS owner,
         (:external = 1 AND i % 7 = 3) AS ext,
         timestamptz '2015-01-01 08:00:00+00' + i * interval '7 hours 13 minutes' AS taken
  FROM generate_series(1, :assets) AS i
), kinds AS (
  SELECT b.*, (NOT ext AND i % 10 = 1) AS video,
         replace(id::text, '-', '') AS hex,
         CASE WHEN owner = md5('sandbox-user-1')::uuid THEN 'admin' ELSE owner::text END AS label
  FROM base b
), named AS (
  SELECT k.*, 'IMG_' || lpad(i::text, 6, '0') || CASE WHEN video THEN '.mov' ELSE '.jpg' END AS filename,
         owner::text || '/' || substr(hex, 1, 2) || '/' || substr(hex, 3, 2) || '/' AS shard
  FROM kinds k
)
SELECT n.*,
       CASE WHEN ext THEN '/mnt/photos/' || to_char(taken, 'YYYY') || '/' || filename
            WHEN i % 4 = 0 THEN 'upload/library/' || label || '/' || to_char(taken, 'YYYY') || '/'
                                || to_char(taken, 'YYYY-MM-DD') || '/' || filename
            ELSE 'upload/upload/' || shard || id || CASE WHEN video THEN '.mov' ELSE '.jpg' END
       END AS original,
       'upload/upload/' || shard || id || CASE WHEN video THEN '.mov' ELSE '.jpg' END AS upload_path
FROM named n;

INSERT INTO assets (id, "deviceAssetId", "ownerId", "deviceId", type, "originalPath",
                    "fileCreatedAt", "fileModifiedAt", "localDateTime", "isFavorite", duration,
                    "encodedVideoPath", checksum, "originalFileName", "sidecarPath", thumbhash,
                    "libraryId", "isExternal", "createdAt", "updatedAt")
SELECT id, filename || '-' || :bytes, owner,
       CASE WHEN ext THEN 'Library Import' ELSE 'sandbox-phone' END,
       CASE WHEN video THEN 'VIDEO' ELSE 'IMAGE' END,
       original, taken, taken, taken, i % 11 = 0,
       CASE WHEN video THEN '00:00:12.345000' ELSE '0:00:00.00000' END,
       CASE WHEN video THEN 'upload/encoded-video/' || shard || id || '.mp4' ELSE '' END,
       substring(sha256(convert_to('sandbox-checksum-' || i, 'UTF8')) FROM 1 FOR 20),
       filename,
       CASE WHEN NOT ext AND i % 5 = 1 THEN original || '.xmp' END,
       substring(sha256(convert_to('sandbox-thumbhash-' || i, 'UTF8')) FROM 1 FOR 25),
       CASE WHEN ext THEN md5('sandbox-library-1')::uuid END,
       ext, taken + interval '1 day', taken + interval '1 day'
FROM sandbox_asset;

INSERT INTO asset_files ("assetId", type, path)
SELECT id, t.type, 'upload/thumbs/' || shard || id || t.suffix
FROM sandbox_asset,
     (VALUES ('thumbnail', '-thumbnail.webp'), ('preview', '-preview.jpeg')) AS t(type, suffix);

INSERT INTO exif ("assetId", make, model, "exifImageWidth", "exifImageHeight", "fileSizeInByte",
                  orientation, "dateTimeOriginal", "modifyDate", "lensModel", "fNumber",
                  "focalLength", iso, latitude, longitude, city, state, country, description,
                  "timeZone", "projectionType", fps)
SELECT id, 'Canon', 'EOS 80D', 4000, 3000, :bytes, '1', taken, taken, 'EF-S18-135mm', 5.6, 35, 200,
       CASE WHEN i % 9 <> 0 THEN 47 + (i % 500) / 100.0 END,
       CASE WHEN i % 9 <> 0 THEN 8 + (i % 700) / 100.0 END,
       CASE WHEN i % 9 <> 0 THEN 'Zürich' END, CASE WHEN i % 9 <> 0 THEN 'Zurich' END,
       CASE WHEN i % 9 <> 0 THEN 'Switzerland' END,
       CASE WHEN i = 1 THEN 'Scanned from the box labelled upload/2019/ (this text is not a path)' ELSE '' END,
       'Europe/Zurich', NULL, CASE WHEN video THEN 29.97 END
FROM sandbox_asset;

-- Originals moved by the storage template: the move is recorded, the old path is gone.
INSERT INTO move_history ("entityId", "pathType", "oldPath", "newPath")
SELECT id, 'original', upload_path, original
FROM sandbox_asset WHERE i % 4 = 0 AND NOT ext ORDER BY i LIMIT 5;

-- Two people per user, each with a face on the user's first own (not external) asset.
INSERT INTO person (id, "ownerId", name, "thumbnailPath", "birthDate")
SELECT md5('sandbox-person-' || u || '-' || k)::uuid, md5('sandbox-user-' || u)::uuid,
       'Person ' || u || '.' || k,
       'upload/thumbs/' || md5('sandbox-user-' || u)::uuid || '/'
         || substr(md5('sandbox-person-' || u || '-' || k), 1, 2) || '/'
         || substr(md5('sandbox-person-' || u || '-' || k), 3, 2) || '/'
         || md5('sandbox-person-' || u || '-' || k)::uuid || '.jpeg',
       date '1980-01-01' + (u * 1000 + k * 100)
FROM generate_series(1, 2) AS u, generate_series(1, 2) AS k;

INSERT INTO asset_faces (id, "assetId", "personId", "imageWidth", "imageHeight",
                         "boundingBoxX1", "boundingBoxY1", "boundingBoxX2", "boundingBoxY2")
SELECT md5('sandbox-face-' || p.id)::uuid, a.id, p.id, 4000, 3000, 100, 100, 400, 500
FROM person p
JOIN LATERAL (SELECT id FROM sandbox_asset s WHERE s.owner = p."ownerId" AND NOT s.ext
              ORDER BY s.i LIMIT 1) a ON true;
UPDATE person p SET "faceAssetId" = f.id FROM asset_faces f WHERE f."personId" = p.id;

-- Embeddings (512 floats) for every asset and every face, as Immich's smart search and face
-- detection jobs store them: pseudo-random but the same on every run (derived from md5).
CREATE TEMP TABLE sandbox_embedding AS
SELECT e.id, array(SELECT sin(e.seed * 0.0001 + k * 1.618034)::real
                   FROM generate_series(1, 512) AS k ORDER BY k)::vector(512) AS embedding
FROM (SELECT id, ('x' || substr(md5(id::text), 1, 7))::bit(28)::int AS seed
      FROM (SELECT id FROM sandbox_asset UNION ALL SELECT id FROM asset_faces) ids) e;
INSERT INTO smart_search ("assetId", embedding)
SELECT s.id, e.embedding FROM sandbox_asset s JOIN sandbox_embedding e USING (id);
INSERT INTO face_search ("faceId", embedding)
SELECT f.id, e.embedding FROM asset_faces f JOIN sandbox_embedding e USING (id);
DROP TABLE sandbox_embedding;
-- Immich's pgvector-mode indexes (vectorIndexQuery). Built after the rows: inserting row by
-- row into an hnsw index is several times slower.
CREATE INDEX clip_index ON smart_search USING hnsw (embedding vector_cosine_ops)
  WITH (ef_construction = 300, m = 16);
CREATE INDEX face_index ON face_search USING hnsw (embedding vector_cosine_ops)
  WITH (ef_construction = 300, m = 16);

-- Album texts contain "upload/": a path rewrite must leave them alone.
INSERT INTO albums (id, "ownerId", "albumName", description, "albumThumbnailAssetId")
VALUES (md5('sandbox-album-1')::uuid, md5('sandbox-user-1')::uuid, 'Holidays 2019',
        'Imported from upload/ on the old NAS; the folder upload/upload/ was renamed.',
        (SELECT id FROM sandbox_asset WHERE owner = md5('sandbox-user-1')::uuid ORDER BY i LIMIT 1)),
       (md5('sandbox-album-2')::uuid, md5('sandbox-user-2')::uuid, 'upload/ tests', '', NULL);
INSERT INTO albums_assets_assets ("albumsId", "assetsId")
SELECT md5('sandbox-album-1')::uuid, id FROM
  (SELECT id FROM sandbox_asset WHERE owner = md5('sandbox-user-1')::uuid ORDER BY i LIMIT 10) s
UNION ALL
SELECT md5('sandbox-album-2')::uuid, id FROM
  (SELECT id FROM sandbox_asset WHERE owner = md5('sandbox-user-2')::uuid ORDER BY i LIMIT 5) s;

-- An asset whose original was already missing in the source (only with --dangling).
INSERT INTO assets (id, "deviceAssetId", "ownerId", "deviceId", type, "originalPath",
                    "fileCreatedAt", "fileModifiedAt", "localDateTime", "encodedVideoPath",
                    checksum, "originalFileName")
SELECT md5('sandbox-asset-dangling')::uuid, 'IMG_DANGLING', md5('sandbox-user-1')::uuid,
       'sandbox-phone', 'IMAGE',
       'upload/upload/' || md5('sandbox-user-1')::uuid || '/de/ad/' || md5('sandbox-asset-dangling')::uuid || '.jpg',
       timestamptz '2020-02-02 12:00:00+00', timestamptz '2020-02-02 12:00:00+00',
       timestamptz '2020-02-02 12:00:00+00', '',
       substring(sha256(convert_to('sandbox-dangling', 'UTF8')) FROM 1 FOR 20), 'IMG_DANGLING.jpg'
WHERE :dangling = 1;
INSERT INTO exif ("assetId", "fileSizeInByte")
SELECT md5('sandbox-asset-dangling')::uuid, :bytes WHERE :dangling = 1;

INSERT INTO geodata_places (id, name, longitude, latitude, "countryCode", "admin1Code",
                            "modificationDate", "admin1Name", "alternateNames")
VALUES (2657896, 'Zürich', 8.55, 47.36667, 'CH', 'ZH', '2024-02-28', 'Zurich', 'Zurich,Zuerich'),
       (2661604, 'Basel', 7.57327, 47.55839, 'CH', 'BS', '2024-02-28', 'Basel-City', 'Bale'),
       (2660646, 'Genève', 6.14569, 46.20222, 'CH', 'GE', '2024-02-28', 'Geneva', 'Geneva,Genf'),
       (2950159, 'Berlin', 13.41053, 52.52437, 'DE', '16', '2024-02-28', 'Berlin', 'Berlin'),
       (2988507, 'Paris', 2.3488, 48.85341, 'FR', '11', '2024-02-28', 'Île-de-France', 'Paris');

INSERT INTO system_metadata (key, value) VALUES
  ('admin-onboarding', '{"isOnboarded": true}'),
  ('reverse-geocoding-state', '{"lastUpdate": "2025-06-01T00:00:00.000Z", "lastImportFileName": "cities500.txt"}'),
  ('version-check-state', '{"checkedAt": "2025-11-20T08:00:00.000Z", "releaseVersion": "v2.3.1"}'),
  ('system-config', '{"storageTemplate": {"enabled": true, "template": "{{y}}/{{y}}-{{MM}}-{{dd}}/{{filename}}"}}');

INSERT INTO version_history ("createdAt", version)
SELECT timestamptz '2025-05-01 00:00:00+00' + n * interval '30 days', v
FROM unnest(string_to_array(:'history', ',')) WITH ORDINALITY AS h(v, n);

INSERT INTO migrations ("timestamp", name) VALUES
  (1740001232576, 'AddActivityAssetFk1740001232576'),
  (1744910873956, 'AddMissingIndex1744910873956');
INSERT INTO kysely_migrations (name, "timestamp") VALUES
  ('1744910873969-InitialMigration', '2025-05-01T00:00:00.000Z'),
  ('1744991379464-AddNotificationsTable', '2025-05-01T00:00:00.000Z'),
  ('1745902563899-AddAssetVisibilityColumn', '2025-05-01T00:00:00.000Z'),
  ('1746844028242-AddLockedVisibilityEnum', '2025-05-20T00:00:00.000Z'),
  ('1747338664832-SessionRename', '2025-05-20T00:00:00.000Z'),
  ('1749067526135-UserOnboardingDefault', '2025-06-10T00:00:00.000Z'),
  ('1750323941566-UnsetPrewarmDimParameter', '2025-06-25T00:00:00.000Z');
INSERT INTO kysely_migrations_lock (id, is_locked) VALUES ('migration_lock', 0);

DROP TABLE sandbox_asset;
