/* Opening a libpq connection from a DSN with the database name replaced. */
#ifndef IM_PG_CONNECT_H
#define IM_PG_CONNECT_H

#include <libpq-fe.h>

#include "common.h"

/* Connects with dsn's settings, dbname instead of the DSN's own (when dbname is not NULL;
 * default_dbname when neither names one; NULL = libpq's default) and application_name
 * app_name unless the DSN sets one. On failure returns NULL and appends libpq's message,
 * passwords redacted, to err. */
PGconn *pg_connect_db(const char *dsn, const char *dbname, const char *default_dbname,
                      const char *app_name, struct strbuf *err);

/* dsn's connection settings (host, port, sslmode, …) for another role: user and dbname
 * replaced, the password dropped (it is the other role's). A malloc'd conninfo string, or NULL
 * when dsn does not parse. */
char *pg_dsn_for_role(const char *dsn, const char *user, const char *dbname);

#endif
