#include "db/prepare.h"
#include "db/sqlline.h"
#include "vecext.h"
#include "redact.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

struct stmt_list {
    char **sql;
    size_t count;
};

static void stmt_add(struct stmt_list *l, char *sql)
{
    l->sql = xrealloc(l->sql, (l->count + 1) * sizeof *l->sql);
    l->sql[l->count++] = sql;
}

static void stmt_free(struct stmt_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->sql[i]);
    free(l->sql);
}

static bool has_ext(const struct prepare_request *rq, const char *name)
{
    for (size_t i = 0; i < rq->nextensions; i++)
        if (strcmp(rq->extensions[i], name) == 0)
            return true;
    return false;
}

/* An identifier quoted by libpq when a connection is there, else by our own rule. */
static char *ident(PGconn *conn, const char *name)
{
    if (conn) {
        char *q = PQescapeIdentifier(conn, name, strlen(name));
        if (q) {
            char *r = xstrdup(q);
            PQfreemem(q);
            return r;
        }
    }
    struct strbuf sb = {0};
    sql_ident_append(&sb, name);
    return sb_detach(&sb);
}

/* Schema public as a fresh database has it (what CREATE DATABASE copies from template1):
 * PostgreSQL 15 and later: owned by pg_database_owner, USAGE for PUBLIC; before 15: owned by
 * a superuser, CREATE and USAGE for PUBLIC; both with initdb's comment. A plain CREATE SCHEMA
 * would lose the grant and the comment, and the import would then differ from a restore into
 * a fresh database. major 0 (a preview, no connection): 15 or later. */
static void add_fresh_public(struct stmt_list *l, int major)
{
    bool pre15 = major > 0 && major < 15;
    stmt_add(l, xstrdup(pre15 ? "CREATE SCHEMA public"
                              : "CREATE SCHEMA public AUTHORIZATION pg_database_owner"));
    stmt_add(l, xstrdup("COMMENT ON SCHEMA public IS 'standard public schema'"));
    stmt_add(l, xstrdup(pre15 ? "GRANT CREATE, USAGE ON SCHEMA public TO PUBLIC"
                              : "GRANT USAGE ON SCHEMA public TO PUBLIC"));
}

/* The guide's block, adapted: vectors only when the dump or the target has it. The owner
 * change of public is also what the NixOS module's post-start SQL does at every start. */
static void build_statements(PGconn *conn, const struct prepare_request *rq,
                             bool target_has_vectors, struct stmt_list *l)
{
    char *owner = ident(conn, rq->owner);
    bool vectors = has_ext(rq, "vectors");
    stmt_add(l, xstrdup("DROP SCHEMA IF EXISTS public CASCADE"));
    if (vectors || target_has_vectors)
        stmt_add(l, xstrdup("DROP SCHEMA IF EXISTS vectors CASCADE"));
    add_fresh_public(l, conn ? PQserverVersion(conn) / 10000 : 0);
    for (size_t i = 0; i < rq->nextensions; i++) {
        char *e = ident(conn, rq->extensions[i]);
        stmt_add(l, xasprintf("CREATE EXTENSION IF NOT EXISTS %s", e));
        free(e);
    }
    stmt_add(l, xasprintf("ALTER SCHEMA public OWNER TO %s", owner));
    if (vectors) {
        stmt_add(l, xasprintf("ALTER SCHEMA vectors OWNER TO %s", owner));
        stmt_add(l, xasprintf("GRANT SELECT ON TABLE pg_vector_index_stat TO %s", owner));
        stmt_add(l, xstrdup("ALTER EXTENSION vectors UPDATE"));
    }
    stmt_add(l, xasprintf("GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO %s", owner));
    stmt_add(l, xasprintf("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %s", owner));
    if (vectors) {
        stmt_add(l, xasprintf("GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA vectors TO %s", owner));
        stmt_add(l, xasprintf("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA vectors TO %s", owner));
    }
    free(owner);
}

void db_prepare_preview(const struct prepare_request *rq, struct strbuf *out)
{
    struct stmt_list l = {0};
    build_statements(NULL, rq, false, &l);
    for (size_t i = 0; i < l.count; i++)
        sb_printf(out, "%s;\n", l.sql[i]);
    stmt_free(&l);
}

