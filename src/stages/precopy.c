/* Stage "precopy": copies the library to target_location while Immich still runs (before
 * Stop Docker), keeping a copy record in the state directory, so that the copy stage after
 * the stop (the catch-up) copies only what changed meanwhile and the library's share of the
 * downtime is minutes. It writes only target_location, so it needs only the checks (which
 * judge the target path and its free space), not the backup. */
#include "stages/stage.h"
#include "stages/backup_strategy.h"
#include "stages/library_copy.h"
#include "files/backup.h"
#include "files/copy.h"
#include "files/verify.h"
#include "sys/safe_dir.h"
#include "sys/spawn.h"

#include <stdlib.h>
#include <unistd.h>

char *stage_copy_record(const struct stage_ctx *ctx)
{
    char *path = artifact_copy_record(ctx);
    if (!path && ctx->state_dir)
        path = xasprintf("%s/%s", ctx->state_dir, COPY_RECORD_NAME);
    return path;
}

void stage_copy_preview(const struct stage_ctx *ctx, bool live, struct strbuf *out)
{
    char *record = stage_copy_record(ctx);
    const char *argv[12];
    size_t n = 0;
    argv[n++] = "immich-migrate";
    argv[n++] = "copy";
    if (record) {
        argv[n++] = "--record";
        argv[n++] = record;
    }
    if (live)
        argv[n++] = "--live";
    char *base = live && stage_base_planned(ctx)
                     ? stage_output_name(ctx, ART_base_archive, stage_base_fresh_name(ctx))
                     : NULL;
    if (base) {
        argv[n++] = "--archive";
        argv[n++] = base;
        if (stage_backup_planned(ctx) == BACKUP_ORIGINALS)
            argv[n++] = "--originals";
    }
    argv[n++] = plan_get(ctx->plan, PLAN_upload_location);
    argv[n++] = plan_get(ctx->plan, PLAN_target_location);
    argv[n] = NULL;
    argv_format(argv, out);
    sb_append_char(out, '\n');
    if (base) {
        const char *verify[] = {"immich-migrate", "verify-backup", base, NULL};
        argv_format(verify, out);
        sb_append_char(out, '\n');
    }
    free(base);
    free(record);
}

static void precopy_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    stage_copy_preview(ctx, true, out);
}

static bool precopy_is_done(const struct stage_ctx *ctx)
{
    return artifact_library_precopied(ctx);
}

static int precopy_name_outputs(struct stage_ctx *ctx, struct strbuf *err)
{
    if (!stage_base_planned(ctx))
        return 0;
    char *base = stage_claim_output(ctx, ART_base_archive, stage_base_fresh_name(ctx), err);
    free(base);
    return base ? 0 : -1;
}

/* The base archive, once the copy wrote it (or an interrupted run completed it): read back
 * against its manifest while Immich still runs, then recorded for the backup stage. */
static enum files_result finish_base(struct stage_ctx *ctx, const char *base, struct strbuf *err)
{
    struct verify_counts n;
    enum files_result r = verify_backup_manifest(base, ctx->rep, &n, err);
    if (r == FILES_FAILED) {
        /* Archives are never overwritten: forget the name, so that the next run writes a new
         * base beside this one instead of failing on it for ever. */
        artifact_set_pending(ctx, ART_base_archive, "");
        sb_printf(err, _("; %s is left as it is and the next run writes a new base archive"), base);
    }
    if (r != FILES_OK)
        return r;
    stage_commit_output(ctx, ART_base_archive, base);
    artifact_set_base_strategy(ctx, backup_strategy_name(stage_backup_planned(ctx)));
    artifact_set_base_verified(ctx, true);
    return FILES_OK;
}

static enum stage_result precopy_run(struct stage_ctx *ctx, struct strbuf *err)
{
    char *record = stage_copy_record(ctx);
    if (!record) {
        sb_printf(err, _("the pre-copy needs a state directory for its record"));
        return STAGE_FAILED;
    }
    /* verify with live: each copy is read back from the disk against its hash while Immich
     * still runs, so the catch-up reads only what changed */
    struct copy_options o = {.verify = true, .space_check = true, .record = record, .live = true};
    char *base = NULL;
    artifact_set_base_verified(ctx, false);
    if (stage_base_planned(ctx)) {
        if (safe_dir_make("backup_dir", plan_get(ctx->plan, PLAN_backup_dir), err) != 0 ||
            !(base = stage_claim_output(ctx, ART_base_archive, stage_base_fresh_name(ctx), err))) {
            free(record);
            return STAGE_FAILED;
        }
        struct backup_options b;
        backup_options_init(&b);
        /* a base completed before an interruption is kept (archives are never overwritten) */
        o.archive = access(base, F_OK) == 0 ? NULL : base;
        o.archive_strategy = stage_backup_planned(ctx);
        o.archive_level = b.level;
        o.archive_threads = b.threads;
    }
    struct copy_stats stats;
    enum files_result r = copy_library(plan_get(ctx->plan, PLAN_upload_location),
                                       plan_get(ctx->plan, PLAN_target_location), &o, ctx->rep,
                                       &stats, err);
    if (r == FILES_OK && !stats.same_dir)
        artifact_set_copy_record(ctx, record);
    if (r == FILES_OK && base && !stats.same_dir)
        r = finish_base(ctx, base, err);
    if (r == FILES_OK)
        artifact_set_library_precopied(ctx, true);
    free(base);
    free(record);
    if (r == FILES_OK && stats.same_dir)
        return STAGE_SKIPPED;
    return r == FILES_OK ? STAGE_OK : r == FILES_CANCELLED ? STAGE_CANCELLED : STAGE_FAILED;
}

const struct stage stage_precopy = {
    .id = "precopy",
    .title = N_("Pre-copy library"),
    .describe = N_("Copies the library to the NixOS media location while Immich still runs, when "
                   "it differs; after the stop, the copy stage copies only what changed meanwhile."),
    .changes = N_("writes the library into target_location (Immich keeps running)"),
    .effect = N_("Copies the library from {upload_location} into {target_location} while Immich "
                 "keeps running, and records what it copied in the state directory; with "
                 "library_backup archive or originals it writes the backup archive into "
                 "{backup_dir} from the same read. The source is only read."),
    .survives_hangup = true,
    .requires = GATE_CHECKS,
    .preview = precopy_preview,
    .name_outputs = precopy_name_outputs,
    .is_done = precopy_is_done,
    .run = precopy_run,
};
