/* How long Immich was down, from the migration's log: from the end of the stage that stops
 * Docker to the end of the one that starts Immich on NixOS. One function, so that the finish
 * screen, the batch summary and the report always give the same figure. */
#ifndef IM_DOWNTIME_H
#define IM_DOWNTIME_H

#include "mlog.h"

/* When the stage's last finished attempt ended (the time of its closing record), or -1. */
int64_t stage_finished_at(const struct mlog_entries *log, const char *stage_id);

/* The seconds Immich was down, or -1 when the log does not show both ends (not that far yet). */
double migration_downtime(const struct mlog_entries *log);

/* The same, read from the log in state_dir; -1 when there is none or it cannot be read. */
double migration_downtime_in(const char *state_dir);

#endif
