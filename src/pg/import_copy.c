/* COPY … FROM stdin: streamed on the main connection, or handed to a worker with its data
 * (a byte range of the plain file, or a temporary spool of a compressed one). */
#include "common.h"
#include "pg/import_int.h"
#include "pg/sql_classify.h"

#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static bool copy_is_text(const char *stmt)
{
    return !strcasestr(stmt, "csv") && !strcasestr(stmt, "binary");
}

/* The data of a COPY whose statement failed or must not run: read past it. */
static int skip_copy_data(struct importer *im, struct strbuf *err)
{
    for (;;) {
        enum dump_event ev = dump_next(&im->w, err);
        if (ev == DUMP_COPY_END)
            return 0;
        if (ev != DUMP_COPY_DATA)
            return -1;
    }
}

int import_copy_serial(struct importer *im, const struct stmt_info *info, struct strbuf *err)
{
    double t0 = now_monotonic();
    char *stmt = xstrdup(sb_str(&im->w.lx.stmt));
    struct stmt_where wh = import_where_now(im);
    wh.stmt = stmt;
    wh.copy_line_base = im->w.copy_stmt_line;
    PGresult *res = PQexec(im->conn, stmt);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        pg_report_failure(&wh, res, im->conn, err);
        PQclear(res);
        free(stmt);
        skip_copy_data(im, err); /* never run COPY data as SQL */
        return -1;
    }
    PQclear(res);
    struct strbuf why = {0};
    bool ok = true;
    for (;;) {
        enum dump_event ev = dump_next(&im->w, &why);
        if (ev == DUMP_COPY_END)
            break;
        if (ev != DUMP_COPY_DATA) {
            ok = false;
            break;
        }
        if (PQputCopyData(im->conn, im->w.chunk, (int)im->w.chunk_len) != 1) {
            ok = false;
            break;
        }
        if (report_cancelled(im->rep)) {
            sb_append(&why, _("cancelled"));
            ok = false;
            break;
        }
        import_progress(im, false);
    }
    PQputCopyEnd(im->conn, ok ? NULL : (why.len ? sb_str(&why) : "aborted"));
    int64_t loaded = -1;
    bool reported = false;
    while ((res = PQgetResult(im->conn))) {
        if (PQresultStatus(res) == PGRES_COMMAND_OK)
            loaded = strtoll(PQcmdTuples(res), NULL, 10);
        else if (!reported && ok) {
            pg_report_failure(&wh, res, im->conn, err);
            reported = true;
        }
        PQclear(res);
    }
    int rc = 0;
    if (!ok) {
        if (!reported) {
            pg_report_where(&wh, err);
            sb_printf(err, ": %s", why.len ? sb_str(&why) : PQerrorMessage(im->conn));
        }
        rc = -1;
    } else if (reported) {
        rc = -1;
    } else if (copy_is_text(stmt) && (uint64_t)loaded != im->w.copy_rows) {
        pg_report_where(&wh, err);
        sb_printf(err, _(": the server loaded %lld rows, the file has %llu"), (long long)loaded,
                  (unsigned long long)im->w.copy_rows);
        rc = -1;
    } else {
        import_record_sql(im, stmt, t0, loaded, (int64_t)im->w.copy_bytes);
        import_add_rows(im, info->table, (uint64_t)loaded);
    }
    sb_free(&why);
    free(stmt);
    return rc;
}

static int spool_block(struct importer *im, struct import_job *job, struct strbuf *err)
{
    const char *dir = getenv("TMPDIR");
    char *path = xasprintf("%s/immich-migrate-copy.XXXXXX", dir && *dir ? dir : "/tmp");
    job->fd = mkostemp(path, O_CLOEXEC);
    if (job->fd < 0) {
        sb_printf(err, _("cannot create a temporary file for COPY data: %s"), strerror(errno));
        free(path);
        return -1;
    }
    unlink(path);
    free(path);
    job->own_fd = true;
    for (;;) {
        enum dump_event ev = dump_next(&im->w, err);
        if (ev == DUMP_COPY_END)
            return 0;
        if (ev != DUMP_COPY_DATA)
            return -1;
        for (size_t off = 0; off < im->w.chunk_len;) {
            ssize_t n = write(job->fd, im->w.chunk + off, im->w.chunk_len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                sb_printf(err, _("cannot write COPY data to a temporary file: %s"), strerror(errno));
                return -1;
            }
            off += (size_t)n;
        }
        import_progress(im, false);
    }
}

struct import_job *import_new_job(struct importer *im, const struct stmt_info *info)
{
    struct import_job *job = xcalloc(1, sizeof *job);
    job->fd = -1;
    job->stmt = xstrdup(sb_str(&im->w.lx.stmt));
    job->object = xstrdup(sb_str(&im->w.lx.object));
    job->where = import_where_now(im);
    job->where.stmt = job->stmt;
    job->where.object = job->object;
    snprintf(job->table, sizeof job->table, "%s", info->table);
    job->exclusive = info->cls == STMT_ADD_KEY;
    return job;
}

int import_copy_parallel(struct importer *im, const struct stmt_info *info, struct strbuf *err)
{
    struct import_job *job = import_new_job(im, info);
    job->is_copy = true;
    job->where.copy_line_base = im->w.copy_stmt_line;
    job->check_rows = copy_is_text(job->stmt);
    int rc;
    if (im->in.kind == SQL_INPUT_PLAIN) {
        job->fd = im->in.fd; /* workers pread the range; our read offset is not disturbed */
        rc = skip_copy_data(im, err);
        job->offset = im->w.copy_data_offset;
    } else {
        rc = spool_block(im, job, err);
        job->offset = 0;
    }
    job->length = im->w.copy_bytes;
    job->rows_sent = im->w.copy_rows;
    if (rc < 0) {
        import_job_free(job);
        return -1;
    }
    return pool_submit(im->pool, job, im->rep, err);
}
