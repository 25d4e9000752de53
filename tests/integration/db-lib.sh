# Helpers for the db-*.sh tests: an Immich-like source database in either schema generation.
# Usage (after common.sh and pg.sh): db_make_source NAME DB old|new [MOUNT]

# SQL creating an Immich-like schema and rows. Generation "old" (v1.135: plural tables,
# relative upload/ paths) or "new" (v1.136+: singular tables, absolute paths under MOUNT).
db_fixture_sql() {
    gen=$1; mount=${2:-/usr/src/app/upload}
    if [ "$gen" = old ]; then
        A=assets U=users F=asset_files L=libraries P=upload
    else
        A=asset U='"user"' F=asset_file L=library P=$mount
    fi
    cat <<SQL
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE TABLE $U (id serial PRIMARY KEY, name text, "profileImagePath" text NOT NULL DEFAULT '');
CREATE TABLE $A (id serial PRIMARY KEY, "ownerId" int REFERENCES $U(id), "originalPath" text NOT NULL,
  "encodedVideoPath" text, "sidecarPath" text, description text, latitude float8, longitude float8);
CREATE INDEX asset_earth ON $A USING gist (ll_to_earth(latitude, longitude));
CREATE TABLE $F (id serial PRIMARY KEY, "assetId" int REFERENCES $A(id), type text, path text NOT NULL);
CREATE TABLE person (id serial PRIMARY KEY, name text, "thumbnailPath" text NOT NULL DEFAULT '');
CREATE TABLE move_history (id serial PRIMARY KEY, "oldPath" text, "newPath" text);
CREATE TABLE $L (id serial PRIMARY KEY, name text, "importPaths" text[], "exclusionPatterns" text[]);
CREATE TABLE album (id serial PRIMARY KEY, "albumName" text, description text);
CREATE TABLE version_history (id serial PRIMARY KEY, "createdAt" timestamptz DEFAULT now(), version text);
CREATE TABLE kysely_migrations (name varchar PRIMARY KEY, "timestamp" varchar);
CREATE TABLE system_metadata (key varchar PRIMARY KEY, value jsonb);
GRANT SELECT ON album TO PUBLIC;
INSERT INTO $U (name, "profileImagePath") VALUES ('ann', '$P/profile/1/a.jpg'), ('bob', '');
INSERT INTO $A ("ownerId", "originalPath", "encodedVideoPath", "sidecarPath", description, latitude, longitude)
SELECT 1, '$P/upload/1/2024/img' || g || '.jpg', CASE WHEN g % 3 = 0 THEN '$P/encoded-video/1/v' || g || '.mp4' END,
       '$P/upload/1/2024/img' || g || '.jpg.xmp', CASE WHEN g % 5 = 0 THEN 'copied from upload/upload/x' END, 52.5, 13.4
FROM generate_series(1, 40) g;
INSERT INTO $A ("ownerId", "originalPath", description) VALUES
 (1, '/mnt/photos/2020/ext.jpg', 'upload/notes start like a path'),
 (1, E'$P/upload/1/odd\\\\name\\tx.jpg', E'line\\nbreak'),
 (1, '/elsewhere/left.jpg', NULL),
 (1, '${P}s/not-a-boundary.jpg', NULL),
 (2, '/mnt/photos', NULL);
INSERT INTO $F ("assetId", type, path) SELECT g, t, '$P/thumbs/1/' || g || '-' || t || '.webp'
FROM generate_series(1, 40) g, unnest(ARRAY['preview','thumbnail']) t;
INSERT INTO person (name, "thumbnailPath") VALUES ('p1', '$P/thumbs/1/p1.jpeg'), ('p2', '');
INSERT INTO move_history ("oldPath", "newPath") VALUES ('$P/upload/1/a.jpg', '$P/library/1/a.jpg');
INSERT INTO $L (name, "importPaths", "exclusionPatterns") VALUES
 ('ext', ARRAY['/mnt/photos', '/mnt/photos/sub dir', '/mnt/other'], ARRAY['**/@eaDir/**']), ('none', '{}', NULL);
INSERT INTO album ("albumName", description) VALUES ('upload/upload/trip', '$P/upload/in description');
INSERT INTO version_history (version, "createdAt") VALUES ('1.135.3', '2025-01-01'), ('1.99.0', '2024-01-01');
INSERT INTO kysely_migrations VALUES ('1744910873969-Initial', '1'), ('1752267649968-StandardizeNames', '2');
SQL
    [ "$gen" = new ] && printf '%s\n' "INSERT INTO system_metadata VALUES ('MediaLocation', '{\"location\": \"$mount\"}'), ('other', '{\"location\": \"$mount\"}');"
    return 0
}

