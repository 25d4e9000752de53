/* Extensions, as the database owner sees them: prepare-db (a superuser) creates them, so the
 * dump's CREATE EXTENSION IF NOT EXISTS finds them there, its COMMENT ON EXTENSION, which only
 * their owner may run, is compared instead of run, and a --clean dump's DROP EXTENSION IF
 * EXISTS of one (dropped only to be created again) is left out. A missing extension is named, with
 * the NixOS setting that provides it, before anything runs. */
#include "common.h"
#include "pg/import_int.h"
#include "pg/sql_classify.h"
#include "vecext.h"

#include <stdlib.h>
#include <string.h>

static bool listed(const struct scan_summary *sum, const char *name)
{
    for (size_t i = 0; i < sum->nextensions; i++)
        if (strcmp(sum->extensions[i], name) == 0)
            return true;
    return false;
}

/* Which vector extension the dump really uses, and the NixOS setting for it. */
static void explain_missing(const struct scan_summary *sum, const char *ext, bool available,
                            struct strbuf *err)
{
    char *advice = vecext_missing_advice(vecext_kind(ext, listed(sum, "vchord")));
    if (advice) {
        sb_printf(err, " %s.", advice);
        free(advice);
    } else if (!available) {
        sb_append(err, _(" Install it on the NixOS server (services.postgresql.extensions) and "
                         "run this again."));
    }
}

static PGresult *query1(PGconn *conn, const char *sql, const char *param, struct strbuf *err)
{
    const char *params[1] = {param};
    PGresult *res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        sb_printf(err, _("cannot look up extension %s: %s"), param, PQerrorMessage(conn));
        PQclear(res);
        return NULL;
    }
    return res;
}

int import_check_extensions(struct importer *im, const struct scan_summary *sum, struct strbuf *err)
{
    for (size_t i = 0; i < sum->nextensions; i++) {
        const char *ext = sum->extensions[i];
        PGresult *res =
            query1(im->conn,
                   "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = $1), "
                   "EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1), "
                   "EXISTS (SELECT 1 FROM pg_catalog.pg_available_extension_versions "
                   "        WHERE name = $1 AND (trusted OR NOT superuser))",
                   ext, err);
        if (!res)
            return -1;
        bool installed = PQgetvalue(res, 0, 0)[0] == 't';
        bool available = PQgetvalue(res, 0, 1)[0] == 't';
        bool trusted = PQgetvalue(res, 0, 2)[0] == 't';
        PQclear(res);
        if (installed || (available && (trusted || im->superuser)))
            continue;
        if (!available)
            sb_printf(err, _("the target server lacks the extension '%s' the dump uses."), ext);
        else
            sb_printf(err,
                      _("the extension '%s' the dump uses is not created in database %s, "
                        "and only a superuser may create it."),
                      ext, im->db);
        explain_missing(sum, ext, available, err);
        if (available)
            sb_printf(err,
                      _(" Run prepare-db first (it creates the dump's extensions), or "
                        "CREATE EXTENSION \"%s\" there as a superuser."),
                      ext);
        return -1;
    }
    return 0;
}

static int create_extension(struct importer *im, const struct stmt_info *info, struct strbuf *err)
{
    if (!info->if_not_exists || im->superuser)
        return 0;
    PGresult *res = query1(im->conn, "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = $1",
                           info->name, err);
    if (!res)
        return -1;
    bool there = PQntuples(res) == 1;
    PQclear(res);
    if (!there)
        return 0; /* trusted: the owner creates it (import_check_extensions said so) */
    report_msg(im->rep, REC_MESSAGE,
               _("line %llu: extension %s exists already (prepare-db created it): CREATE "
                 "EXTENSION IF NOT EXISTS changes nothing, skipped"),
               (unsigned long long)im->w.lx.first_line, info->name);
    return 1;
}

static int comment_extension(struct importer *im, const struct stmt_info *info, struct strbuf *err)
{
    PGresult *res = query1(im->conn,
                           "SELECT pg_catalog.obj_description(oid, 'pg_extension'), "
                           "pg_catalog.pg_has_role(extowner, 'USAGE'), pg_catalog.pg_get_userbyid(extowner) "
                           "FROM pg_catalog.pg_extension WHERE extname = $1",
                           info->name, err);
    if (!res)
        return -1;
    if (PQntuples(res) != 1 || PQgetvalue(res, 0, 1)[0] == 't') {
        PQclear(res);
        return 0; /* ours to comment on (or missing: the server says so) */
    }
    bool same = info->comment_ok && !PQgetisnull(res, 0, 0) &&
                strcmp(PQgetvalue(res, 0, 0), info->comment) == 0;
    if (same)
        report_msg(im->rep, REC_MESSAGE,
                   _("line %llu: COMMENT ON EXTENSION %s skipped: the extension belongs to %s "
                     "and already has this comment"),
                   (unsigned long long)im->w.lx.first_line, info->name, PQgetvalue(res, 0, 2));
    else
        report_msg(im->rep, REC_WARNING,
                   _("line %llu: COMMENT ON EXTENSION %s skipped: only its owner %s may change "
                     "the comment, which stays as the installed extension has it"),
                   (unsigned long long)im->w.lx.first_line, info->name, PQgetvalue(res, 0, 2));
    PQclear(res);
    return 1;
}

/* pg_dump --clean drops each extension before creating it again; one another role owns
 * (prepare-db's) stays, and the CREATE EXTENSION IF NOT EXISTS after it finds it. */
static int drop_extension(struct importer *im, const struct stmt_info *info, struct strbuf *err)
{
    PGresult *res =
        query1(im->conn,
               "SELECT pg_catalog.pg_has_role(extowner, 'USAGE'), pg_catalog.pg_get_userbyid(extowner) "
               "FROM pg_catalog.pg_extension WHERE extname = $1",
               info->name, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] != 't') {
        report_msg(im->rep, REC_MESSAGE,
                   _("line %llu: DROP EXTENSION %s skipped: it belongs to %s (prepare-db created "
                     "it), and the dump creates it again"),
                   (unsigned long long)im->w.lx.first_line, info->name, PQgetvalue(res, 0, 1));
        rc = 1;
    }
    PQclear(res);
    return rc;
}

int import_extension_stmt(struct importer *im, const struct stmt_info *info, struct strbuf *err)
{
    if (info->cls == STMT_CREATE_EXTENSION)
        return create_extension(im, info, err);
    if (info->cls == STMT_DROP_EXTENSION)
        return drop_extension(im, info, err);
    return comment_extension(im, info, err);
}
