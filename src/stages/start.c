/* Stage "start": start the NixOS units and wait until Immich answers its ping. */
#include "stages/stage.h"
#include "discover/discover.h"
#include "discover/http.h"
#include "discover/systemd.h"
#include "redact.h"
#include "sys/spawn.h"
#include "textesc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void preview_line(struct argv_builder *a, struct strbuf *out)
{
    argv_format(argv_get(a), out);
    sb_append_char(out, '\n');
    argv_free(a);
}

static void start_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(ctx->plan, PLAN_systemctl_command));
    argv_add(&a, "show");
    argv_add(&a, UNIT_SERVER);
    argv_add(&a, "-p");
    argv_add(&a, "Environment");
    preview_line(&a, out);
    argv_add_words(&a, plan_get(ctx->plan, PLAN_systemctl_command));
    argv_add(&a, "start");
    argv_add(&a, UNIT_SERVER);
    argv_add(&a, UNIT_ML);
    preview_line(&a, out);
    const char *units[] = {UNIT_SERVER, UNIT_ML};
    for (size_t i = 0; i < ARRAY_LEN(units); i++) {
        argv_add_words(&a, plan_get(ctx->plan, PLAN_systemctl_command));
        argv_add(&a, "show");
        argv_add(&a, units[i]);
        argv_add(&a, "-p");
        argv_add(&a, "ActiveState,SubState,NRestarts");
        preview_line(&a, out);
    }
    sb_printf(out, _("GET %s/api/server/ping (immich_url, or IMMICH_HOST/IMMICH_PORT of %s)\n"),
              plan_get(ctx->plan, PLAN_immich_url), UNIT_SERVER);
}

/* A unit whose NRestarts grew this much while we wait keeps failing (Restart= hides it). */
#define RESTARTS_GIVE_UP 3

/* Has the unit failed, or does it keep restarting? base: NRestarts when first seen (-1: not
 * yet). Fills why. */
static bool unit_gave_up(const char *unit, const struct unit_state *st, long *base, struct strbuf *why)
{
    if (strcmp(st->active, "failed") == 0) {
        sb_printf(why, _("%s has failed"), unit);
        return true;
    }
    if (st->restarts < 0)
        return false;
    if (*base < 0 || st->restarts < *base)
        *base = st->restarts;
    if (st->restarts - *base < RESTARTS_GIVE_UP)
        return false;
    sb_printf(why, _("%s keeps restarting (%ld restarts while waiting)"), unit, st->restarts - *base);
    return true;
}

/* The journalctl command for UNIT: the last lines (tail > 0) or all since the start. */
static void journal_argv(const struct stage_ctx *ctx, const char *unit, int tail,
                         struct argv_builder *a)
{
    argv_add_words(a, plan_get(ctx->plan, PLAN_journalctl_command));
    argv_add(a, "-u");
    argv_add(a, unit);
    char *since = artifact_immich_started_at(ctx);
    if (tail > 0) {
        argv_add(a, "-n");
        argv_addf(a, "%d", tail);
    } else if (since && *since) {
        argv_add(a, "--since");
        argv_add(a, since);
    }
    free(since);
    argv_add(a, "--no-pager");
}

/* Shows the failed unit's last journal lines (escaped: outside text) and says in err how
 * to read more. */
static void report_failed_unit(struct stage_ctx *ctx, const char *unit, const char *why,
                               struct strbuf *err)
{
    struct argv_builder a = {0};
    journal_argv(ctx, unit, 20, &a);
    struct strbuf out = {0}, errout = {0}, text = {0};
    int rc = run_capture(ctx->rep, argv_get(&a), &out, 256 * 1024, &errout);
    argv_free(&a);
    const char *raw = rc == 0 ? sb_str(&out) : sb_str(&errout);
    for (const char *l = raw; *l;) {
        size_t n = strcspn(l, "\n");
        char *line = xstrndup(l, n);
        char *safe = redact_dup(line);
        sb_append(&text, "  ");
        text_escape_line(safe, &text);
        sb_append_char(&text, '\n');
        free(safe);
        free(line);
        l += n + (l[n] == '\n');
    }
    if (rc == 0)
        report_msg(ctx->rep, REC_ERROR, _("The last lines of the journal of %s:\n%s"), unit,
                   sb_str(&text));
    else
        report_msg(ctx->rep, REC_ERROR, _("journalctl failed (exit %d):\n%s"), rc, sb_str(&text));
    journal_argv(ctx, unit, 0, &a);
    struct strbuf cmd = {0};
    argv_format(argv_get(&a), &cmd);
    argv_free(&a);
    sb_printf(err, _("%s; read its journal with: %s"), why, sb_str(&cmd));
    sb_free(&cmd);
    sb_free(&text);
    sb_free(&out);
    sb_free(&errout);
}

