#include "pg/connect.h"
#include "redact.h"

#include <stdlib.h>
#include <string.h>

PGconn *pg_connect_db(const char *dsn, const char *dbname, const char *default_dbname,
                      const char *app_name, struct strbuf *err)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &perr);
    if (!opts) {
        struct strbuf msg = {0};
        sb_printf(&msg, _("not a valid connection string: %s"), perr ? perr : _("out of memory"));
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
    bool have_db = false, have_app = false;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "dbname") == 0) {
            if (dbname)
                continue;
            have_db = true;
        }
        have_app |= strcmp(o->keyword, "application_name") == 0;
        keys[k] = o->keyword;
        vals[k++] = o->val;
    }
    if (dbname || (!have_db && default_dbname)) {
        keys[k] = "dbname";
        vals[k++] = dbname ? dbname : default_dbname;
    }
    if (!have_app && app_name) {
        keys[k] = "application_name";
        vals[k++] = app_name;
    }
    PGconn *conn = PQconnectdbParams(keys, vals, 0);
    free(keys);
    free(vals);
    PQconninfoFree(opts);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        char *msg = redact_dup(conn ? PQerrorMessage(conn) : _("out of memory"));
        size_t len = strlen(msg);
        while (len && msg[len - 1] == '\n')
            msg[--len] = '\0';
        sb_append(err, msg);
        free(msg);
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

static void append_conninfo_value(struct strbuf *sb, const char *key, const char *val)
{
    sb_printf(sb, "%s%s='", sb->len ? " " : "", key);
    for (const char *p = val; *p; p++) {
        if (*p == '\'' || *p == '\\')
            sb_append_char(sb, '\\');
        sb_append_char(sb, *p);
    }
    sb_append_char(sb, '\'');
}

char *pg_dsn_for_role(const char *dsn, const char *user, const char *dbname)
{
    PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
    if (!opts)
        return NULL;
    struct strbuf sb = {0};
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || strcmp(o->keyword, "user") == 0 || strcmp(o->keyword, "password") == 0 ||
            strcmp(o->keyword, "dbname") == 0)
            continue;
        append_conninfo_value(&sb, o->keyword, o->val);
    }
    PQconninfoFree(opts);
    append_conninfo_value(&sb, "user", user);
    append_conninfo_value(&sb, "dbname", dbname);
    return sb_detach(&sb);
}
