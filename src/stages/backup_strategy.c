#include "stages/backup_strategy.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

bool stage_base_planned(const struct stage_ctx *ctx)
{
    const char *dir = plan_get(ctx->plan, PLAN_backup_dir);
    const char *up = plan_get(ctx->plan, PLAN_upload_location);
    const char *tg = plan_get(ctx->plan, PLAN_target_location);
    if (stage_backup_planned(ctx) == BACKUP_NONE || !dir || !*dir || !up || !tg)
        return false;
    struct stat a, b;
    if (stat(up, &a) == 0 && stat(tg, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return false; /* in place: the pre-copy reads nothing */
    return strcmp(up, tg) != 0;
}

char *stage_archive_name(const struct stage_ctx *ctx, const char *kind)
{
    time_t now = (time_t)now_wall();
    struct tm tm;
    char stamp[32];
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const char *prefix =
        stage_backup_planned(ctx) == BACKUP_ORIGINALS ? "immich-originals-" : "immich-library-";
    return xasprintf("%s/%s%s%s.tar.zst", plan_get(ctx->plan, PLAN_backup_dir), prefix, kind, stamp);
}

char *stage_base_fresh_name(const struct stage_ctx *ctx)
{
    /* "base-" before the stamp: an output name is reused only by its kind, the name up to
     * its first digit (stages/outputs.c), so a base never stands for a full archive */
    return stage_archive_name(ctx, "base-");
}

char *stage_usable_base(const struct stage_ctx *ctx)
{
    char *base = artifact_base_archive(ctx), *strategy = artifact_base_strategy(ctx);
    char *record = base && *base ? xasprintf("%s.record", base) : NULL;
    bool ok = record && artifact_base_verified(ctx) && strategy &&
              backup_strategy_of(strategy) == stage_backup_planned(ctx) &&
              stage_backup_planned(ctx) != BACKUP_NONE && access(base, R_OK) == 0 &&
              access(record, R_OK) == 0;
    free(record);
    free(strategy);
    if (!ok) {
        free(base);
        return NULL;
    }
    return base;
}

char *stage_catchup_name(const char *base)
{
    static const char ext[] = ".tar.zst";
    size_t n = strlen(base), e = sizeof ext - 1;
    if (n > e && strcmp(base + n - e, ext) == 0)
        n -= e;
    return xasprintf("%.*s.catchup.tar.zst", (int)n, base);
}
