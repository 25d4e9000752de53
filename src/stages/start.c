/* Stage "start": start the NixOS units and wait until Immich answers its ping. */
#include "stages/stage.h"
#include "discover/http.h"
#include "discover/systemd.h"
#include "sys/spawn.h"

#include <inttypes.h>
#include <stdlib.h>

static void start_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(ctx->plan, PLAN_systemctl_command));
    argv_add(&a, "start");
    argv_add(&a, UNIT_SERVER);
    argv_add(&a, UNIT_ML);
    argv_format(argv_get(&a), out);
    sb_append_char(out, '\n');
    argv_free(&a);
    const char *units[] = {UNIT_SERVER, UNIT_ML};
    for (size_t i = 0; i < ARRAY_LEN(units); i++) {
        argv_add_words(&a, plan_get(ctx->plan, PLAN_systemctl_command));
        argv_add(&a, "is-active");
        argv_add(&a, units[i]);
        argv_format(argv_get(&a), out);
        sb_append_char(out, '\n');
        argv_free(&a);
    }
    sb_printf(out, "GET %s/api/server/ping\n", plan_get(ctx->plan, PLAN_immich_url));
}

/* Waits for both units to be active and the ping to answer. */
static enum stage_result wait_for_immich(struct stage_ctx *ctx, struct strbuf *err)
{
    const struct plan *p = ctx->plan;
    double timeout = wait_timeout(600), start = now_monotonic();
    struct strbuf last = {0};
    for (;;) {
        sb_reset(&last);
        bool active = systemd_is_active(p, UNIT_SERVER, NULL) && systemd_is_active(p, UNIT_ML, NULL);
        if (!active)
            sb_append(&last, _("the units are not active"));
        else if (immich_ping(plan_get(p, PLAN_immich_url), 5, &last)) {
            report_msg(ctx->rep, REC_MESSAGE, _("Immich answers at %s after %.0f s"),
                       plan_get(p, PLAN_immich_url), now_monotonic() - start);
            sb_free(&last);
            return STAGE_OK;
        }
        double waited = now_monotonic() - start;
        if (waited >= timeout) {
            sb_printf(err, _("Immich did not answer GET %s/api/server/ping within %.0f s (%s); "
                             "see journalctl -u %s"),
                      plan_get(p, PLAN_immich_url), timeout, sb_str(&last), UNIT_SERVER);
            sb_free(&last);
            return STAGE_FAILED;
        }
        report_progress(ctx->rep, "seconds", (uint64_t)waited, (uint64_t)timeout,
                        _("waiting for Immich to answer"));
        if (!sleep_cancellable(ctx->rep, 1)) {
            sb_free(&last);
            return STAGE_CANCELLED;
        }
    }
}

static enum stage_result start_run(struct stage_ctx *ctx, struct strbuf *err)
{
    if (ctx->dry_run) {
        struct strbuf text = {0};
        start_preview(ctx, &text);
        report_msg(ctx->rep, REC_MESSAGE, "%s", sb_str(&text));
        sb_free(&text);
        return STAGE_OK;
    }
    /* The journal is read from here on by verify (journalctl --since @EPOCH). */
    char *since = xasprintf("@%" PRId64, now_wall());
    stage_set_artifact(ctx, "immich_started_at", since);
    free(since);
    if (systemd_both(ctx->plan, "start", ctx->rep, err) < 0)
        return STAGE_FAILED;
    return wait_for_immich(ctx, err);
}

const struct stage stage_start = {
    .id = "start",
    .title = N_("Start Immich"),
    .describe = N_("Starts the NixOS units and waits until Immich answers."),
    .changes = N_("starts the NixOS Immich units"),
    .requires = GATE_CHECKS | GATE_NIXOS,
    .preview = start_preview,
    .run = start_run,
};
