/* Dumping the Immich database out of its Docker container with pg_dump, and finding the
 * dumps Immich made by itself. */
#ifndef IM_DB_DUMP_H
#define IM_DB_DUMP_H

#include "common.h"
#include "plan.h"
#include "report.h"
#include "db/dumpio.h"
#include "sys/spawn.h"

/* The argv of `docker exec CONTAINER pg_dump --username USER DB` (never -t). */
void db_dump_argv(const struct plan *p, struct argv_builder *a);
/* The argv asking the container's psql for pg_database_size. */
void db_size_argv(const struct plan *p, struct argv_builder *a);
/* <backup_dir>/immich-YYYYMMDDTHHMMSSZ.sql[.zst] (malloc'd). */
char *db_dump_default_path(const struct plan *p, bool compress);

/* Runs pg_dump and streams it into out_path (created 0600, O_EXCL; zstd when the name ends in
 * .zst). Succeeds only when pg_dump exits 0 and the dump ends with its "dump complete" line;
 * otherwise the file is removed and err holds the reason (with pg_dump's stderr). */
int db_dump_run(const struct plan *p, const char *out_path, const struct reporter *rep,
                struct strbuf *err);

/* True when text (the last bytes of a dump) ends with pg_dump's "dump complete" line,
 * followed by nothing but blank lines, "--" and \unrestrict. */
bool db_dump_tail_complete(const char *text, size_t len);
/* Reads a whole dump file (any compression) and checks its end. */
bool db_dump_file_complete(const char *path, struct strbuf *err);

/* One of Immich's automatic backups in <upload_location>/backups. */
struct immich_backup {
    char *path;
    char *version; /* "1.136.0", or NULL when unknown */
    int64_t mtime;
    uint64_t size;
};

/* Lists immich-db-backup-*.sql.gz (never .tmp), newest first. The version comes from the
 * name (v1.136+), else from version_history inside when the file is small. Returns the count,
 * or -1 (err) when the directory cannot be read. */
int immich_backups_list(const char *upload_location, const char *database,
                        struct immich_backup **out, struct strbuf *err);
void immich_backups_free(struct immich_backup *list, int count);

#endif
