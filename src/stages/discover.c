/* Stage "discover": find the Docker installation and the NixOS target, run the pre-flight
 * checks; any failed check stops the migration before anything changes. */
#include "stages/stage.h"
#include "journal.h"
#include "discover/docker.h"
#include "discover/paths.h"
#include "discover/preflight.h"
#include "discover/systemd.h"
#include "redact.h"
#include "sys/spawn.h"

#include <stdlib.h>

static void preview_argv(struct argv_builder *a, struct strbuf *out)
{
    argv_format(argv_get(a), out);
    sb_append_char(out, '\n');
    argv_free(a);
}

/* The preview shows the checks' results too: discovery only reads, so it may run here (on a
 * copy of the plan; the dangling-paths file is not written). */
static void preview_checks(const struct stage_ctx *ctx, struct strbuf *out)
{
    struct plan copy;
    plan_copy(&copy, ctx->plan);
    struct discovery d = {0};
    struct check_list checks = {0};
    preflight_run(&copy, ctx->state_dir, false, NULL, &d, &checks);
    sb_append(out, _("\nPre-flight checks now:\n"));
    checks_format(&checks, out);
    if (d.estimate.valid) {
        sb_append(out, _("\nEstimated time of each step (a preview measures the read rate only):\n"));
        estimate_format(&d.estimate, out);
    }
    check_list_free(&checks);
    discovery_free(&d);
    plan_free(&copy);
}

static void discover_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    const struct plan *p = ctx->plan;
    const enum plan_key containers[] = {PLAN_server_container, PLAN_ml_container, PLAN_db_container};
    for (size_t i = 0; i < ARRAY_LEN(containers); i++) {
        struct argv_builder a = {0};
        docker_argv(p, &a);
        argv_add(&a, "inspect");
        argv_add(&a, plan_get(p, containers[i]));
        preview_argv(&a, out);
    }
    sb_printf(out, _("read %s/.env\n"),
              *plan_get(p, PLAN_compose_dir) ? plan_get(p, PLAN_compose_dir) : _("COMPOSE_DIR"));
    const char *queries[] = {"select extname from pg_extension order by 1",
                             "select pg_database_size(current_database())", path_columns_query()};
    for (size_t i = 0; i < ARRAY_LEN(queries); i++) {
        struct argv_builder a = {0};
        docker_psql_argv(p, queries[i], false, &a);
        preview_argv(&a, out);
    }
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(p, PLAN_systemctl_command));
    argv_add(&a, "show");
    argv_add(&a, UNIT_SERVER);
    argv_add(&a, "-p");
    argv_add(&a, "LoadState,ActiveState,Environment,ExecStart");
    preview_argv(&a, out);
    struct strbuf dsn = {0};
    redact_secrets(plan_get(p, PLAN_target_dsn), &dsn);
    sb_printf(out, _("connect to \"%s\": select name from pg_available_extensions\n"), sb_str(&dsn));
    sb_free(&dsn);
    preview_checks(ctx, out);
}

static void set_artifacts(struct stage_ctx *ctx, const struct discovery *d)
{
    if (d->upload_dest)
        artifact_set_upload_mount(ctx, d->upload_dest);
    artifact_set_external_mounts(ctx, &d->external_mounts);
    if (d->source_version)
        artifact_set_source_version(ctx, d->source_version);
    char *ext = list_to_commas(d->src_extensions);
    artifact_set_source_extensions(ctx, ext);
    free(ext);
    artifact_set_source_vector_extension(ctx, discover_vector_extension(d));
    if (ctx->state_dir) {
        char *path = xasprintf("%s/%s", ctx->state_dir, DANGLING_FILE_NAME);
        artifact_set_dangling_paths_file(ctx, path);
        free(path);
    }
}

static enum stage_result discover_run(struct stage_ctx *ctx, struct strbuf *err)
{
    struct discovery d = {0};
    struct check_list checks = {0};
    int failed = preflight_run(ctx->plan, ctx->state_dir, true, ctx->rep, &d, &checks);
    checks_report(&checks, ctx->rep);
    set_artifacts(ctx, &d);
    check_list_free(&checks);
    discovery_free(&d);
    if (report_cancelled(ctx->rep))
        return STAGE_CANCELLED;
    if (failed) {
        sb_printf(err,
                  ngettext("%d pre-flight check failed; nothing was changed",
                           "%d pre-flight checks failed; nothing was changed", failed),
                  failed);
        return STAGE_FAILED;
    }
    return STAGE_OK;
}

/* The checks may run again (after a setting was changed) until Docker was stopped: from then
 * on they would find the containers stopped by us, and the journal's "done" is what counts. */
static bool discover_repeatable(const struct stage_ctx *ctx)
{
    const struct stage *stop = stage_stopping_source();
    return !ctx->journal || !stop || journal_status(ctx->journal, stop->id) == ST_PENDING;
}

const struct stage stage_discover = {
    .id = "discover",
    .title = N_("Discover & check"),
    .describe = N_(
        "Finds the Docker installation and the NixOS target and checks that the migration can work."),
    .provides = GATE_CHECKS,
    .preview = discover_preview,
    .run = discover_run,
    .repeatable = discover_repeatable,
};
