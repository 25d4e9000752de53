/* Discovery: what the Docker installation and the NixOS target look like. Read-only: it runs
 * `docker inspect`, queries through `docker exec DB psql`, `systemctl show` and a libpq
 * connection to target_dsn, and reads the compose `.env`. Values it finds fill the plan as
 * SRC_DISCOVERED (only keys still at their default; config and typed values win). */
#ifndef IM_DISCOVER_H
#define IM_DISCOVER_H

#include "discover/dotenv.h"
#include "discover/estimate.h"
#include "discover/inspect.h"
#include "plan.h"
#include "report.h"

/* A bind mount of the server container that may hold an external library. */
struct ext_mount {
    char *container; /* where it is inside the container */
    char *host;      /* where it is on the host */
};
struct ext_mounts {
    struct ext_mount *v;
    size_t n;
};

/* Appends copies of container and host to m. */
void ext_mounts_add(struct ext_mounts *m, const char *container, const char *host);
void ext_mounts_free(struct ext_mounts *m); /* leaves m empty */

struct discovery {
    /* source */
    char *compose_dir; /* NULL when not found */
    struct dotenv env;
    bool env_loaded;
    struct strbuf env_error;
    struct container_info server, ml, db;
    int server_state, ml_state, db_state; /* 0 found, 1 no such container, -1 error */
    struct strbuf docker_error;
    char *source_version;              /* "1.135.3", NULL when unknown */
    const char *source_version_origin; /* untranslated N_() text */
    char *image_tag;                   /* as in Config.Image */
    char *upload_dest;                 /* container path of the upload mount, NULL if none */
    struct ext_mounts external_mounts; /* not the upload mount, nor system paths */
    char *src_extensions;              /* newline-separated extnames, NULL when unknown */
    struct strbuf src_db_error;
    uint64_t db_bytes;             /* pg_database_size of the source */
    uint64_t lib_bytes, lib_files; /* regular files under upload_location (a file with
                                    * several names: its bytes once, each name a file) */
    uint64_t lib_originals_bytes;  /* of them, what library_backup = originals keeps */
    bool lib_walked;
    struct estimate estimate; /* preflight_run's (valid once the library was measured) */
    /* target */
    bool unit_exists; /* LoadState=loaded */
    struct unit_info unit;
    struct strbuf unit_error;
    char *dst_extensions; /* newline-separated available extensions, NULL if unknown */
    bool dst_superuser;
    struct strbuf target_pg_error;
};

void discovery_free(struct discovery *d);

/* Fills the source part (and plan values). Never fails as a whole: problems are kept in the
 * struct for the checks to report. */
void discover_source(struct discovery *d, struct plan *p, const struct reporter *rep);
/* Fills the target part: the unit and the PostgreSQL server. */
void discover_target(struct discovery *d, const struct plan *p, const struct reporter *rep);

/* immich_url from the unit's IMMICH_HOST/IMMICH_PORT (when it sets either): set as discovered
 * unless the user gave a value (config, typed, command line win; a value discovered before is
 * brought up to date). Returns 0, or -1 with a translated warning in note: a malformed setting
 * (ignored), or a user's immich_url that is not where the unit listens (it stays). */
int discover_immich_url(struct plan *p, const struct unit_info *ui, struct strbuf *note);

/* "vectors", "vchord", "vchord,vectors" or "" from the source's extensions. */
const char *discover_vector_extension(const struct discovery *d);
/* Is name listed in a newline-separated list? */
bool list_has(const char *list, const char *name);

#endif
