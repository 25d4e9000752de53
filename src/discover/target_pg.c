#include "discover/target_pg.h"
#include "redact.h"

#include <stdlib.h>
#include <string.h>

PGconn *target_connect(const struct plan *p, const char *dbname, struct strbuf *err)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(plan_get(p, PLAN_target_dsn), &perr);
    if (!opts) {
        struct strbuf msg = {0};
        sb_printf(&msg, _("target_dsn is not a valid connection string: %s"),
                  perr ? perr : _("out of memory"));
        redact_secrets(sb_str(&msg), err);
        sb_free(&msg);
        PQfreemem(perr);
        return NULL;
    }
    size_t n = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        n++;
    const char **keys = xcalloc(n + 3, sizeof *keys);
    const char **vals = xcalloc(n + 3, sizeof *vals);
    size_t k = 0;
    bool have_db = false;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "dbname") == 0) {
            if (dbname)
                continue;
            have_db = true;
        }
        keys[k] = o->keyword;
        vals[k++] = o->val;
    }
    if (dbname || !have_db) {
        keys[k] = "dbname";
        vals[k++] = dbname ? dbname : "postgres";
    }
    keys[k] = "fallback_application_name";
    vals[k++] = "immich-migrate";
    PGconn *conn = PQconnectdbParams(keys, vals, 0);
    free(keys);
    free(vals);
    PQconninfoFree(opts);
    if (PQstatus(conn) != CONNECTION_OK) {
        struct strbuf msg = {0};
        sb_printf(&msg, _("cannot connect to the NixOS PostgreSQL: %s"), PQerrorMessage(conn));
        while (msg.len && msg.buf[msg.len - 1] == '\n')
            msg.buf[--msg.len] = '\0';
        redact_secrets(sb_str(&msg), err);
        sb_free(&msg);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}
