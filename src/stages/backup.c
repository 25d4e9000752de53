/* Stage "backup": the library (upload_location) as a zstd-compressed pax tar in backup_dir,
 * with a manifest beside it, as library_backup says: the whole library ("archive"), its
 * originals ("originals", files/select.h), or no archive at all ("none": the choice is
 * recorded, the gate holds by it). Sets the artifacts backup_archive and backup_strategy. */
#include "stages/stage.h"
#include "stages/backup_strategy.h"
#include "files/backup.h"
#include "sys/safe_dir.h"
#include "sys/spawn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The archive's name tells what it holds: immich-library-STAMP or immich-originals-STAMP;
 * after a base archive from the pre-copy, BASE.catchup.tar.zst. */
static char *archive_name(const struct stage_ctx *ctx)
{
    char *base = stage_usable_base(ctx);
    char *name = base ? stage_catchup_name(base) : stage_archive_name(ctx, "");
    free(base);
    return name;
}

static void backup_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    enum backup_strategy s = stage_backup_planned(ctx);
    if (s == BACKUP_NONE) {
        sb_printf(out, _("# library_backup = none: no archive is written\n"));
        return;
    }
    char *archive = stage_output_name(ctx, ART_backup_archive, archive_name(ctx));
    char *base = stage_usable_base(ctx);
    const char *argv[10];
    size_t n = 0;
    argv[n++] = "immich-migrate";
    argv[n++] = "backup";
    if (s == BACKUP_ORIGINALS)
        argv[n++] = "--originals";
    argv[n++] = plan_get(ctx->plan, PLAN_upload_location);
    argv[n++] = archive;
    if (base) { /* last: a narrow screen cuts the base's name, not the archive's */
        argv[n++] = "--base";
        argv[n++] = base;
    }
    argv[n] = NULL;
    argv_format(argv, out);
    sb_append_char(out, '\n');
    free(archive);
    free(base);
}

static bool backup_is_done(const struct stage_ctx *ctx)
{
    if (!stage_backup_follows_plan(ctx))
        return false; /* library_backup was changed since: back up again */
    if (stage_backup_planned(ctx) == BACKUP_NONE)
        return true;
    char *archive = artifact_backup_archive(ctx);
    bool done = archive && *archive && access(archive, F_OK) == 0;
    free(archive);
    return done;
}

/* library_backup = none: nothing is written; the choice is recorded (log, journal, report). */
static enum stage_result backup_none(struct stage_ctx *ctx)
{
    char up[4096], tg[4096];
    bool in_place = realpath(plan_get(ctx->plan, PLAN_upload_location), up) &&
                    realpath(plan_get(ctx->plan, PLAN_target_location), tg) && strcmp(up, tg) == 0;
    if (in_place)
        report_msg(ctx->rep, REC_MESSAGE,
                   _("library_backup = none: no archive of the library is written; it stays in "
                     "place and only its owners and modes change"));
    else
        report_msg(ctx->rep, REC_MESSAGE,
                   _("library_backup = none: no archive of the library is written; %s is never "
                     "written and stays the backup"),
                   plan_get(ctx->plan, PLAN_upload_location));
    artifact_set_backup_archive(ctx, "");
    artifact_set_backup_base(ctx, "");
    artifact_set_backup_verified(ctx, false);
    artifact_set_backup_strategy(ctx, backup_strategy_name(BACKUP_NONE));
    return STAGE_OK;
}

static int backup_name_outputs(struct stage_ctx *ctx, struct strbuf *err)
{
    if (stage_backup_planned(ctx) == BACKUP_NONE)
        return 0;
    char *archive = stage_claim_output(ctx, ART_backup_archive, archive_name(ctx), err);
    free(archive);
    return archive ? 0 : -1;
}

static enum stage_result backup_run(struct stage_ctx *ctx, struct strbuf *err)
{
    enum backup_strategy s = stage_backup_planned(ctx);
    if (s == BACKUP_NONE)
        return backup_none(ctx);
    if (safe_dir_make("backup_dir", plan_get(ctx->plan, PLAN_backup_dir), err) != 0)
        return STAGE_FAILED;
    char *archive = stage_claim_output(ctx, ART_backup_archive, archive_name(ctx), err);
    if (!archive)
        return STAGE_FAILED;
    /* the claimed name says whether this is the catch-up of the base (a name claimed before
     * the base was usable stays a full backup) */
    char *base = stage_usable_base(ctx), *record = NULL;
    if (base) {
        char *want = stage_catchup_name(base);
        if (strcmp(want, archive) != 0) {
            free(base);
            base = NULL;
        }
        free(want);
    }
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
        o.strategy = s;
        if (s == BACKUP_ORIGINALS)
            report_msg(ctx->rep, REC_MESSAGE,
                       _("library_backup = originals: the contents of thumbs/ and encoded-video/ "
                         "are left out (Immich regenerates them)"));
        if (base) {
            record = xasprintf("%s.record", base);
            o.since = record;
            o.base = base;
            report_msg(ctx->rep, REC_MESSAGE,
                       _("the pre-copy wrote and verified the base archive %s: only what changed "
                         "since goes into %s"),
                       base, archive);
        }
        r = backup_library(plan_get(ctx->plan, PLAN_upload_location), archive, &o, ctx->rep, err);
    }
    if (r == FILES_OK) {
        artifact_set_backup_base(ctx, base ? base : "");
        stage_commit_output(ctx, ART_backup_archive, archive);
        artifact_set_backup_verified(ctx, false);
        artifact_set_backup_strategy(ctx, backup_strategy_name(s));
    }
    free(archive);
    free(base);
    free(record);
    return r == FILES_OK ? STAGE_OK : r == FILES_CANCELLED ? STAGE_CANCELLED : STAGE_FAILED;
}

const struct stage stage_backup = {
    .id = "backup",
    .title = N_("Back up library"),
    .describe = N_("Writes a zstd-compressed tar archive of the library (library_backup: all of "
                   "it, its originals, or none)."),
    .changes = N_("writes the library archive into backup_dir"),
    .effect = N_(
        "Writes an archive of the library {upload_location} into {backup_dir} (library_backup = {library_backup}); the library is only read."),
    .requires = GATE_CHECKS,
    .provides = GATE_BACKUP,
    .preview = backup_preview,
    .name_outputs = backup_name_outputs,
    .is_done = backup_is_done,
    .run = backup_run,
    .survives_hangup = true,
};