/* Looks at both units once. Returns the unit that gave up (reason in last), else NULL;
 * *active tells whether both are active. */
static const char *poll_units(const struct plan *p, long base[2], bool *active, struct strbuf *last)
{
    static const char *const units[] = {UNIT_SERVER, UNIT_ML};
    *active = true;
    for (size_t i = 0; i < ARRAY_LEN(units); i++) {
        struct unit_state st;
        if (systemd_state(p, units[i], NULL, &st, last) < 0) {
            *active = false;
            continue;
        }
        if (unit_gave_up(units[i], &st, &base[i], last))
            return units[i];
        if (strcmp(st.active, "active") != 0)
            *active = false;
    }
    if (!*active && !last->len)
        sb_append(last, _("the units are not active"));
    return NULL;
}

/* Waits for both units to be active and the ping to answer; stops early when a unit has
 * failed or keeps restarting. */
static enum stage_result wait_for_immich(struct stage_ctx *ctx, struct strbuf *err)
{
    const struct plan *p = ctx->plan;
    double timeout = wait_timeout(600), start = now_monotonic();
    long base[2] = {-1, -1};
    struct strbuf last = {0};
    for (;;) {
        sb_reset(&last);
        bool active;
        const char *failed = poll_units(p, base, &active, &last);
        if (failed) {
            report_failed_unit(ctx, failed, sb_str(&last), err);
            sb_free(&last);
            return STAGE_FAILED;
        }
        if (active && immich_ping(plan_get(p, PLAN_immich_url), 5, &last)) {
            report_msg(ctx->rep, REC_MESSAGE, _("Immich answers at %s after %.0f s"),
                       plan_get(p, PLAN_immich_url), now_monotonic() - start);
            sb_free(&last);
            return STAGE_OK;
        }
        double waited = now_monotonic() - start;
        if (waited >= timeout) {
            struct argv_builder a = {0};
            struct strbuf cmd = {0};
            journal_argv(ctx, UNIT_SERVER, 0, &a);
            argv_format(argv_get(&a), &cmd);
            argv_free(&a);
            sb_printf(err,
                      _("Immich did not answer GET %s/api/server/ping within %.0f s (%s); "
                        "see %s"),
                      plan_get(p, PLAN_immich_url), timeout, sb_str(&last), sb_str(&cmd));
            sb_free(&cmd);
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

/* immich_url from the unit's IMMICH_HOST/IMMICH_PORT, as discovery does: the unit may not
 * have existed then, or was changed since. */
static void discover_url(struct stage_ctx *ctx)
{
    struct unit_info ui;
    struct strbuf e = {0}, note = {0};
    if (systemd_show(ctx->plan, UNIT_SERVER, "Environment", &ui, ctx->rep, &e) == 0 &&
        discover_immich_url(ctx->plan, &ui, &note) < 0)
        report_msg(ctx->rep, REC_WARNING, "%s", sb_str(&note));
    unit_info_free(&ui);
    sb_free(&e);
    sb_free(&note);
}

static enum stage_result start_run(struct stage_ctx *ctx, struct strbuf *err)
{
    /* The journal is read from here on by verify (journalctl --since @EPOCH). */
    char *since = xasprintf("@%" PRId64, now_wall());
    artifact_set_immich_started_at(ctx, since);
    free(since);
    discover_url(ctx);
    if (systemd_both(ctx->plan, "start", ctx->rep, err) < 0)
        return STAGE_FAILED;
    return wait_for_immich(ctx, err);
}

const struct stage stage_start = {
    .id = "start",
    .title = N_("Start Immich"),
    .describe = N_("Starts the NixOS units and waits until Immich answers."),
    .changes = N_("starts the NixOS Immich units"),
    .effect = N_("Starts the NixOS Immich units and waits until Immich answers at {immich_url}."),
    .requires = GATE_CHECKS | GATE_NIXOS,
    .starts_target = true,
    .preview = start_preview,
    .run = start_run,
};
