/* Doing database work as another OS user (root -> postgres, like `sudo -u postgres psql`):
 * a forked child switches user and runs the work; its records, progress, confirmations and
 * the final error travel through pipes to the caller's reporter. */
#ifndef IM_DB_ASUSER_H
#define IM_DB_ASUSER_H

#include "common.h"
#include "report.h"

typedef int (*asuser_fn)(void *arg, const struct reporter *rep, struct strbuf *err);

/* True when we are root and the DSN reaches the server through a Unix socket, where peer
 * authentication lets only the postgres OS user in as postgres. */
bool asuser_needed(const char *dsn);

/* Runs fn(arg, rep', err') in a child process as user. Returns fn's result (0 success), or
 * -1 when the child could not be started or died; err gets the child's reason. */
int asuser_run(const char *user, asuser_fn fn, void *arg, const struct reporter *rep,
               struct strbuf *err);

#endif
