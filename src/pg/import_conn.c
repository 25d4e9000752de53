/* Connections for the importer, and the work a connection does for one job. */
#include "common.h"
#include "pg/import_int.h"
#include "pg/connect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define COPY_CHUNK (1u << 20)

PGconn *import_connect(const char *dsn, const char *dbname, struct strbuf *err)
{
    struct strbuf why = {0};
    PGconn *conn = pg_connect_db(dsn, dbname, NULL, "immich-migrate import", &why);
    if (!conn) {
        sb_printf(err, _("cannot connect to PostgreSQL: %s"), sb_str(&why));
        sb_free(&why);
        return NULL;
    }
    sb_free(&why);
    /* Speed: the import is repeatable from the dump, so a crash needs no durability. */
    PGresult *res = PQexec(conn, "SET synchronous_commit = off");
    PQclear(res);
    return conn;
}

void import_job_free(struct import_job *job)
{
    if (!job)
        return;
    if (job->own_fd && job->fd >= 0)
        close(job->fd);
    free(job->stmt);
    free(job->object);
    sb_free(&job->report);
    free(job);
}

static bool send_range(PGconn *conn, struct import_job *job, struct strbuf *why)
{
    char *buf = xmalloc(COPY_CHUNK);
    uint64_t off = job->offset, end = job->offset + job->length;
    bool ok = true;
    while (off < end) {
        size_t want = end - off < COPY_CHUNK ? (size_t)(end - off) : COPY_CHUNK;
        ssize_t r = pread(job->fd, buf, want, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            sb_printf(why, _("cannot read the COPY data again: %s"),
                      r < 0 ? strerror(errno) : _("the file got shorter"));
            ok = false;
            break;
        }
        if (PQputCopyData(conn, buf, (int)r) != 1) {
            ok = false;
            break;
        }
        off += (uint64_t)r;
    }
    free(buf);
    return ok;
}

static void fail_job(struct import_job *job, const PGresult *res, PGconn *conn)
{
    job->failed = true;
    pg_report_failure(&job->where, res, conn, &job->report);
}

void import_run_job(PGconn *conn, struct import_job *job)
{
    double t0 = now_monotonic();
    PGresult *res = PQexec(conn, job->stmt);
    ExecStatusType st = PQresultStatus(res);
    if (!job->is_copy) {
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
            fail_job(job, res, conn);
        PQclear(res);
        job->duration = now_monotonic() - t0;
        return;
    }
    if (st != PGRES_COPY_IN) {
        fail_job(job, res, conn);
        PQclear(res);
        return;
    }
    PQclear(res);
    struct strbuf why = {0};
    bool sent = send_range(conn, job, &why);
    PQputCopyEnd(conn, sent ? NULL : (why.len ? sb_str(&why) : "aborted"));
    bool reported = false;
    while ((res = PQgetResult(conn))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !reported) {
            fail_job(job, res, conn);
            reported = true;
        } else if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            job->rows_done = strtoll(PQcmdTuples(res), NULL, 10);
        }
        PQclear(res);
    }
    if (!sent && !reported) {
        job->failed = true;
        pg_report_where(&job->where, &job->report);
        sb_printf(&job->report, ": %s", why.len ? sb_str(&why) : PQerrorMessage(conn));
    }
    if (!job->failed && job->check_rows && (uint64_t)job->rows_done != job->rows_sent) {
        job->failed = true;
        pg_report_where(&job->where, &job->report);
        sb_printf(&job->report, _(": the server loaded %lld rows, the file has %llu"),
                  (long long)job->rows_done, (unsigned long long)job->rows_sent);
    }
    sb_free(&why);
    job->duration = now_monotonic() - t0;
}
