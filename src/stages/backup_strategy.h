/* The library_backup strategy (files/select.h) as the backup stages see it: the plan's, and
 * the one the backup stage recorded (artifact backup_strategy) when it ran. */
#ifndef IM_STAGES_BACKUP_STRATEGY_H
#define IM_STAGES_BACKUP_STRATEGY_H

#include "files/select.h"
#include "stages/stage.h"

/* The plan's library_backup. */
enum backup_strategy stage_backup_planned(const struct stage_ctx *ctx);
/* Did the backup stage follow the plan's library_backup? A journal without the artifact
 * (written before the key existed) recorded an archive of everything. */
bool stage_backup_follows_plan(const struct stage_ctx *ctx);

#endif
