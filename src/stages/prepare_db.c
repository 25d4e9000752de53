/* Stage "prepare_db": empties the NixOS database for the import, after checking that the
 * server has every extension the dump needs. Reads fixed_dump (else dump_file). */
#include "stages/stage.h"
#include "db/asuser.h"
#include "db/fixup.h"
#include "db/prepare.h"

#include <stdlib.h>

/* Caller frees. */
static char *dump_path(const struct stage_ctx *ctx)
{
    char *f = artifact_fixed_dump(ctx);
    if (f && *f)
        return f;
    free(f);
    return artifact_dump_file(ctx);
}

static void fill_request(const struct stage_ctx *ctx, const struct fixup_stats *st,
                         struct prepare_request *rq)
{
    *rq = (struct prepare_request){
        .dsn = plan_get(ctx->plan, PLAN_target_dsn),
        .dbname = plan_get(ctx->plan, PLAN_target_db_name),
        .owner = plan_get(ctx->plan, PLAN_target_db_owner),
        .extensions = st->extensions,
        .nextensions = st->nextensions,
        .dump_server_major = st->server_major,
        .assume_yes = ctx->assume_yes,
    };
}

static void prepare_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    struct fixup_stats st = {0};
    struct strbuf err = {0};
    char *dump = dump_path(ctx);
    if (dump && *dump)
        fixup_scan_file(dump, plan_get(ctx->plan, PLAN_db_database_name), &st, &err);
    free(dump);
    struct prepare_request rq;
    fill_request(ctx, &st, &rq);
    db_prepare_preview(&rq, out);
    fixup_stats_free(&st);
    sb_free(&err);
}

static int work(void *arg, const struct reporter *rep, struct strbuf *err)
{
    return db_prepare_run(arg, rep, err);
}

static enum stage_result prepare_run(struct stage_ctx *ctx, struct strbuf *err)
{
    char *dump = dump_path(ctx);
    if (!dump || !*dump) {
        free(dump);
        sb_append(err, _("no dump: the fix-up stage has not run"));
        return STAGE_FAILED;
    }
    struct fixup_stats st = {0};
    int scanned = fixup_scan_file(dump, plan_get(ctx->plan, PLAN_db_database_name), &st, err);
    free(dump);
    if (scanned < 0) {
        fixup_stats_free(&st);
        return STAGE_FAILED;
    }
    struct prepare_request rq;
    fill_request(ctx, &st, &rq);
    int rc = asuser_needed(rq.dsn) ? asuser_run("postgres", work, &rq, ctx->rep, err)
                                   : db_prepare_run(&rq, ctx->rep, err);
    fixup_stats_free(&st);
    return rc == 0 ? STAGE_OK : rc == 2 ? STAGE_CANCELLED : STAGE_FAILED;
}

const struct stage stage_prepare_db = {
    .id = "prepare_db",
    .title = N_("Prepare database"),
    .describe = N_("Drops and recreates the target schemas and creates the extensions the dump needs."),
    .destructive = true,
    .changes = N_("drops and recreates the target database's schemas"),
    .effect = N_(
        "Drops and recreates the schemas of the database {target_db_name} on {target_dsn}, with all their data, and creates the extensions the dump needs."),
    .asks = N_("Asks you to type the database name ({target_db_name}) before it drops anything."),
    .requires = GATE_CHECKS | GATE_BACKUP | GATE_NIXOS,
    .redo_after_unfinished_next =
        N_("the import did not finish: the database is prepared again before it"),
    .preview = prepare_preview,
    .run = prepare_run,
};
