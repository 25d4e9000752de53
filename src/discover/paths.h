/* The file paths Immich keeps in its database, for both schema generations, and how a path
 * stored by the Docker install maps to the host through the server container's mounts.
 *
 * Dangling-paths file (written by the pre-flight checks, read by verify): `<state_dir>/
 * dangling-paths`, mode 0600, one line per source path whose file did not exist on the host
 * before the migration touched anything:
 *     KEY <TAB> DB_PATH <TAB> HOST_PATH
 * KEY is the path relative to the upload mount for library files (e.g. "upload/<user>/a.jpg",
 * the same relative path verify finds under target_location), else the host path.
 * HOST_PATH is "-" for a path under no mount. Lines starting with '#' are comments. Paths
 * holding a tab or newline are not listed. The stage artifact dangling_paths_file names it. */
#ifndef IM_PATHS_H
#define IM_PATHS_H

#include "discover/inspect.h"
#include "plan.h"
#include "report.h"

#define DANGLING_FILE_NAME "dangling-paths"

/* SQL returning "table.column" of every path column that exists in schema public. */
const char *path_columns_query(void);
/* Builds one query listing every non-empty path of the columns named in `columns`
 * (query output above, one per line; names outside the known list are ignored).
 * Returns false when no known column is present. */
bool path_union_query(const char *columns, struct strbuf *sql);

/* Maps a path as stored in the source database (relative `upload/...` for v1.52-v1.135,
 * absolute container path after) to the host. key gets the dangling key (see above).
 * Returns the malloc'd host path, or NULL when no mount holds it. */
char *source_path_to_host(const char *db_path, const struct container_info *server,
                          const char *upload_dest, struct strbuf *key);

struct dangling_result {
    uint64_t checked;
    uint64_t dangling;
    char *first[5]; /* the first few dangling db paths (malloc'd) */
};
void dangling_result_free(struct dangling_result *r);

/* Lists every source path (docker exec psql, streamed), maps it to the host, lstat()s it and
 * writes the dangling-paths file at out_path (NULL: counts only, writes nothing). Returns 0
 * or -1 (err). */
int dangling_scan(const struct plan *p, const struct container_info *server,
                  const char *upload_dest, const char *out_path, const struct reporter *rep,
                  struct dangling_result *res, struct strbuf *err);

/* A set of strings (the keys and db paths of a dangling-paths file). */
struct string_set {
    char **slots;
    size_t cap, count;
};
bool string_set_has(const struct string_set *s, const char *v);
void string_set_free(struct string_set *s);
/* Loads a dangling-paths file into s (missing file = empty set, returns 0). */
int dangling_load(const char *path, struct string_set *s, struct strbuf *err);

#endif
