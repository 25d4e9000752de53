/* The fix-up options a plan implies. */
#ifndef IM_DB_FIXUP_PLAN_H
#define IM_DB_FIXUP_PLAN_H

#include "common.h"
#include "plan.h"
#include "db/fixup.h"

/* Adds to o what the plan implies: the upload mount's container paths and the relative
 * "upload" prefix -> target_location, db_username -> target_db_owner, MediaLocation.
 * Returns 0, or -1 with err set. o keeps pointers into p. */
int fixup_plan_defaults(const struct plan *p, struct fixup_options *o, struct strbuf *err);

#endif
