-- The sandbox's Immich schema as of v1.135 (table and column names of Immich before the
-- v1.136 rename; a subset of the tables: everything that holds a path, plus neighbours).
-- data/sql/sandbox-upgrade.sql turns it into the v1.136+ generation.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- Immich's pgvector mode (DB_VECTOR_EXTENSION=pgvector): plain pgvector, hnsw indexes.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE OR REPLACE FUNCTION immich_uuid_v7(p_timestamp timestamp with time zone default clock_timestamp())
  RETURNS uuid VOLATILE LANGUAGE SQL AS $$
    select encode(
      set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
              placing substring(int8send(floor(extract(epoch from p_timestamp) * 1000)::bigint) from 3)
              from 1 for 6), 52, 1), 53, 1), 'hex')::uuid;
$$;

CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
  LANGUAGE SQL IMMUTABLE PARALLEL SAFE STRICT
  RETURN unaccent('unaccent', $1);

CREATE OR REPLACE FUNCTION updated_at() RETURNS TRIGGER LANGUAGE PLPGSQL AS $$
  DECLARE clock_timestamp TIMESTAMP := clock_timestamp();
  BEGIN
    new."updatedAt" = clock_timestamp;
    new."updateId" = immich_uuid_v7(clock_timestamp);
    return new;
  END;
$$;

-- Immich's search_path-proof wrapper (its own fix for the earthdistance restore problem).
CREATE OR REPLACE FUNCTION ll_to_earth_public(latitude double precision, longitude double precision)
  RETURNS public.earth PARALLEL SAFE IMMUTABLE STRICT LANGUAGE SQL AS $$
    SELECT public.cube(public.cube(public.cube(public.earth()*cos(radians(latitude))*cos(radians(longitude))),
           public.earth()*cos(radians(latitude))*sin(radians(longitude))),
           public.earth()*sin(radians(latitude)))::public.earth
$$;

CREATE TYPE asset_visibility_enum AS ENUM ('archive', 'timeline', 'hidden', 'locked');

CREATE TABLE migrations (
  id serial PRIMARY KEY,
  "timestamp" bigint NOT NULL,
  name character varying NOT NULL
);

CREATE TABLE kysely_migrations (
  name character varying(255) NOT NULL PRIMARY KEY,
  "timestamp" character varying(255) NOT NULL
);

CREATE TABLE kysely_migrations_lock (
  id character varying(255) NOT NULL PRIMARY KEY,
  is_locked integer NOT NULL DEFAULT 0
);

CREATE TABLE version_history (
  id uuid NOT NULL DEFAULT uuid_generate_v4(),
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  version character varying NOT NULL,
  CONSTRAINT "PK_5db259cbb09ce82c0d13cfd1b23" PRIMARY KEY (id)
);

CREATE TABLE system_metadata (
  key character varying NOT NULL,
  value jsonb NOT NULL,
  CONSTRAINT "PK_fa94f6857470fb5b81ec6084465" PRIMARY KEY (key)
);

CREATE TABLE users (
  id uuid NOT NULL DEFAULT uuid_generate_v4(),
  email character varying NOT NULL,
  password character varying NOT NULL DEFAULT '',
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  "profileImagePath" character varying NOT NULL DEFAULT '',
  "isAdmin" boolean NOT NULL DEFAULT false,
  "shouldChangePassword" boolean NOT NULL DEFAULT true,
  "deletedAt" timestamp with time zone,
  "oauthId" character varying NOT NULL DEFAULT '',
  "updatedAt" timestamp with time zone NOT NULL DEFAULT now(),
  "storageLabel" character varying,
  name character varying NOT NULL DEFAULT '',
  "quotaSizeInBytes" bigint,
  "quotaUsageInBytes" bigint NOT NULL DEFAULT 0,
  status character varying NOT NULL DEFAULT 'active',
  "profileChangedAt" timestamp with time zone NOT NULL DEFAULT now(),
  "updateId" uuid NOT NULL DEFAULT immich_uuid_v7(),
  CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY (id),
  CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE (email),
  CONSTRAINT "UQ_b309cf34fa58137c416b32cea3a" UNIQUE ("storageLabel")
);

