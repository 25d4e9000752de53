/* Small helpers shared by the dump, fixup and prepare-db subcommands. */
#ifndef IM_CLI_CLI_DB_H
#define IM_CLI_CLI_DB_H

#include "common.h"
#include "plan.h"

/* Loads the plan from path (NULL: defaults only). On error prints "immich-migrate CMD: ..."
 * and returns -1. */
int cli_db_load_plan(struct plan *p, const char *cmd, const char *path);
void cli_db_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
