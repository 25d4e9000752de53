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
    sb_printf(out, _("connect to \"%s\" dbname=%s: list every file path; check each exists and "
                     "belongs to %s\n"),
              sb_str(&dsn), plan_get(ctx->plan, PLAN_target_db_name),
              plan_get(ctx->plan, PLAN_media_owner));
    sb_free(&dsn);
    sb_printf(out, _("check %s/{library,upload,thumbs,encoded-video,profile,backups}/.immich\n"),
              plan_get(ctx->plan, PLAN_target_location));
    sb_printf(out, "%s -u immich-server.service --since %s -o cat --no-pager\n",
              plan_get(ctx->plan, PLAN_journalctl_command),
              stage_artifact(ctx, "immich_started_at") ? stage_artifact(ctx, "immich_started_at")
                                                       : "START");
}

static void store_result(struct stage_ctx *ctx, const struct verify_result *res)
{
    char *v = xasprintf("assets=%" PRIu64 ";files=%" PRIu64 ";bytes=%" PRIu64 ";missing=%" PRIu64
                        ";dangling=%" PRIu64, res->assets, res->present, res->bytes,
                        res->missing, res->dangling);
    stage_set_artifact(ctx, "verify_result", v);
    free(v);
}

static enum stage_result verify_run(struct stage_ctx *ctx, struct strbuf *err)
{
    const char *dangling = stage_artifact(ctx, "dangling_paths_file");
    char *fallback = NULL;
    if (!dangling && ctx->state_dir)
        dangling = fallback = xasprintf("%s/%s", ctx->state_dir, DANGLING_FILE_NAME);
    struct verify_result res;
    int rc = verify_all(ctx->plan, dangling, stage_artifact(ctx, "immich_started_at"), ctx->rep,
                        &res, err);
    free(fallback);
    if (rc < 0)
        return STAGE_FAILED;
    store_result(ctx, &res);
    if (rc > 0) {
        sb_printf(err, _("%" PRIu64 " files missing, %" PRIu64 " with a wrong owner, %d markers "
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
    .repeatable = stage_always_repeatable,
};
