#include "discover/target_pg.h"
#include "pg/connect.h"

#include <stdlib.h>
#include <string.h>

PGconn *target_connect(const struct plan *p, const char *dbname, struct strbuf *err)
{
    struct strbuf why = {0};
    PGconn *conn =
        pg_connect_db(plan_get(p, PLAN_target_dsn), dbname, "postgres", "immich-migrate", &why);
    if (!conn)
        sb_printf(err, _("cannot connect to the NixOS PostgreSQL: %s"), sb_str(&why));
    sb_free(&why);
    return conn;
}
