/* Stage "verify_backup": reads the backup archive back and compares it with the manifest the
 * backup wrote beside it while it read the library (files/verify.h): the library is not read
 * again. An archive without its manifest fails here; `verify-backup ARCHIVE SRC` can still
 * compare such an archive with the library by hand. Sets backup_verified; the backup gate
 * (stage.h) holds only with it, or by the recorded choice library_backup = none. */
#include "stages/stage.h"
#include "stages/backup_strategy.h"
#include "files/verify.h"
#include "sys/spawn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void verify_backup_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    enum backup_strategy s = stage_backup_planned(ctx);
    if (s == BACKUP_NONE) {
        sb_printf(out, _("# library_backup = none: there is no archive to verify\n"));
        return;
    }
    char *archive = artifact_backup_archive(ctx);
    const char *shown = archive && *archive ? archive : _("(the archive of the backup stage)");
    const char *argv[] = {"immich-migrate", "verify-backup", shown, NULL};
    argv_format(argv, out);
    sb_append_char(out, '\n');
    free(archive);
}

static bool verify_backup_is_done(const struct stage_ctx *ctx)
{
    if (!stage_backup_follows_plan(ctx))
        return false;
    return stage_backup_planned(ctx) == BACKUP_NONE || artifact_backup_verified(ctx);
}

/* A catch-up archive (artifact backup_base) is a backup only with its base: that one was
 * read back by the pre-copy (base_verified) and must still be there, as must the list of
 * removed paths beside the catch-up. 0, or -1 with err. */
static int check_base(struct stage_ctx *ctx, const char *archive, struct strbuf *err)
{
    char *base = artifact_backup_base(ctx);
    if (!base || !*base) {
        free(base);
        return 0;
    }
    char *current = artifact_base_archive(ctx), *removed = xasprintf("%s.removed", archive);
    int rc = 0;
    if (!current || strcmp(current, base) != 0 || !artifact_base_verified(ctx)) {
        sb_printf(err, _("the base archive %s of %s was not verified: run the pre-copy and the "
                         "backup again"),
                  base, archive);
        rc = -1;
    } else if (access(base, R_OK) != 0 || access(removed, R_OK) != 0) {
        sb_printf(err, _("%s: %s"), access(base, R_OK) != 0 ? base : removed, strerror(errno));
        rc = -1;
    } else {
        report_msg(ctx->rep, REC_MESSAGE,
                   _("the catch-up completes the base archive %s, verified by the pre-copy, "
                     "with the removed list beside it (restore order: --report)"),
                   base);
    }
    free(removed);
    free(current);
    free(base);
    return rc;
}

static enum stage_result verify_backup_run(struct stage_ctx *ctx, struct strbuf *err)
{
    if (stage_backup_planned(ctx) == BACKUP_NONE && stage_backup_follows_plan(ctx)) {
        report_msg(ctx->rep, REC_MESSAGE,
                   _("library_backup = none: there is no archive to verify; not needed"));
        return STAGE_OK;
    }
    if (!stage_backup_follows_plan(ctx)) {
        sb_append(err, _("library_backup was changed after the backup: run the backup stage again"));
        return STAGE_FAILED;
    }
    char *archive = artifact_backup_archive(ctx);
    if (!archive || !*archive) {
        free(archive);
        sb_append(err, _("there is no backup archive yet: run the backup stage first"));
        return STAGE_FAILED;
    }
    /* the base first: cheap, and a catch-up without its base is no backup to read */
    struct verify_counts n;
    enum files_result r = check_base(ctx, archive, err) != 0
                              ? FILES_FAILED
                              : verify_backup_manifest(archive, ctx->rep, &n, err);
    free(archive);
    if (r == FILES_OK)
        artifact_set_backup_verified(ctx, true);
    return r == FILES_OK ? STAGE_OK : r == FILES_CANCELLED ? STAGE_CANCELLED : STAGE_FAILED;
}

const struct stage stage_verify_backup = {
    .id = "verify_backup",
    .title = N_("Verify backup"),
    .describe = N_("Reads the archive back and compares every entry with the manifest written during the "
                  "backup; the library is not read again."),
    .provides = GATE_BACKUP,
    .preview = verify_backup_preview,
    .is_done = verify_backup_is_done,
    .run = verify_backup_run,
    .survives_hangup = true,
};
