/* The migration plan: the guide's variables, each with where its value came from. */
#ifndef IM_PLAN_H
#define IM_PLAN_H

#include "common.h"

/* X-macro: key, default value ("" = must be discovered or given), check, help text.
 * The check names what validation applies (see plan.c). */
#define PLAN_KEYS(X) \
    X(compose_dir, "", PATH_DIR_OPT, N_("Directory holding docker-compose.yml and .env")) \
    X(upload_location, "", PATH_DIR, N_("Host directory of the Docker library (UPLOAD_LOCATION)")) \
    X(target_location, "/var/lib/immich", PATH_TARGET, \
      N_("Library location for NixOS (services.immich.mediaLocation)")) \
    X(server_container, "immich_server", NAME, N_("Docker container of the Immich server")) \
    X(ml_container, "immich_machine_learning", NAME, N_("Docker container of machine learning")) \
    X(db_container, "immich_postgres", NAME, N_("Docker container of PostgreSQL (keeps running)")) \
    X(db_username, "postgres", NAME, N_("Database role in Docker (DB_USERNAME)")) \
    X(db_database_name, "immich", NAME, N_("Database name in Docker (DB_DATABASE_NAME)")) \
    X(docker_command, "docker", COMMAND, N_("Command used to run docker")) \
    X(systemctl_command, "systemctl", COMMAND, N_("Command used to run systemctl")) \
    X(journalctl_command, "journalctl", COMMAND, N_("Command used to read the systemd journal")) \
    X(backup_dir, "/var/backup/immich-migrate", PATH_ABS, N_("Where backups and dumps are written")) \
    X(library_backup, "archive", BACKUP_KIND, \
      N_("Library backup: archive (all), originals (no thumbs/encoded-video), none")) \
    X(target_dsn, "host=/run/postgresql", DSN, N_("How to reach the NixOS PostgreSQL as superuser")) \
    X(target_db_name, "immich", NAME, N_("Database name on NixOS")) \
    X(target_db_owner, "immich", NAME, N_("Role that owns Immich's tables on NixOS")) \
    X(media_owner, "immich:immich", OWNER, N_("Owner of the library on NixOS (user:group)")) \
    X(immich_url, "http://127.0.0.1:2283", URL, N_("Where the NixOS Immich answers"))

enum plan_key {
#define X(key, def, check, help) PLAN_##key,
    PLAN_KEYS(X)
#undef X
        PLAN_KEY_COUNT
};

/* X-macro: where a value came from. */
#define PLAN_SOURCES(X) \
    X(SRC_DEFAULT, N_("default")) \
    X(SRC_CONFIG, N_("config file")) \
    X(SRC_DISCOVERED, N_("discovered")) \
    X(SRC_TYPED, N_("typed")) \
    X(SRC_COMMAND_LINE, N_("command line"))

enum plan_source {
#define X(id, label) id,
    PLAN_SOURCES(X)
#undef X
};

struct plan_value {
    char *value;
    enum plan_source source;
    char *origin; /* "file:line" for SRC_CONFIG, free text otherwise; may be NULL */
};

struct plan {
    struct plan_value v[PLAN_KEY_COUNT];
};

void plan_init(struct plan *p);
void plan_free(struct plan *p);
void plan_copy(struct plan *dst, const struct plan *src);

const char *plan_key_name(enum plan_key key);
const char *plan_key_help(enum plan_key key);        /* untranslated: wrap in _() to show */
const char *plan_source_label(enum plan_source src); /* untranslated */

const char *plan_get(const struct plan *p, enum plan_key key);
void plan_set(struct plan *p, enum plan_key key, const char *value, enum plan_source src,
              const char *origin);

/* Reads `key = value` lines (# comments, blank lines; values may be "quoted"). Unknown keys
 * and malformed lines are errors "FILE:LINE: ..." appended to err; returns the number of
 * errors (0 = success). On error p is left unchanged. */
int plan_load_file(struct plan *p, const char *path, struct strbuf *err);

/* Writes the plan in the same format (used for the journal's snapshot), secrets redacted. */
void plan_write(const struct plan *p, struct strbuf *out);
/* Parses what plan_write wrote (sources kept). Returns 0 or -1. */
int plan_parse_snapshot(struct plan *p, const char *text, struct strbuf *err);

/* Checks one value; on a problem appends a translated sentence to why and returns false.
 * with_filesystem also checks existence where it applies. */
bool plan_validate_value(const struct plan *p, enum plan_key key, const char *value,
                         bool with_filesystem, struct strbuf *why);
/* Validates the values that are not paths (names, owner, URL, commands, DSN), without the
 * filesystem: what must hold before any of them is passed to a program. Returns the number of
 * problems, "key: why" joined by "; " in why. */
int plan_validate_non_paths(const struct plan *p, struct strbuf *why);

#endif
