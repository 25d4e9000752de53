-- Turns the sandbox's v1.135 schema into the v1.136+ generation, the way Immich's own
-- migrations did: 1752267649968-StandardizeNames (table renames) and
-- 1752759108283-ConvertToAbsolutePaths (upload/... -> <mount>/...), plus MediaLocation.
-- psql variables: mount (container path of UPLOAD_LOCATION, no trailing slash).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
ALTER TABLE albums_assets_assets RENAME TO album_asset;
ALTER TABLE albums RENAME TO album;
ALTER TABLE assets RENAME TO asset;
ALTER TABLE asset_faces RENAME TO asset_face;
ALTER TABLE asset_files RENAME TO asset_file;
ALTER TABLE exif RENAME TO asset_exif;
ALTER TABLE libraries RENAME TO library;
ALTER TABLE users RENAME TO "user";

DROP TRIGGER assets_updated_at ON asset;
ALTER TABLE "user" RENAME CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" TO user_pkey;
ALTER TABLE library RENAME CONSTRAINT "PK_505fedfcad00a09b3734b4223de" TO library_pkey;
ALTER TABLE asset RENAME CONSTRAINT "PK_da96729a8b113377cfb6a62439c" TO asset_pkey;
ALTER TABLE asset RENAME CONSTRAINT "FK_2c5ac0d6fb58b238fd2068de67d" TO "asset_ownerId_fkey";
ALTER TABLE asset_file RENAME CONSTRAINT "PK_c41dc3e9ef5e1c57ca5a08a0004" TO asset_file_pkey;
ALTER TABLE asset_file RENAME CONSTRAINT "UQ_assetId_type" TO "asset_file_assetId_type_uq";
ALTER TABLE asset_exif RENAME CONSTRAINT "PK_c0117fdbc50b917ef9067740c44" TO asset_exif_pkey;
ALTER TABLE person RENAME CONSTRAINT "PK_5fdaf670315c4b7e70cce85daa3" TO person_pkey;
ALTER TABLE album RENAME CONSTRAINT "PK_7f71c7b5bc7c87b8f94c9a93a00" TO album_pkey;
ALTER TABLE album_asset RENAME CONSTRAINT "PK_c67bc36fa845fb7b18e0e398180" TO album_asset_pkey;
ALTER TABLE move_history RENAME CONSTRAINT "PK_af608f132233acf123f2949678d" TO move_history_pkey;

UPDATE asset SET "originalPath" = :'mount' || substr("originalPath", 7)
  WHERE "originalPath" LIKE 'upload/%';
UPDATE asset SET "encodedVideoPath" = :'mount' || substr("encodedVideoPath", 7)
  WHERE "encodedVideoPath" LIKE 'upload/%';
UPDATE asset SET "sidecarPath" = :'mount' || substr("sidecarPath", 7)
  WHERE "sidecarPath" LIKE 'upload/%';
UPDATE asset_file SET path = :'mount' || substr(path, 7) WHERE path LIKE 'upload/%';
UPDATE person SET "thumbnailPath" = :'mount' || substr("thumbnailPath", 7)
  WHERE "thumbnailPath" LIKE 'upload/%';
UPDATE "user" SET "profileImagePath" = :'mount' || substr("profileImagePath", 7)
  WHERE "profileImagePath" LIKE 'upload/%';
UPDATE move_history SET "oldPath" = :'mount' || substr("oldPath", 7) WHERE "oldPath" LIKE 'upload/%';
UPDATE move_history SET "newPath" = :'mount' || substr("newPath", 7) WHERE "newPath" LIKE 'upload/%';

CREATE TRIGGER asset_updatedAt BEFORE UPDATE ON asset FOR EACH ROW EXECUTE FUNCTION updated_at();

INSERT INTO system_metadata (key, value)
VALUES ('MediaLocation', jsonb_build_object('location', :'mount'));

INSERT INTO kysely_migrations (name, "timestamp") VALUES
  ('1752161055253-RenameGeodataPKConstraint', '2025-07-20T00:00:00.000Z'),
  ('1752267649968-StandardizeNames', '2025-07-20T00:00:00.000Z'),
  ('1752759108283-ConvertToAbsolutePaths', '2025-07-20T00:00:00.000Z'),
  ('1753800911775-ProfileImageCheckpointRemoval', '2025-08-05T00:00:00.000Z');
COMMIT;