/* Server notices ("drop cascades to ...") become records instead of lines on stderr. */
static void on_notice(void *arg, const char *message)
{
    struct strbuf sb = {0};
    sb_append(&sb, message);
    while (sb.len && sb.buf[sb.len - 1] == '\n')
        sb.buf[--sb.len] = '\0';
    report_msg(arg, REC_MESSAGE, "%s", sb_str(&sb));
    sb_free(&sb);
}

static PGconn *connect_target(const struct prepare_request *rq, const struct reporter *rep,
                              struct strbuf *err)
{
    const char *keys[] = {"dbname", "dbname", "fallback_application_name", NULL};
    const char *vals[] = {rq->dsn, rq->dbname, "immich-migrate", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(conn) != CONNECTION_OK) {
        char *msg = redact_dup(PQerrorMessage(conn));
        sb_printf(err, _("cannot connect to database '%s': %s"), rq->dbname, msg);
        free(msg);
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, on_notice, (void *)rep);
    report_msg(rep, REC_MESSAGE, _("connected to database '%s' as '%s' (PostgreSQL %d)"),
               rq->dbname, PQuser(conn), PQserverVersion(conn) / 10000);
    return conn;
}

/* Runs a read-only query; NULL (err) on failure. */
static PGresult *query(PGconn *conn, const char *sql, int nparams, const char *const *params,
                       struct strbuf *err)
{
    PGresult *r = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        sb_printf(err, _("query failed: %s"), PQerrorMessage(conn));
        PQclear(r);
        return NULL;
    }
    return r;
}

struct target_state {
    int tables;       /* in non-system schemas */
    bool has_vectors; /* schema vectors exists */
};

/* Shows what the target holds now; fills ts. */
static int inspect_target(PGconn *conn, const struct reporter *rep, struct target_state *ts,
                          struct strbuf *err)
{
    PGresult *r = query(conn,
                        "SELECT n.nspname, count(c.oid) FROM pg_namespace n "
                        "LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r','p') "
                        "WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' "
                        "GROUP BY 1 ORDER BY 1",
                        0, NULL, err);
    if (!r)
        return -1;
    memset(ts, 0, sizeof *ts);
    for (int i = 0; i < PQntuples(r); i++) {
        const char *schema = PQgetvalue(r, i, 0);
        int n = atoi(PQgetvalue(r, i, 1));
        ts->tables += n;
        if (strcmp(schema, "vectors") == 0)
            ts->has_vectors = true;
        report_msg(rep, REC_MESSAGE, _("target schema %s: %d tables"), schema, n);
    }
    PQclear(r);
    r = query(conn,
              "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
              "WHERE n.nspname = 'public' AND c.relname IN ('asset', 'assets') AND c.relkind = 'r'",
              0, NULL, err);
    if (!r)
        return -1;
    if (PQntuples(r) > 0) {
        char *sql = xasprintf("SELECT count(*) FROM public.%s", PQgetvalue(r, 0, 0));
        PGresult *c = query(conn, sql, 0, NULL, err);
        if (c) {
            report_msg(rep, REC_MESSAGE, _("target holds %s assets"), PQgetvalue(c, 0, 0));
            PQclear(c);
        }
        free(sql);
    }
    PQclear(r);
    return 0;
}

/* Names the vector extension the dump really uses and the NixOS setting that provides it;
 * VectorChord's two extensions are explained once. */
static void explain_missing(const struct reporter *rep, const struct prepare_request *rq,
                            const char *ext, bool *chord_told)
{
    enum vecext kind = vecext_kind(ext, has_ext(rq, "vchord"));
    if (kind == VECEXT_VECTORCHORD && *chord_told)
        return;
    char *msg = vecext_missing_advice(kind);
    if (!msg)
        return;
    *chord_told |= kind == VECEXT_VECTORCHORD;
    report_msg(rep, REC_ERROR, "%s", msg);
    free(msg);
}

