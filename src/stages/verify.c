/* Stage "verify": prove the migrated Immich has every file its database names. */
#include "stages/stage.h"
#include "discover/paths.h"
#include "discover/verify.h"
#include "redact.h"

#include <inttypes.h>
#include <stdlib.h>

static void verify_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    struct strbuf dsn = {0};
    redact_secrets(plan_get(ctx->plan, PLAN_target_dsn), &dsn);
    sb_printf(out,
              _("connect to \"%s\" dbname=%s: list every file path; check each exists and "
                "belongs to %s\n"),
              sb_str(&dsn), plan_get(ctx->plan, PLAN_target_db_name),
              plan_get(ctx->plan, PLAN_media_owner));
    sb_free(&dsn);
    sb_printf(out, _("check %s/{library,upload,thumbs,encoded-video,profile,backups}/.immich\n"),
              plan_get(ctx->plan, PLAN_target_location));
    char *since = artifact_immich_started_at(ctx);
    sb_printf(out, "%s -u immich-server.service --since %s -o cat --no-pager\n",
              plan_get(ctx->plan, PLAN_journalctl_command), since ? since : "START");
    free(since);
}

static enum stage_result verify_run(struct stage_ctx *ctx, struct strbuf *err)
{
    char *dangling = artifact_dangling_paths_file(ctx);
    if (!dangling && ctx->state_dir)
        dangling = xasprintf("%s/%s", ctx->state_dir, DANGLING_FILE_NAME);
    char *since = artifact_immich_started_at(ctx);
    struct verify_result res;
    int rc = verify_all(ctx->plan, dangling, since, ctx->rep, &res, err);
    free(dangling);
    free(since);
    if (rc < 0)
        return STAGE_FAILED;
    artifact_set_verify_result(ctx, &res);
    if (rc > 0) {
        sb_printf(err,
                  _("%" PRIu64 " files missing, %" PRIu64 " with a wrong owner, %d markers "
                    "missing, %d journal errors"),
                  res.missing, res.wrong_owner, res.markers_missing, res.journal_errors);
        return STAGE_FAILED;
    }
    return STAGE_OK;
}

const struct stage stage_verify = {
    .id = "verify",
    .title = N_("Verify"),
    .describe = N_("Checks that every file the database names exists and belongs to Immich."),
    .preview = verify_preview,
    .run = verify_run,
    .survives_hangup = true,
    .repeatable = stage_always_repeatable,
};
