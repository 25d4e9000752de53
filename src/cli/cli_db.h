/* Small helpers shared by the dump, fixup and prepare-db subcommands. */
#ifndef IM_DB_DBCMD_H
#define IM_DB_DBCMD_H

#include "common.h"
#include "plan.h"
#include "db/fixup.h"

/* Loads the plan from path (NULL: defaults only). On error prints "immich-migrate CMD: ..."
 * and returns -1. */
int dbcmd_load_plan(struct plan *p, const char *cmd, const char *path);
void dbcmd_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The fix-up options a plan implies: the upload mount's container paths and the relative
 * "upload" prefix -> target_location, db_username -> target_db_owner, MediaLocation. */
int dbcmd_fixup_defaults(const struct plan *p, struct fixup_options *o, struct strbuf *err);

#endif
