/* Stage "dump": pg_dump of the Immich database out of its container into backup_dir.
 * Sets the artifact dump_file. A dump chosen by the user (an existing file, one of Immich's
 * automatic backups) is set as that artifact by the wizard, and the stage is then done. */
#include "stages/stage.h"
#include "db/dump.h"
#include "sys/safe_dir.h"

#include <stdlib.h>
#include <unistd.h>

static void dump_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    struct argv_builder a = {0};
    db_size_argv(ctx->plan, &a);
    argv_format(argv_get(&a), out);
    sb_append_char(out, '\n');
    argv_free(&a);
    db_dump_argv(ctx->plan, &a);
    argv_format(argv_get(&a), out);
    char *path = stage_output_name(ctx, ART_dump_file, db_dump_default_path(ctx->plan, true));
    sb_printf(out, " | zstd > %s\n", path);
    free(path);
    argv_free(&a);
}

static bool dump_is_done(const struct stage_ctx *ctx)
{
    char *f = artifact_dump_file(ctx);
    bool done = f && *f && access(f, R_OK) == 0;
    free(f);
    return done;
}

static int dump_name_outputs(struct stage_ctx *ctx, struct strbuf *err)
{
    char *path = stage_claim_output(ctx, ART_dump_file, db_dump_default_path(ctx->plan, true), err);
    free(path);
    return path ? 0 : -1;
}

static enum stage_result dump_run(struct stage_ctx *ctx, struct strbuf *err)
{
    if (safe_dir_make("backup_dir", plan_get(ctx->plan, PLAN_backup_dir), err) != 0)
        return STAGE_FAILED;
    char *path = stage_claim_output(ctx, ART_dump_file, db_dump_default_path(ctx->plan, true), err);
    if (!path)
        return STAGE_FAILED;
    int rc;
    /* The dump gets its final name only after pg_dump succeeded and its end was checked, so
     * a file there is a complete dump made by the interrupted run. */
    if (access(path, F_OK) == 0) {
        report_msg(ctx->rep, REC_MESSAGE, _("%s was completed before the interruption; using it"),
                   path);
        rc = 0;
    } else {
        rc = db_dump_run(ctx->plan, path, ctx->rep, err);
    }
    if (rc == 0)
        stage_commit_output(ctx, ART_dump_file, path);
    free(path);
    if (rc != 0)
        return report_cancelled(ctx->rep) ? STAGE_CANCELLED : STAGE_FAILED;
    return STAGE_OK;
}

const struct stage stage_dump = {
    .id = "dump",
    .title = N_("Dump database"),
    .describe = N_("Dumps the Immich database from the Docker container with pg_dump."),
    .changes = N_("writes the database dump into backup_dir"),
    .effect = N_(
        "Writes a dump of the database {db_database_name} into {backup_dir}; the database itself is only read."),
    .requires = GATE_CHECKS,
    .preview = dump_preview,
    .name_outputs = dump_name_outputs,
    .is_done = dump_is_done,
    .run = dump_run,
};
