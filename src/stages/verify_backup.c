/* Stage "verify_backup": reads the backup archive back and compares it with the library.
 * Sets backup_verified; the backup gate (stage.h) holds only with it. */
#include "stages/stage.h"
#include "files/verify.h"
#include "sys/spawn.h"

#include <stdlib.h>

static void verify_backup_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    char *archive = artifact_backup_archive(ctx);
    const char *argv[] = {"immich-migrate", "verify-backup",
                          archive ? archive : _("(the archive of the backup stage)"),
                          plan_get(ctx->plan, PLAN_upload_location), NULL};
    argv_format(argv, out);
    sb_append_char(out, '\n');
    free(archive);
}

static bool verify_backup_is_done(const struct stage_ctx *ctx)
{
    return artifact_backup_verified(ctx);
}

static enum stage_result verify_backup_run(struct stage_ctx *ctx, struct strbuf *err)
{
    char *archive = artifact_backup_archive(ctx);
    if (!archive || !*archive) {
        free(archive);
        sb_append(err, _("there is no backup archive yet: run the backup stage first"));
        return STAGE_FAILED;
    }
    struct verify_counts n;
    enum files_result r =
        verify_backup(archive, plan_get(ctx->plan, PLAN_upload_location), ctx->rep, &n, err);
    free(archive);
    if (r == FILES_OK)
        artifact_set_backup_verified(ctx, true);
    return r == FILES_OK ? STAGE_OK : r == FILES_CANCELLED ? STAGE_CANCELLED : STAGE_FAILED;
}

const struct stage stage_verify_backup = {
    .id = "verify_backup",
    .title = N_("Verify backup"),
    .describe = N_("Reads the archive back and compares every entry with the library."),
    .provides = GATE_BACKUP,
    .preview = verify_backup_preview,
    .is_done = verify_backup_is_done,
    .run = verify_backup_run,
};
