/* The few kinds of SQL line of a pg_dump the fix-up understands. pg_dump writes each of these
 * statements on one line, with identifiers quoted only when needed. */
#ifndef IM_DB_SQLLINE_H
#define IM_DB_SQLLINE_H

#include "common.h"
#include "db/fixup_types.h"

struct copy_header {
    char *schema;
    char *table;
    char **cols;
    size_t ncols;
};

/* Parses `COPY schema.table (col, "Col", ...) FROM stdin;`. Returns 0 or -1. */
int copy_header_parse(const char *line, size_t len, struct copy_header *h);
void copy_header_free(struct copy_header *h);

/* Appends name as an identifier, quoted as PostgreSQL's quote_ident would quote it. */
void sql_ident_append(struct strbuf *out, const char *name);

/* Maps role names in an OWNER TO / GRANT / REVOKE / SET SESSION AUTHORIZATION /
 * ALTER DEFAULT PRIVILEGES line. Returns the number of names replaced; when > 0 the new
 * line (without newline) is in out. */
int sql_map_roles(const char *line, size_t len, const struct role_map *roles, size_t nroles,
                  struct strbuf *out);

/* The extension name of a `CREATE EXTENSION` line (malloc'd), or NULL. */
char *sql_extension_name(const char *line, size_t len);

#endif