# db_make_source SERVER DB GEN [MOUNT]: creates DB on SERVER and fills it.
db_make_source() {
    psql_on "$1" -d postgres -c "CREATE DATABASE $2"
    db_fixture_sql "$3" "${4:-}" | psql_on "$1" -d "$2" -f -
}

# The expected value of a path under the rules (longest FROM first), computed in SQL with
# regexp_replace: an implementation independent of the one under test.
# db_expect_sql TARGET [FROM=TO]...  prints a CREATE FUNCTION expect_path(text).
db_expect_sql() {
    target=$1; shift
    printf "CREATE OR REPLACE FUNCTION expect_path(p text) RETURNS text LANGUAGE sql AS \$f\$ SELECT CASE\n"
    # longest FROM first
    for r in "/usr/src/app/upload=$target" "upload=$target" "$@"; do printf '%s\n' "$r"; done |
        awk -F= '{ print length($1) "\t" $0 }' | sort -rn | cut -f2- |
        while IFS='=' read -r from to; do
            f=$(printf '%s' "$from" | sed "s/'/''/g")
            t=$(printf '%s' "$to" | sed "s/'/''/g; s/\\\\/\\\\\\\\/g")
            printf "  WHEN p ~ ('^' || '%s' || '(/|\$)') THEN regexp_replace(p, '^' || '%s', '%s')\n" "$f" "$f" "$t"
        done
    printf "  ELSE p END \$f\$;\n"
}

# The UPDATEs that turn a restored source into the expected result.
db_expect_updates() {
    gen=$1; target=$2
    if [ "$gen" = old ]; then A=assets U=users F=asset_files L=libraries
    else A=asset U='"user"' F=asset_file L=library; fi
    tj=$(printf '%s' "$target" | sed "s/'/''/g")
    # replica role: no triggers (Immich's updated_at would change other columns)
    cat <<SQL
SET session_replication_role = replica;
UPDATE $A SET "originalPath" = expect_path("originalPath"), "encodedVideoPath" = expect_path("encodedVideoPath"), "sidecarPath" = expect_path("sidecarPath");
UPDATE $F SET path = expect_path(path);
UPDATE $U SET "profileImagePath" = expect_path("profileImagePath");
UPDATE person SET "thumbnailPath" = expect_path("thumbnailPath");
UPDATE move_history SET "oldPath" = expect_path("oldPath"), "newPath" = expect_path("newPath");
UPDATE $L SET "importPaths" = ARRAY(SELECT expect_path(x) FROM unnest("importPaths") x) WHERE "importPaths" IS NOT NULL;
UPDATE system_metadata SET value = jsonb_build_object('location', '$tj'::text) WHERE key = 'MediaLocation';
DROP FUNCTION expect_path(text);
SQL
}

# A dump's data and schema as sorted lines, without owners, privileges and restrict keys.
db_canonical_dump() {
    pg_dump -h "$1" -p 5432 -U postgres --no-owner --no-privileges "$2" |
        grep -v -e '^\\restrict' -e '^\\unrestrict' | LC_ALL=C sort
}
