#include "stages/backup_strategy.h"

#include <stdlib.h>

enum backup_strategy stage_backup_planned(const struct stage_ctx *ctx)
{
    return backup_strategy_of(plan_get(ctx->plan, PLAN_library_backup));
}

bool stage_backup_follows_plan(const struct stage_ctx *ctx)
{
    char *recorded = artifact_backup_strategy(ctx);
    bool same = backup_strategy_of(recorded) == stage_backup_planned(ctx);
    free(recorded);
    return same;
}
