/* After the load: ANALYZE, then every loaded table's row count against the rows sent. */
#include "common.h"
#include "pg/import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* With workers: the loaded tables are analyzed side by side, one per connection (the empty
 * ones and partitioned parents get no statistics then; they need none to start with). */
static int analyze_parallel(struct importer *im, struct strbuf *err)
{
    for (size_t i = 0; i < im->ntables; i++) {
        struct import_job *job = xcalloc(1, sizeof *job);
        job->fd = -1;
        job->stmt = xasprintf("ANALYZE %s", im->tables[i].name);
        job->object = xstrdup("");
        job->where = (struct stmt_where){.file = im->file,
                                         .stmt = job->stmt,
                                         .object = job->object,
                                         .encoding = PQclientEncoding(im->conn)};
        snprintf(job->table, sizeof job->table, "%s", im->tables[i].name);
        if (pool_submit(im->pool, job, im->rep, err) < 0)
            return -1;
    }
    return pool_drain(im->pool, im->rep, err);
}

/* ANALYZE, then each table's row count against the rows its COPY blocks loaded. */
int import_verify(struct importer *im, struct strbuf *err)
{
    double t0 = now_monotonic();
    if (im->pool && im->ntables > 0) {
        if (analyze_parallel(im, err) < 0)
            return -1;
    } else {
        /* the owner may not analyze the shared catalogs: no warning per catalog */
        if (!im->superuser)
            PQclear(PQexec(im->conn, "SET client_min_messages = error"));
        PGresult *res = PQexec(im->conn, "ANALYZE");
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            sb_printf(err, _("ANALYZE after the load failed: %s"), PQresultErrorMessage(res));
            PQclear(res);
            return -1;
        }
        PQclear(res);
        import_record_sql(im, "ANALYZE", t0, -1, -1);
    }
    PGresult *res;
    for (size_t i = 0; i < im->ntables; i++) {
        const char *name = im->tables[i].name;
        const char *params[1] = {name};
        res = PQexecParams(im->conn,
                           "SELECT c.relkind = 'p', quote_ident(n.nspname) || '.' || "
                           "quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN "
                           "pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE c.oid = $1::pg_catalog.regclass",
                           1, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
            sb_printf(err, _("cannot find table %s to count its rows: %s"), name,
                      PQresultErrorMessage(res));
            PQclear(res);
            return -1;
        }
        bool partitioned = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        char *sql = xasprintf("SELECT count(*) FROM %s%s", partitioned ? "" : "ONLY ",
                              PQgetvalue(res, 0, 1));
        PQclear(res);
        res = PQexec(im->conn, sql);
        free(sql);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            sb_printf(err, _("cannot count the rows of %s: %s"), name, PQresultErrorMessage(res));
            PQclear(res);
            return -1;
        }
        unsigned long long have = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        if (have != im->tables[i].rows) {
            sb_printf(err, _("table %s holds %llu rows after the import, but the dump sent %llu"),
                      name, have, (unsigned long long)im->tables[i].rows);
            return -1;
        }
    }
    report_msg(im->rep, REC_MESSAGE, _("row counts checked: %zu tables, %llu rows"), im->ntables,
               (unsigned long long)im->rows);
    return 0;
}
