/* What `docker inspect CONTAINER` and `systemctl show UNIT` tell us, parsed into plain structs. */
#ifndef IM_INSPECT_H
#define IM_INSPECT_H

#include "common.h"

struct mount {
    char *type;        /* "bind", "volume", ... */
    char *source;      /* host path */
    char *destination; /* container path */
    bool rw;
};

struct container_info {
    char *name;
    bool running;
    char *status; /* "running", "exited", ... */
    char *image;  /* Config.Image, e.g. ghcr.io/immich-app/immich-server:v1.135.3 */
    char *compose_project;
    char *compose_working_dir;
    struct mount *mounts;
    size_t mount_count;
};

/* Parses the JSON array `docker inspect` prints (first element). Returns 0 or -1 with err. */
int container_info_parse(struct container_info *ci, const char *json, size_t len, struct strbuf *err);
void container_info_free(struct container_info *ci);

/* The image tag ("v1.135.3", "release"), or "" when the image has none. Points into image. */
const char *image_tag(const char *image);

/* Versions "1.135.3" / "v1.135.3". Returns 0 and fills v[3], or -1. */
int version_parse(const char *text, int v[3]);
int version_compare(const int a[3], const int b[3]);

struct unit_info {
    char *load_state; /* "loaded", "not-found", ... */
    char *active_state;
    char *exec_path;   /* first path= of ExecStart */
    char *nix_version; /* X.Y.Z from /nix/store/<hash>-immich-X.Y.Z/..., or NULL */
    char **env;        /* Environment= assignments "K=V" */
    size_t env_count;
};

/* Parses `systemctl show` output (Key=value lines). */
void unit_info_parse(struct unit_info *ui, const char *text);
void unit_info_free(struct unit_info *ui);
const char *unit_env(const struct unit_info *ui, const char *key); /* NULL if unset */
/* Where the unit's Immich answers, from IMMICH_HOST/IMMICH_PORT ("http://127.0.0.1:2283"
 * when both are unset), malloc'd; NULL with a translated reason in why when a value is
 * malformed. */
char *unit_immich_url(const struct unit_info *ui, struct strbuf *why);
/* The version in a Nix store path of an immich package, malloc'd, or NULL. */
char *nix_store_immich_version(const char *path);

#endif
