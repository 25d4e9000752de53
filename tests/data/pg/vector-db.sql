-- Immich's pgvector mode in small: extension vector, smart_search and face_search as Immich
-- creates them (512-float embeddings, hnsw indexes with vector_cosine_ops), and embeddings
-- whose text form is awkward (the extremes of float4, subnormals, negative zero, values that
-- need nine digits). Needs pgvector (build-aux/install-pgvector.sh).
\set ON_ERROR_STOP 1
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE asset (id uuid NOT NULL PRIMARY KEY, "originalFileName" text NOT NULL);
CREATE TABLE asset_face (
  id uuid NOT NULL PRIMARY KEY,
  "assetId" uuid NOT NULL REFERENCES asset (id) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE TABLE smart_search (
  "assetId" uuid NOT NULL,
  embedding vector(512) NOT NULL,
  CONSTRAINT smart_search_pkey PRIMARY KEY ("assetId"),
  CONSTRAINT "smart_search_assetId_fkey" FOREIGN KEY ("assetId") REFERENCES asset (id)
    ON UPDATE NO ACTION ON DELETE CASCADE
);
ALTER TABLE smart_search ALTER COLUMN embedding SET STORAGE EXTERNAL;
CREATE TABLE face_search (
  "faceId" uuid NOT NULL,
  embedding vector(512) NOT NULL,
  CONSTRAINT face_search_pkey PRIMARY KEY ("faceId"),
  CONSTRAINT "face_search_faceId_fkey" FOREIGN KEY ("faceId") REFERENCES asset_face (id)
    ON UPDATE NO ACTION ON DELETE CASCADE
);

INSERT INTO asset SELECT md5('vec-asset-' || i)::uuid, 'IMG_' || i || '.jpg' FROM generate_series(1, 40) i;
INSERT INTO asset_face SELECT md5('vec-face-' || i)::uuid, md5('vec-asset-' || (i % 40 + 1))::uuid
FROM generate_series(1, 30) i;
INSERT INTO smart_search
SELECT md5('vec-asset-' || i)::uuid,
       array(SELECT sin(i * 0.37 + k * 1.618034)::real FROM generate_series(1, 512) k ORDER BY k)::vector(512)
FROM generate_series(1, 40) i;
INSERT INTO face_search
SELECT md5('vec-face-' || i)::uuid,
       array(SELECT cos(i * 0.91 + k * 2.718282)::real FROM generate_series(1, 512) k ORDER BY k)::vector(512)
FROM generate_series(1, 30) i;
-- One embedding of extremes: float4's largest and smallest normal, a subnormal, -0, 1/3.
UPDATE smart_search
SET embedding = (ARRAY[3.4028235e38, -3.4028235e38, 1.1754944e-38, 1e-45, '-0', 0.33333334,
                       -0.1, 16777217]::real[]
                 || array(SELECT (k * 1e-7)::real FROM generate_series(9, 512) k ORDER BY k))::vector(512)
WHERE "assetId" = md5('vec-asset-1')::uuid;

CREATE INDEX clip_index ON smart_search USING hnsw (embedding vector_cosine_ops)
  WITH (ef_construction = 300, m = 16);
CREATE INDEX face_index ON face_search USING hnsw (embedding vector_cosine_ops)
  WITH (ef_construction = 300, m = 16);
