/* The report a person reads when a statement of the dump fails: where (file, lines, the
 * object pg_dump named), what (the statement, shortened) and everything the server said. */
#ifndef IM_PG_REPORT_H
#define IM_PG_REPORT_H

#include "common.h"

#include <libpq-fe.h>

struct stmt_where {
    const char *file;
    const char *stmt;
    uint64_t first_line, last_line;
    const char *object;      /* "Name: …; Type: …" or NULL */
    uint64_t copy_line_base; /* COPY: the COPY statement's last line, else 0 */
    int encoding;            /* client encoding, to turn the error position into a column */
};

/* Appends the report for a failed result (res may be NULL: conn's message is used). */
void pg_report_failure(const struct stmt_where *w, const PGresult *res, const PGconn *conn,
                       struct strbuf *out);
/* The first line only: "FILE, line(s) A-B (object)". */
void pg_report_where(const struct stmt_where *w, struct strbuf *out);

#endif
