/* Connecting to the NixOS PostgreSQL named by the plan's target_dsn. */
#ifndef IM_TARGET_PG_H
#define IM_TARGET_PG_H

#include <libpq-fe.h>

#include "plan.h"

/* Connects with target_dsn; dbname overrides the DSN's database (NULL = the DSN's, or
 * "postgres" when the DSN names none). Returns NULL with a redacted message in err. */
PGconn *target_connect(const struct plan *p, const char *dbname, struct strbuf *err);

#endif
