/* Loads a plain pg_dump (SQL) into PostgreSQL through libpq, the way psql -v ON_ERROR_STOP=1
 * would, but: the file is scanned first and refused when it holds anything but SQL and the
 * backslash commands pg_dump writes (\restrict, \unrestrict, \connect to the target database,
 * \encoding); it runs in one transaction when the file allows it; it stops at the first error
 * with a report naming the file line, the object and the server's message; COPY data is
 * streamed and a failed COPY never has its data run as SQL; with jobs > 1, unbroken runs of
 * COPY blocks and of CREATE INDEX / ADD PRIMARY KEY|UNIQUE run on several connections.
 * Afterwards it runs ANALYZE and checks every table's row count against the rows sent.
 * The scan also refuses what pg_dump never writes (see sql_policy.h), and both passes read
 * the file with the same rules: the load checks after every statement that the server's
 * standard_conforming_strings and client encoding are what the file's SET lines say.
 *
 * Parallel COPY reads its data again from the file when the input is plain (a worker gets
 * the byte range); for compressed input each block is first written to an unlinked 0600
 * temporary file. Memory stays bounded either way. */
#ifndef IM_IMPORTER_H
#define IM_IMPORTER_H

#include "common.h"
#include "report.h"

enum pg_txn_mode { PG_TXN_AUTO, PG_TXN_ON, PG_TXN_OFF };

struct pg_import_options {
    const char *dsn;  /* libpq connection string; may hold a password: never shown */
    const char *path; /* .sql, .sql.gz, .sql.zst or "-" */
    int fd;           /* >= 0: read this open file instead (path names it in messages) */
    int jobs;         /* connections for parallel steps, >= 1 */
    enum pg_txn_mode single_transaction;
    const char *target_db; /* the only database \connect may name; NULL = the DSN's */
    /* When set, the session must be logged in as this role and it must not be a superuser:
     * the dump is outside input and runs with its owner's rights only. When NULL (import
     * alone) a superuser session is allowed, with a warning. */
    const char *owner;
};

/* Returns 0, or -1 with the report (several lines, no trailing newline) in err. */
int pg_import(const struct pg_import_options *o, const struct reporter *rep, struct strbuf *err);

#endif