/* Every check that must pass before anything is dropped. */
static int check_target(PGconn *conn, const struct prepare_request *rq, const struct reporter *rep,
                        struct strbuf *err)
{
    int major = PQserverVersion(conn) / 10000;
    if (rq->dump_server_major && major < rq->dump_server_major) {
        sb_printf(err, _("the target runs PostgreSQL %d, older than the dump's PostgreSQL %d"),
                  major, rq->dump_server_major);
        return -1;
    }
    PGresult *r = query(conn, "SELECT name FROM pg_available_extensions", 0, NULL, err);
    if (!r)
        return -1;
    struct strbuf missing = {0};
    bool chord_told = false;
    for (size_t i = 0; i < rq->nextensions; i++) {
        bool found = false;
        for (int k = 0; k < PQntuples(r) && !found; k++)
            found = strcmp(PQgetvalue(r, k, 0), rq->extensions[i]) == 0;
        if (!found) {
            sb_printf(&missing, "%s%s", missing.len ? ", " : "", rq->extensions[i]);
            explain_missing(rep, rq, rq->extensions[i], &chord_told);
        }
    }
    PQclear(r);
    const char *owner[] = {rq->owner};
    r = query(conn, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, owner, err);
    if (!r) {
        sb_free(&missing);
        return -1;
    }
    bool owner_ok = PQntuples(r) == 1;
    PQclear(r);
    if (missing.len) {
        sb_printf(err,
                  _("the target server lacks extensions the dump needs: %s (nothing was changed)"),
                  sb_str(&missing));
        sb_free(&missing);
        return -1;
    }
    if (!owner_ok) {
        sb_printf(err, _("the role '%s' does not exist on the target (nothing was changed)"),
                  rq->owner);
        return -1;
    }
    return 0;
}

static int exec_statement(PGconn *conn, const struct reporter *rep, const char *sql, bool run,
                          struct strbuf *err)
{
    struct record rec = RECORD_INIT(REC_SQL, sql);
    if (!run) {
        report_record(rep, &rec);
        return 0;
    }
    double t0 = now_monotonic();
    PGresult *r = PQexec(conn, sql);
    rec.duration = now_monotonic() - t0;
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    rec.exit_status = ok ? 0 : 1;
    report_record(rep, &rec);
    if (!ok)
        sb_printf(err, _("%s failed: %s"), sql, PQerrorMessage(conn));
    PQclear(r);
    return ok ? 0 : -1;
}

static int apply(PGconn *conn, const struct prepare_request *rq, const struct target_state *ts,
                 const struct reporter *rep, struct strbuf *err)
{
    struct stmt_list l = {0};
    build_statements(conn, rq, ts->has_vectors, &l);
    bool run = !rq->dry_run;
    int rc = exec_statement(conn, rep, "BEGIN", run, err);
    for (size_t i = 0; i < l.count && rc == 0; i++) {
        rc = exec_statement(conn, rep, l.sql[i], run, err);
        report_progress(rep, "statements", i + 1, l.count, NULL);
    }
    if (rc == 0)
        rc = exec_statement(conn, rep, "COMMIT", run, err);
    else if (run)
        PQclear(PQexec(conn, "ROLLBACK"));
    stmt_free(&l);
    return rc;
}

int db_prepare_run(const struct prepare_request *rq, const struct reporter *rep, struct strbuf *err)
{
    PGconn *conn = connect_target(rq, rep, err);
    if (!conn)
        return 1;
    struct target_state ts;
    int rc = inspect_target(conn, rep, &ts, err) == 0 && check_target(conn, rq, rep, err) == 0 ? 0 : 1;
    /* DROP SCHEMA is destructive even on a database that looks empty (a function, a type, a
     * grant someone made by hand): it is always confirmed by typing the name. */
    if (rc == 0 && !rq->dry_run) {
        char *q;
        if (ts.tables > 0) {
            report_msg(rep, REC_WARNING,
                       _("database '%s' is not empty: everything in its schemas will be dropped"),
                       rq->dbname);
            q = xasprintf(_("The database '%s' holds %d tables. Drop its schemas and all their "
                            "data? Type the database name to confirm."),
                          rq->dbname, ts.tables);
        } else {
            q = xasprintf(_("The database '%s' holds no tables. Drop and recreate its schemas for the "
                            "import? Type the database name to confirm."),
                          rq->dbname);
        }
        if (!rq->assume_yes && !report_confirm(rep, q, rq->dbname)) {
            sb_printf(err, _("not confirmed: database '%s' left as it was"), rq->dbname);
            rc = 1;
        }
        free(q);
    }
    if (rc == 0 && report_cancelled(rep)) {
        sb_append(err, _("cancelled"));
        rc = 2;
    }
    if (rc == 0 && apply(conn, rq, &ts, rep, err) < 0)
        rc = 1;
    PQfinish(conn);
    return rc;
}