CREATE TABLE libraries (
  id uuid NOT NULL DEFAULT uuid_generate_v4(),
  name character varying NOT NULL,
  "ownerId" uuid NOT NULL,
  "importPaths" text[] NOT NULL,
  "exclusionPatterns" text[] NOT NULL,
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  "updatedAt" timestamp with time zone NOT NULL DEFAULT now(),
  "deletedAt" timestamp with time zone,
  "refreshedAt" timestamp with time zone,
  "updateId" uuid NOT NULL DEFAULT immich_uuid_v7(),
  CONSTRAINT "PK_505fedfcad00a09b3734b4223de" PRIMARY KEY (id),
  CONSTRAINT "FK_0f6fc2fb195f24d19b0fb0d57c1" FOREIGN KEY ("ownerId") REFERENCES users (id)
    ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE assets (
  id uuid NOT NULL DEFAULT uuid_generate_v4(),
  "deviceAssetId" character varying NOT NULL,
  "ownerId" uuid NOT NULL,
  "deviceId" character varying NOT NULL,
  type character varying NOT NULL,
  "originalPath" character varying NOT NULL,
  "fileCreatedAt" timestamp with time zone NOT NULL,
  "fileModifiedAt" timestamp with time zone NOT NULL,
  "isFavorite" boolean NOT NULL DEFAULT false,
  duration character varying,
  "encodedVideoPath" character varying DEFAULT '',
  checksum bytea NOT NULL,
  "livePhotoVideoId" uuid,
  "updatedAt" timestamp with time zone NOT NULL DEFAULT now(),
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  "originalFileName" character varying NOT NULL,
  "sidecarPath" character varying,
  thumbhash bytea,
  "isOffline" boolean NOT NULL DEFAULT false,
  "libraryId" uuid,
  "isExternal" boolean NOT NULL DEFAULT false,
  "deletedAt" timestamp with time zone,
  "localDateTime" timestamp with time zone NOT NULL,
  "stackId" uuid,
  "duplicateId" uuid,
  status character varying NOT NULL DEFAULT 'active',
  "updateId" uuid NOT NULL DEFAULT immich_uuid_v7(),
  visibility asset_visibility_enum NOT NULL DEFAULT 'timeline',
  CONSTRAINT "PK_da96729a8b113377cfb6a62439c" PRIMARY KEY (id),
  CONSTRAINT "FK_2c5ac0d6fb58b238fd2068de67d" FOREIGN KEY ("ownerId") REFERENCES users (id)
    ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT "FK_16294b83fa8c0149719a1f631ef" FOREIGN KEY ("livePhotoVideoId") REFERENCES assets (id)
    ON UPDATE CASCADE ON DELETE SET NULL,
  CONSTRAINT "FK_9977c3c1de01c3d848039a6b90c" FOREIGN KEY ("libraryId") REFERENCES libraries (id)
    ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX "IDX_originalPath_libraryId" ON assets ("originalPath", "libraryId");
CREATE INDEX "IDX_asset_id_stackId" ON assets (id, "stackId");
CREATE INDEX idx_originalfilename_trigram ON assets USING gin (f_unaccent("originalFileName") gin_trgm_ops);
CREATE UNIQUE INDEX "UQ_assets_owner_checksum" ON assets ("ownerId", checksum) WHERE ("libraryId" IS NULL);
CREATE TRIGGER assets_updated_at BEFORE UPDATE ON assets FOR EACH ROW EXECUTE FUNCTION updated_at();

CREATE TABLE asset_files (
  id uuid NOT NULL DEFAULT uuid_generate_v4(),
  "assetId" uuid NOT NULL,
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  "updatedAt" timestamp with time zone NOT NULL DEFAULT now(),
  type character varying NOT NULL,
  path character varying NOT NULL,
  "updateId" uuid NOT NULL DEFAULT immich_uuid_v7(),
  CONSTRAINT "PK_c41dc3e9ef5e1c57ca5a08a0004" PRIMARY KEY (id),
  CONSTRAINT "UQ_assetId_type" UNIQUE ("assetId", type),
  CONSTRAINT "FK_e3e103a5f1d8bc8402999286040" FOREIGN KEY ("assetId") REFERENCES assets (id)
    ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE exif (
  "assetId" uuid NOT NULL,
  make character varying,
  model character varying,
  "exifImageWidth" integer,
  "exifImageHeight" integer,
  "fileSizeInByte" bigint,
  orientation character varying,
  "dateTimeOriginal" timestamp with time zone,
  "modifyDate" timestamp with time zone,
  "lensModel" character varying,
  "fNumber" double precision,
  "focalLength" double precision,
  iso integer,
  latitude double precision,
  longitude double precision,
  city character varying,
  state character varying,
  country character varying,
  description text NOT NULL DEFAULT '',
  fps double precision,
  "exposureTime" character varying,
  "livePhotoCID" character varying,
  "timeZone" character varying,
  "projectionType" character varying,
  "profileDescription" character varying,
  colorspace character varying,
  "bitsPerSample" integer,
  "autoStackId" character varying,
  rating integer,
  "updatedAt" timestamp with time zone NOT NULL DEFAULT clock_timestamp(),
  "updateId" uuid NOT NULL DEFAULT immich_uuid_v7(),
  CONSTRAINT "PK_c0117fdbc50b917ef9067740c44" PRIMARY KEY ("assetId"),
  CONSTRAINT "FK_c0117fdbc50b917ef9067740c44" FOREIGN KEY ("assetId") REFERENCES assets (id)
    ON DELETE CASCADE
);
CREATE INDEX exif_city ON exif (city);

CREATE TABLE person (
  id uuid NOT NULL DEFAULT uuid_generate_v4(),
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  "updatedAt" timestamp with time zone NOT NULL DEFAULT now(),
  "ownerId" uuid NOT NULL,
  name character varying NOT NULL DEFAULT '',
  "thumbnailPath" character varying NOT NULL DEFAULT '',
  "isHidden" boolean NOT NULL DEFAULT false,
  "birthDate" date,
  "faceAssetId" uuid,
  "isFavorite" boolean NOT NULL DEFAULT false,
  color character varying,
  "updateId" uuid NOT NULL DEFAULT immich_uuid_v7(),
  CONSTRAINT "PK_5fdaf670315c4b7e70cce85daa3" PRIMARY KEY (id),
  CONSTRAINT "FK_5527cc99f530a547093f9e577b6" FOREIGN KEY ("ownerId") REFERENCES users (id)
    ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE asset_faces (
  id uuid NOT NULL DEFAULT uuid_generate_v4(),
  "assetId" uuid NOT NULL,
  "personId" uuid,
  "imageWidth" integer NOT NULL DEFAULT 0,
  "imageHeight" integer NOT NULL DEFAULT 0,
  "boundingBoxX1" integer NOT NULL DEFAULT 0,
  "boundingBoxY1" integer NOT NULL DEFAULT 0,
  "boundingBoxX2" integer NOT NULL DEFAULT 0,
  "boundingBoxY2" integer NOT NULL DEFAULT 0,
  "sourceType" character varying NOT NULL DEFAULT 'machine-learning',
  "deletedAt" timestamp with time zone,
  CONSTRAINT "PK_6df76ab2eb6f5b57b7c2f1fc684" PRIMARY KEY (id),
  CONSTRAINT "FK_02a43fd0b3c50fb6d7f0cb7282c" FOREIGN KEY ("assetId") REFERENCES assets (id)
    ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT "FK_95ad7106dd7b484275443f580f9" FOREIGN KEY ("personId") REFERENCES person (id)
    ON UPDATE CASCADE ON DELETE SET NULL
);
ALTER TABLE person ADD CONSTRAINT "FK_2bbabe31656b6778c6b87b61023"
  FOREIGN KEY ("faceAssetId") REFERENCES asset_faces (id) ON UPDATE NO ACTION ON DELETE SET NULL;

-- CLIP and face embeddings as Immich's InitialMigration creates them in pgvector mode. Their
-- hnsw indexes (clip_index, face_index) are made by sandbox-data.sql after the rows. The v1.136
-- rename leaves these names alone.
CREATE TABLE smart_search (
  "assetId" uuid NOT NULL,
  embedding vector(512) NOT NULL,
  CONSTRAINT smart_search_pkey PRIMARY KEY ("assetId"),
  CONSTRAINT "smart_search_assetId_fkey" FOREIGN KEY ("assetId") REFERENCES assets (id)
    ON UPDATE NO ACTION ON DELETE CASCADE
);
ALTER TABLE smart_search ALTER COLUMN embedding SET STORAGE EXTERNAL;

CREATE TABLE face_search (
  "faceId" uuid NOT NULL,
  embedding vector(512) NOT NULL,
  CONSTRAINT face_search_pkey PRIMARY KEY ("faceId"),
  CONSTRAINT "face_search_faceId_fkey" FOREIGN KEY ("faceId") REFERENCES asset_faces (id)
    ON UPDATE NO ACTION ON DELETE CASCADE
);

CREATE TABLE move_history (
  id uuid NOT NULL DEFAULT uuid_generate_v4(),
  "entityId" uuid NOT NULL,
  "pathType" character varying NOT NULL,
  "oldPath" character varying NOT NULL,
  "newPath" character varying NOT NULL,
  CONSTRAINT "PK_af608f132233acf123f2949678d" PRIMARY KEY (id),
  CONSTRAINT "UQ_newPath" UNIQUE ("newPath"),
  CONSTRAINT "UQ_entityId_pathType" UNIQUE ("entityId", "pathType")
);

CREATE TABLE albums (
  id uuid NOT NULL DEFAULT uuid_generate_v4(),
  "ownerId" uuid NOT NULL,
  "albumName" character varying NOT NULL DEFAULT 'Untitled Album',
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  "albumThumbnailAssetId" uuid,
  "updatedAt" timestamp with time zone NOT NULL DEFAULT now(),
  description text NOT NULL DEFAULT '',
  "deletedAt" timestamp with time zone,
  "isActivityEnabled" boolean NOT NULL DEFAULT true,
  "order" character varying NOT NULL DEFAULT 'desc',
  "updateId" uuid NOT NULL DEFAULT immich_uuid_v7(),
  CONSTRAINT "PK_7f71c7b5bc7c87b8f94c9a93a00" PRIMARY KEY (id),
  CONSTRAINT "FK_b22c53f35ef20c28c21637c85f4" FOREIGN KEY ("ownerId") REFERENCES users (id)
    ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT "FK_05895aa505a670300d4816debce" FOREIGN KEY ("albumThumbnailAssetId")
    REFERENCES assets (id) ON UPDATE CASCADE ON DELETE SET NULL
);

CREATE TABLE albums_assets_assets (
  "albumsId" uuid NOT NULL,
  "assetsId" uuid NOT NULL,
  "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT "PK_c67bc36fa845fb7b18e0e398180" PRIMARY KEY ("albumsId", "assetsId"),
  CONSTRAINT "FK_e590fa396c6898fcd4a50e40927" FOREIGN KEY ("albumsId") REFERENCES albums (id)
    ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT "FK_4bd1303d199f4e72ccdf998c621" FOREIGN KEY ("assetsId") REFERENCES assets (id)
    ON UPDATE CASCADE ON DELETE CASCADE
);

-- Reverse geocoding data. "earthCoord" is the generated column older releases had: its
-- expression calls earthdistance's ll_to_earth, whose body refers to cube functions
-- unqualified, so restoring it under the dump's empty search_path fails (the guide's pitfall).
CREATE TABLE geodata_places (
  id integer NOT NULL,
  name character varying(200) NOT NULL,
  longitude double precision NOT NULL,
  latitude double precision NOT NULL,
  "countryCode" character(2) NOT NULL,
  "admin1Code" character varying(20),
  "admin2Code" character varying(80),
  "modificationDate" date NOT NULL,
  "admin1Name" character varying,
  "admin2Name" character varying,
  "alternateNames" character varying,
  "earthCoord" earth GENERATED ALWAYS AS (ll_to_earth(latitude, longitude)) STORED,
  CONSTRAINT geodata_places_pkey PRIMARY KEY (id)
);
CREATE INDEX "IDX_geodata_gist_earthcoord" ON geodata_places USING gist (ll_to_earth_public(latitude, longitude));
CREATE INDEX idx_geodata_places_name ON geodata_places USING gin (f_unaccent(name) gin_trgm_ops);
