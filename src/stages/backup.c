/* Stage "backup": the library (upload_location) as a zstd-compressed pax tar in backup_dir,
 * with a manifest beside it. Sets the artifact backup_archive. */
#include "stages/stage.h"
#include "files/backup.h"
#include "sys/safe_dir.h"
#include "sys/spawn.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char *archive_name(const struct stage_ctx *ctx)
{
    time_t now = (time_t)now_wall();
    struct tm tm;
    char stamp[32];
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    return xasprintf("%s/immich-library-%s.tar.zst", plan_get(ctx->plan, PLAN_backup_dir), stamp);
}

static void backup_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    char *archive = archive_name(ctx);
    const char *argv[] = {"immich-migrate", "backup", plan_get(ctx->plan, PLAN_upload_location),
                          archive, NULL};
    argv_format(argv, out);
    sb_append_char(out, '\n');
    free(archive);
}

static bool backup_is_done(const struct stage_ctx *ctx)
{
    char *archive = artifact_backup_archive(ctx);
    bool done = archive && *archive && access(archive, F_OK) == 0;
    free(archive);
    return done;
}

static enum stage_result backup_run(struct stage_ctx *ctx, struct strbuf *err)
{
    if (safe_dir_make("backup_dir", plan_get(ctx->plan, PLAN_backup_dir), err) != 0)
        return STAGE_FAILED;
    char *archive = stage_claim_output(ctx, ART_backup_archive, archive_name(ctx), err);
    if (!archive)
        return STAGE_FAILED;
    enum files_result r;
    /* The archive is renamed into place only when complete, flushed and its manifest written,
     * so one there was finished by the interrupted run; verify-backup still checks it. */
    if (access(archive, F_OK) == 0) {
        report_msg(ctx->rep, REC_MESSAGE, _("%s was completed before the interruption; using it"),
                   archive);
        r = FILES_OK;
    } else {
        struct backup_options o;
        backup_options_init(&o);
        r = backup_library(plan_get(ctx->plan, PLAN_upload_location), archive, &o, ctx->rep, err);
    }
    if (r == FILES_OK) {
        stage_commit_output(ctx, ART_backup_archive, archive);
        artifact_set_backup_verified(ctx, false);
    }
    free(archive);
    return r == FILES_OK ? STAGE_OK : r == FILES_CANCELLED ? STAGE_CANCELLED : STAGE_FAILED;
}

const struct stage stage_backup = {
    .id = "backup",
    .title = N_("Back up library"),
    .describe = N_("Writes a zstd-compressed tar archive of the whole library."),
    .changes = N_("writes the library archive into backup_dir"),
    .requires = GATE_CHECKS,
    .provides = GATE_BACKUP,
    .preview = backup_preview,
    .is_done = backup_is_done,
    .run = backup_run,
};
