/* The load pass: runs the dump statement by statement on one connection, COPY data
 * streamed, parallel runs handed to the worker pool. */
#include "common.h"
#include "pg/importer.h"
#include "pg/dump_walker.h"
#include "pg/import_int.h"
#include "pg/sql_classify.h"
#include "pg/sql_meta.h"

#include <stdlib.h>
#include <string.h>

/* "Name: asset; Type: TABLE DATA; Schema: public; Owner: postgres" -> "TABLE DATA public.asset" */
static void short_object(const char *object, struct strbuf *out)
{
    const char *keys[] = {"Type: ", "Schema: ", "Name: "};
    const char *val[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0};
    for (size_t k = 0; k < 3; k++) {
        const char *p = strstr(object, keys[k]);
        while (p && p != object && p[-1] != ' ')
            p = strstr(p + 1, keys[k]);
        if (p) {
            val[k] = p + strlen(keys[k]);
            len[k] = strcspn(val[k], ";");
        }
    }
    if (!val[2]) {
        sb_append(out, object);
        return;
    }
    if (val[0])
        sb_printf(out, "%.*s ", (int)len[0], val[0]);
    if (val[1] && !(len[1] == 1 && val[1][0] == '-'))
        sb_printf(out, "%.*s.", (int)len[1], val[1]);
    sb_printf(out, "%.*s", (int)len[2], val[2]);
}

/* Bytes of the file done; current says what runs: the COPY and its rows so far, or the
 * object pg_dump named, and the statement count. */
void import_progress(struct importer *im, bool force)
{
    double t = now_monotonic();
    if (!force && t - im->last_progress < 0.25)
        return;
    im->last_progress = t;
    struct strbuf cur = {0};
    short_object(sb_str(&im->w.lx.object), &cur);
    if (im->w.in_copy)
        sb_printf(&cur, _(": %llu rows"), (unsigned long long)im->w.copy_rows);
    else
        sb_printf(&cur, _(" (statement %llu)"), (unsigned long long)im->statements);
    report_progress(im->rep, "bytes", sql_input_raw_done(&im->in), im->in.raw_size, sb_str(&cur));
    sb_free(&cur);
}

void import_add_rows(void *ud, const char *table, uint64_t rows)
{
    struct importer *im = ud;
    im->rows += rows;
    for (size_t i = 0; i < im->ntables; i++)
        if (strcmp(im->tables[i].name, table) == 0) {
            im->tables[i].rows += rows;
            return;
        }
    im->tables = xrealloc(im->tables, (im->ntables + 1) * sizeof *im->tables);
    im->tables[im->ntables].name = xstrdup(table);
    im->tables[im->ntables++].rows = rows;
}

static void forget_tables(struct importer *im)
{
    for (size_t i = 0; i < im->ntables; i++)
        free(im->tables[i].name);
    free(im->tables);
    im->tables = NULL;
    im->ntables = 0;
}

struct stmt_where import_where_now(struct importer *im)
{
    struct stmt_where wh = {
        .file = im->file,
        .stmt = sb_str(&im->w.lx.stmt),
        .first_line = im->w.lx.first_line,
        .last_line = im->w.lx.last_line,
        .object = sb_str(&im->w.lx.object),
        .copy_line_base = 0,
        .encoding = PQclientEncoding(im->conn),
    };
    return wh;
}

void import_record_sql(struct importer *im, const char *sql, double t0, int64_t rows, int64_t bytes)
{
    struct record rec = RECORD_INIT(REC_SQL, sql);
    rec.duration = now_monotonic() - t0;
    rec.rows = rows;
    rec.bytes = bytes;
    report_record(im->rep, &rec);
}

/* The lexer starts from the session's settings, as the scan did. */
static void start_model(struct importer *im)
{
    const char *scs = PQparameterStatus(im->conn, "standard_conforming_strings");
    im->w.lx.std_strings = !scs || strcmp(scs, "on") == 0;
    im->w.lx.encoding = PQclientEncoding(im->conn);
}

/* After every statement: the server must read the rest of the file as the scan did. A
 * statement that changed standard_conforming_strings or the client encoding some other way
 * (a function calling set_config, say) stops the load here. */
