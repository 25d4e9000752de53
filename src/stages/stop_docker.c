/* Stage "stop_docker": stop the Immich server and machine-learning containers so the library
 * and the database stay still. The database container keeps running (the dump needs it). */
#include "stages/stage.h"
#include "discover/docker.h"
#include "sys/spawn.h"

static void stop_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    const struct plan *p = ctx->plan;
    struct argv_builder a = {0};
    docker_argv(p, &a);
    argv_add(&a, "stop");
    argv_add(&a, plan_get(p, PLAN_server_container));
    argv_add(&a, plan_get(p, PLAN_ml_container));
    argv_format(argv_get(&a), out);
    sb_append_char(out, '\n');
    argv_free(&a);
    const enum plan_key keys[] = {PLAN_server_container, PLAN_ml_container};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        docker_argv(p, &a);
        argv_add(&a, "inspect");
        argv_add(&a, plan_get(p, keys[i]));
        argv_format(argv_get(&a), out);
        sb_append_char(out, '\n');
        argv_free(&a);
    }
}

static enum stage_result stop_run(struct stage_ctx *ctx, struct strbuf *err)
{
    return docker_stop_containers(ctx->plan, ctx->rep, err) == 0 ? STAGE_OK : STAGE_FAILED;
}

const struct stage stage_stop_docker = {
    .id = "stop_docker",
    .title = N_("Stop Docker"),
    .describe = N_(
        "Stops the Immich server and machine-learning containers; the database container keeps running."),
    .changes = N_("stops the Immich containers in Docker (the rollback starts them again)"),
    .effect = N_(
        "Stops the Docker containers {server_container} and {ml_container}; the database container {db_container} keeps running. The rollback starts them again."),
    .requires = GATE_CHECKS,
    .stops_source = true,
    .preview = stop_preview,
    .run = stop_run,
};
