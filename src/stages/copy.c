/* Stage "copy": copies the library to target_location when it is another directory than
 * upload_location (the guide forgets this case). Runs only after a verified backup. After the
 * pre-copy it is the catch-up: following the copy record, it copies only the files that are
 * new or changed since (size, mtime, ctime), removes our own copies of entries gone from the
 * source, and then compares the whole copy with the source. */
#include "stages/stage.h"
#include "stages/library_copy.h"
#include "files/copy.h"

#include <stdlib.h>

static void copy_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    stage_copy_preview(ctx, false, out);
}

static bool copy_is_done(const struct stage_ctx *ctx)
{
    return artifact_library_copied(ctx);
}

static enum stage_result copy_run(struct stage_ctx *ctx, struct strbuf *err)
{
    char *record = stage_copy_record(ctx);
    struct copy_options o = {.verify = true, .space_check = true, .record = record};
    struct copy_stats stats;
    enum files_result r = copy_library(plan_get(ctx->plan, PLAN_upload_location),
                                       plan_get(ctx->plan, PLAN_target_location), &o, ctx->rep,
                                       &stats, err);
    free(record);
    if (r == FILES_OK)
        artifact_set_library_copied(ctx, true);
    if (r == FILES_OK && stats.same_dir)
        return STAGE_SKIPPED;
    return r == FILES_OK ? STAGE_OK : r == FILES_CANCELLED ? STAGE_CANCELLED : STAGE_FAILED;
}

const struct stage stage_copy = {
    .id = "copy",
    .title = N_("Copy library"),
    .describe = N_("Copies the library to the NixOS media location when it differs; after the "
                   "pre-copy, only what changed since, and compares the whole copy with the source."),
    .changes = N_("writes the library into target_location"),
    .effect = N_(
        "Copies the library {upload_location} into {target_location}, when the two differ; the source is only read."),
    .requires = GATE_CHECKS | GATE_BACKUP,
    .preview = copy_preview,
    .is_done = copy_is_done,
    .run = copy_run,
    .survives_hangup = true,
};