static int check_model(struct importer *im, struct strbuf *err)
{
    const char *scs = PQparameterStatus(im->conn, "standard_conforming_strings");
    bool server_std = !scs || strcmp(scs, "on") == 0;
    int enc = PQclientEncoding(im->conn);
    if (server_std == im->w.lx.std_strings && enc == im->w.lx.encoding)
        return 0;
    struct stmt_where wh = import_where_now(im);
    pg_report_where(&wh, err);
    if (server_std != im->w.lx.std_strings)
        sb_printf(err,
                  _(": afterwards the server has standard_conforming_strings %s, but the "
                    "file's own SET lines say %s: the statement changed it behind the "
                    "safety scan's back"),
                  server_std ? "on" : "off", im->w.lx.std_strings ? "on" : "off");
    else
        sb_printf(err,
                  _(": afterwards the client encoding is %s, but the file's own SET lines "
                    "say %s: the statement changed it behind the safety scan's back"),
                  pg_encoding_to_char(enc), pg_encoding_to_char(im->w.lx.encoding));
    return -1;
}

/* A new connection (\connect) gets the settings the file has set so far. */
static int impose_model(struct importer *im, struct strbuf *err)
{
    if (PQclientEncoding(im->conn) != im->w.lx.encoding &&
        PQsetClientEncoding(im->conn, pg_encoding_to_char(im->w.lx.encoding)) != 0) {
        sb_printf(err, _("cannot set the client encoding %s"), pg_encoding_to_char(im->w.lx.encoding));
        return -1;
    }
    const char *scs = PQparameterStatus(im->conn, "standard_conforming_strings");
    if ((!scs || strcmp(scs, "on") == 0) != im->w.lx.std_strings) {
        PGresult *res = PQexec(im->conn, im->w.lx.std_strings
                                             ? "SET standard_conforming_strings = on"
                                             : "SET standard_conforming_strings = off");
        PQclear(res);
    }
    return check_model(im, err);
}

/* A COPY the lexer did not see coming (e.g. COPY … TO stdout): output is read and dropped,
 * input is refused (its data would not be where we expect it). */
static ExecStatusType unexpected_copy(struct importer *im, PGresult **res)
{
    ExecStatusType st = PQresultStatus(*res);
    if (st == PGRES_COPY_OUT) {
        char *buf;
        while (PQgetCopyData(im->conn, &buf, 0) > 0)
            PQfreemem(buf);
    } else if (st == PGRES_COPY_IN) {
        PQputCopyEnd(im->conn, "immich-migrate: this COPY FROM STDIN was not recognised as one");
    } else {
        return st;
    }
    PQclear(*res);
    *res = PQgetResult(im->conn);
    PGresult *more;
    while ((more = PQgetResult(im->conn)))
        PQclear(more);
    return PQresultStatus(*res);
}

static int exec_simple(struct importer *im, const char *sql, struct strbuf *err)
{
    double t0 = now_monotonic();
    PGresult *res = PQexec(im->conn, sql);
    ExecStatusType st = unexpected_copy(im, &res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        struct stmt_where wh = import_where_now(im);
        pg_report_failure(&wh, res, im->conn, err);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    import_record_sql(im, sql, t0, -1, -1);
    return 0;
}


/* Server-side parallel index builds only on the serial path: with jobs > 1 our own
 * connections build indexes side by side. */
static int serial_workers(const struct importer *im)
{
    return im->o->jobs > 1 ? 0 : im->tune.par_workers;
}

/* Sizes and applies the index-build settings; the log says what the server took. */
static int tune_sessions(struct importer *im, struct strbuf *err)
{
    import_tune(im->conn, im->o->jobs, &im->tune);
    if (import_tune_apply(im->conn, &im->tune, serial_workers(im), err) < 0)
        return -1;
    PGresult *res = PQexec(im->conn, "SELECT pg_catalog.current_setting('maintenance_work_mem'), "
                                     "pg_catalog.current_setting('max_parallel_maintenance_workers')");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        report_msg(im->rep, REC_MESSAGE,
                   _("index builds: maintenance_work_mem = %s (%s; server default %lld MiB), "
                     "max_parallel_maintenance_workers = %s, on %d connection(s)"),
                   PQgetvalue(res, 0, 0), im->tune.why, im->tune.default_kb / 1024,
                   PQgetvalue(res, 0, 1), im->o->jobs);
    PQclear(res);
    return 0;
}

static int run_meta(struct importer *im, struct strbuf *err)
{
    struct meta_cmd m;
    if (meta_accept(&im->rules, sb_str(&im->w.lx.meta), im->w.lx.first_line, im->db, im->target_db,
                    &m, err) < 0)
        return -1;
    int rc = 0;
    if (m.kind == META_ENCODING) {
        if (PQsetClientEncoding(im->conn, m.arg) != 0) {
            sb_printf(err, _("line %llu: cannot set the client encoding %s"),
                      (unsigned long long)im->w.lx.first_line, m.arg);
            rc = -1;
        }
        im->w.lx.encoding = pg_char_to_encoding(m.arg);
    } else if (m.kind == META_CONNECT &&
               (im->in_block || PQtransactionStatus(im->conn) != PQTRANS_IDLE)) {
        /* the scan refuses this; never lose an open transaction by reconnecting */
        sb_printf(err, _("line %llu: \\connect while a transaction is open"),
                  (unsigned long long)im->w.lx.first_line);
        rc = -1;
    } else if (m.kind == META_CONNECT) {
        /* the new connection first, then the old one goes (as psql does) */
        PGconn *c = import_connect(im->o->dsn, m.arg, err);
        if (c && import_tune_apply(c, &im->tune, serial_workers(im), err) < 0) {
            PQfinish(c);
            c = NULL;
        }
        if (!c) {
            rc = -1;
        } else {
            PQfinish(im->conn);
            im->conn = c;
            if (strcmp(im->db, m.arg) != 0)
                forget_tables(im);
            free(im->db);
            im->db = xstrdup(m.arg);
            if (im->pool)
                pool_set_database(im->pool, im->db);
            report_msg(im->rep, REC_MESSAGE, _("connected to database %s"), im->db);
        }
    }
    if (rc == 0)
        rc = m.kind == META_CONNECT ? impose_model(im, err) : check_model(im, err);
    meta_cmd_free(&m);
    return rc;
}

static int run_statement(struct importer *im, struct strbuf *err)
{
    struct stmt_info info;
    const char *stmt = sb_str(&im->w.lx.stmt);
    stmt_classify(stmt, im->w.lx.copy_from_stdin, &info);
    im->statements++;
    bool parallel_step =
        im->pool && !im->in_block &&
        (info.cls == STMT_COPY_IN || info.cls == STMT_INDEX || info.cls == STMT_ADD_KEY);
    if (im->pool && !parallel_step && pool_drain(im->pool, im->rep, err) < 0)
        return -1;
    if (info.cls == STMT_TXN_TIMEOUT && PQserverVersion(im->conn) < 170000) {
        report_msg(im->rep, REC_MESSAGE,
                   _("line %llu: skipped \"%s\": the server (%d) is older than PostgreSQL 17"),
                   (unsigned long long)im->w.lx.first_line, stmt, PQserverVersion(im->conn));
        return 0;
    }
    if (info.cls == STMT_BEGIN || info.cls == STMT_COMMIT) {
        im->in_block = info.cls == STMT_BEGIN;
        if (im->txn) { /* as pg_restore --single-transaction: one transaction around it all */
            report_msg(im->rep, REC_MESSAGE,
                       _("line %llu: %s skipped: the whole file runs in one "
                         "transaction"),
                       (unsigned long long)im->w.lx.first_line,
                       info.cls == STMT_BEGIN ? "BEGIN" : "COMMIT");
            return 0;
        }
    }
    if (info.cls == STMT_CREATE_EXTENSION || info.cls == STMT_COMMENT_EXTENSION ||
        info.cls == STMT_DROP_EXTENSION) {
        int handled = import_extension_stmt(im, &info, err);
        if (handled != 0)
            return handled < 0 ? -1 : 0;
    }
    int rc;
    if (info.cls == STMT_COPY_IN)
        rc = im->pool ? import_copy_parallel(im, &info, err) : import_copy_serial(im, &info, err);
    else if (parallel_step)
        rc = pool_submit(im->pool, import_new_job(im, &info), im->rep, err);
    else
        rc = exec_simple(im, stmt, err);
    if (rc == 0 && info.cls == STMT_SESSION && im->pool)
        rc = pool_replay(im->pool, stmt, err);
    import_model_apply(&im->w.lx, &info);
    if (rc == 0)
        rc = check_model(im, err);
    return rc;
}

static int load(struct importer *im, struct strbuf *err)
{
    dump_walker_init(&im->w, &im->in);
    start_model(im);
    for (;;) {
        if (report_cancelled(im->rep)) {
            sb_append(err, _("cancelled"));
            return -1;
        }
        enum dump_event ev = dump_next(&im->w, err);
        int rc = 0;
        switch (ev) {
        case DUMP_END: return im->pool ? pool_drain(im->pool, im->rep, err) : 0;
        case DUMP_FAIL: return -1;
        case DUMP_META:
            if (im->pool && pool_drain(im->pool, im->rep, err) < 0)
                return -1;
            rc = run_meta(im, err);
            break;
        case DUMP_STATEMENT: rc = run_statement(im, err); break;
        case DUMP_COPY_DATA:
        case DUMP_COPY_END:
            sb_append(err, _("internal error: COPY data outside a COPY"));
            return -1;
        }
        if (rc < 0)
            return -1;
        import_progress(im, false);
    }
}


static int decide_transaction(struct importer *im, const struct scan_summary *sum, struct strbuf *err)
{
    const struct pg_import_options *o = im->o;
    if (o->single_transaction == PG_TXN_ON) {
        if (o->jobs > 1) {
            sb_append(err, _("a single transaction and parallel jobs cannot be combined"));
            return -1;
        }
        if (!sum->allows_transaction) {
            sb_printf(err, _("the file cannot run in a single transaction (%s)"),
                      sum->why_no_transaction);
            return -1;
        }
        im->txn = true;
    } else if (o->single_transaction == PG_TXN_AUTO) {
        im->txn = sum->allows_transaction && o->jobs <= 1;
        if (!sum->allows_transaction)
            report_msg(im->rep, REC_WARNING,
                       _("not using a single transaction: the file needs more (%s); a failure "
                         "will leave the target partly loaded"),
                       sum->why_no_transaction);
        else if (o->jobs > 1)
            report_msg(im->rep, REC_WARNING,
                       _("not using a single transaction because of parallel jobs; a failure "
                         "will leave the target partly loaded"));
    }
    return 0;
}

static void finish_failure(struct importer *im, struct strbuf *err)
{
    if (im->pool) {
        struct strbuf more = {0};
        pool_drain(im->pool, im->rep, &more);
        sb_free(&more);
    }
    while (err->len && err->buf[err->len - 1] == '\n')
        err->buf[--err->len] = '\0';
    if (!im->conn)
        return;
    if (im->txn) {
        PGresult *res = PQexec(im->conn, "ROLLBACK");
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        sb_append(err, ok ? _("\nNothing was changed: the transaction was rolled back.")
                          : _("\nThe connection is gone: the server rolls the transaction back, "
                              "so nothing was changed."));
    } else if (im->statements > 0) {
        sb_append(err, _("\nThe target database was changed: the statements before this one were "
                         "committed. Recreate the database before importing again."));
    }
}

/* Who runs the dump: the owner given (never a superuser), or with a warning a superuser. */
static int check_session_user(struct importer *im, struct strbuf *err)
{
    const char *su = PQparameterStatus(im->conn, "is_superuser");
    const char *user = PQparameterStatus(im->conn, "session_authorization");
    im->superuser = !su || strcmp(su, "off") != 0;
    if (!user)
        user = PQuser(im->conn);
    if (im->o->owner && strcmp(user, im->o->owner) != 0) {
        sb_printf(err,
                  _("connected as %s, not as the database owner %s: the dump runs only "
                    "with the owner's rights"),
                  user, im->o->owner);
        return -1;
    }
    if (im->o->owner && im->superuser) {
        sb_printf(err,
                  _("the database owner %s is a superuser: the dump must not run with "
                    "superuser rights (make the owner an ordinary role: ALTER ROLE %s "
                    "NOSUPERUSER)"),
                  user, user);
        return -1;
    }
    if (im->superuser)
        report_msg(im->rep, REC_WARNING,
                   _("connected as the superuser %s: the dump's statements run with superuser "
                     "rights; connect as the database's owner unless you trust the file"),
                   user);
    return 0;
}

static int run_import(struct importer *im, struct strbuf *err)
{
    const struct pg_import_options *o = im->o;
    if ((o->fd >= 0 ? sql_input_open_fd(&im->in, o->fd, o->path, err)
                    : sql_input_open(&im->in, o->path, err)) < 0)
        return -1;
    im->file = im->in.name;
    im->conn = import_connect(o->dsn, NULL, err);
    if (!im->conn)
        return -1;
    if (check_session_user(im, err) < 0 || tune_sessions(im, err) < 0)
        return -1;
    im->db = xstrdup(PQdb(im->conn));
    im->target_db = xstrdup(o->target_db ? o->target_db : im->db);
    struct scan_summary sum;
    double t_scan = now_monotonic();
    const char *scs = PQparameterStatus(im->conn, "standard_conforming_strings");
    if (import_prescan(&im->in, im->db, im->target_db, !scs || strcmp(scs, "on") == 0,
                       PQclientEncoding(im->conn), &sum, err) < 0) {
        scan_summary_free(&sum);
        struct strbuf msg = {0};
        sb_printf(&msg, _("%s was refused, nothing was run: %s"), im->file, sb_str(err));
        sb_reset(err);
        sb_append(err, sb_str(&msg));
        sb_free(&msg);
        return -1;
    }
    int rc = import_check_extensions(im, &sum, err);
    scan_summary_free(&sum);
    if (rc < 0) {
        struct strbuf msg = {0};
        sb_printf(&msg, _("nothing was run: %s"), sb_str(err));
        sb_reset(err);
        sb_append(err, sb_str(&msg));
        sb_free(&msg);
        return -1;
    }
    if (decide_transaction(im, &sum, err) < 0 || sql_input_rewind(&im->in, err) < 0)
        return -1;
    if (o->jobs > 1) {
        im->pool = pool_new(o->jobs, o->dsn);
        pool_set_database(im->pool, im->db);
        pool_set_tuning(im->pool, &im->tune);
        pool_on_rows(im->pool, import_add_rows, im);
    }
    report_msg(im->rep, REC_MESSAGE, _("importing %s (%llu statements, %llu COPY blocks)%s"),
               im->file, (unsigned long long)sum.statements, (unsigned long long)sum.copy_blocks,
               im->txn ? _(" in one transaction") : "");
    if (im->txn && exec_simple(im, "BEGIN", err) < 0)
        return -1;
    double t0 = now_monotonic();
    if (load(im, err) < 0) {
        finish_failure(im, err);
        return -1;
    }
    double t1 = now_monotonic();
    if (import_verify(im, err) < 0) {
        finish_failure(im, err);
        return -1;
    }
    if (im->txn && exec_simple(im, "COMMIT", err) < 0) {
        finish_failure(im, err);
        return -1;
    }
    import_progress(im, true);
    report_msg(im->rep, REC_MESSAGE,
               _("imported %s: %llu statements, %llu rows, in %.1f s (safety scan %.1f s, "
                 "load %.1f s, ANALYZE and row counts %.1f s)"),
               im->file, (unsigned long long)im->statements, (unsigned long long)im->rows,
               now_monotonic() - t_scan, t0 - t_scan, t1 - t0, now_monotonic() - t1);
    return 0;
}

int pg_import(const struct pg_import_options *o, const struct reporter *rep, struct strbuf *err)
{
    struct importer im;
    memset(&im, 0, sizeof im);
    im.o = o;
    im.rep = rep;
    im.in.fd = -1;
    int rc = run_import(&im, err);
    pool_free(im.pool);
    PQfinish(im.conn);
    dump_walker_free(&im.w);
    if (im.in.fd >= 0 || im.in.buf)
        sql_input_close(&im.in);
    meta_rules_free(&im.rules);
    forget_tables(&im);
    free(im.db);
    free(im.target_db);
    return rc;
}
