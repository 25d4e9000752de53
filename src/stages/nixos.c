/* Stage "nixos": show the services.immich settings to add, wait until the user has switched
 * NixOS to them (the units exist), stop the freshly started units, and check the target
 * again now that it exists (version, media location, extensions). */
#include "stages/nixos.h"
#include "discover/checks.h"
#include "discover/http.h"
#include "discover/docker.h"
#include "discover/preflight.h"
#include "discover/systemd.h"
#include "sys/atomic_file.h"
#include "sys/spawn.h"

#include <stdlib.h>
#include <string.h>

static bool in_comma_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *l = list; *l;) {
        size_t len = strcspn(l, ",");
        if (len == n && strncmp(l, name, n) == 0)
            return true;
        l += len + (l[len] == ',');
    }
    return false;
}

/* Which vector extension the dump needs: the fix-up stage's list of the dump's extensions
 * (dump_extensions, comma-separated) knows best, then discovery's. No vector extension at
 * all: VectorChord, the module's default. 'vector' without 'vchord' is Immich's pgvector mode
 * (*pgvector): the module installs pgvector only with VectorChord (see db/vecext.h). */
static void vector_flags(const struct stage_ctx *ctx, bool *vectors, bool *vchord, bool *pgvector)
{
    char *(*const sources[])(const struct stage_ctx *) = {
        artifact_dump_extensions, artifact_source_extensions, artifact_source_vector_extension};
    char *v = NULL; /* the first one set and not empty */
    for (size_t i = 0; i < ARRAY_LEN(sources) && !v; i++) {
        v = sources[i](ctx);
        if (v && !*v) {
            free(v);
            v = NULL;
        }
    }
    if (!v)
        v = xstrdup("");
    *vectors = in_comma_list(v, "vectors");
    *pgvector = in_comma_list(v, "vector") && !in_comma_list(v, "vchord") && !*vectors;
    *vchord = in_comma_list(v, "vchord") || in_comma_list(v, "vector") || !*vectors;
    free(v);
}

/* Options at their module default are left out except enable, mediaLocation and the vector
 * extensions. */
void stage_nixos_snippet(const struct stage_ctx *ctx, struct strbuf *out)
{
    const struct plan *p = ctx->plan;
    bool vectors, vchord, pgvector;
    vector_flags(ctx, &vectors, &vchord, &pgvector);
    sb_printf(out, "services.immich = {\n  enable = true;\n  mediaLocation = \"%s\";\n",
              plan_get(p, PLAN_target_location));
    char *host = NULL, *port = NULL, *prefix = NULL;
    if (http_url_parse(plan_get(p, PLAN_immich_url), &host, &port, &prefix) == 0 &&
        strcmp(port, "2283") != 0)
        sb_printf(out, "  port = %s;\n", port);
    free(host);
    free(port);
    free(prefix);
    const char *owner = plan_get(p, PLAN_media_owner);
    const char *colon = strchr(owner, ':');
    if (strcmp(owner, "immich:immich") != 0 && colon)
        sb_printf(out, "  user = \"%.*s\";\n  group = \"%s\";\n", (int)(colon - owner), owner,
                  colon + 1);
    if (strcmp(plan_get(p, PLAN_target_db_name), "immich") != 0)
        sb_printf(out, "  database.name = \"%s\";\n", plan_get(p, PLAN_target_db_name));
    if (strcmp(plan_get(p, PLAN_target_db_owner), "immich") != 0)
        sb_printf(out, "  database.user = \"%s\";\n", plan_get(p, PLAN_target_db_owner));
    sb_printf(out, "  database.enableVectorChord = %s;\n  database.enableVectors = %s;\n",
              vchord ? "true" : "false", vectors ? "true" : "false");
    if (pgvector)
        sb_printf(out, "  # %s\n  environment.DB_VECTOR_EXTENSION = \"pgvector\";\n",
                  _("the dump uses pgvector ('vector' without 'vchord'): keep Immich on it"));
    sb_append(out, "};\n");
}

char *stage_nixos_write_settings(const struct stage_ctx *ctx, struct strbuf *err)
{
    char *path = xasprintf("%s/%s", ctx->state_dir, NIXOS_SETTINGS_FILE);
    struct strbuf text = {0};
    stage_nixos_snippet(ctx, &text);
    int rc = atomic_write_file(path, sb_str(&text), text.len, err);
    sb_free(&text);
    if (rc < 0) {
        free(path);
        return NULL;
    }
    return path;
}

static void nixos_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    sb_append(out, _("# add to configuration.nix, then run nixos-rebuild switch:\n"));
    stage_nixos_snippet(ctx, out);
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(ctx->plan, PLAN_systemctl_command));
    argv_add(&a, "show");
    argv_add(&a, UNIT_SERVER);
    argv_add(&a, "-p");
    argv_add(&a, "LoadState");
    argv_format(argv_get(&a), out);
    sb_append_char(out, '\n');
    argv_free(&a);
    argv_add_words(&a, plan_get(ctx->plan, PLAN_systemctl_command));
    argv_add(&a, "stop");
    argv_add(&a, UNIT_SERVER);
    argv_add(&a, UNIT_ML);
    argv_format(argv_get(&a), out);
    sb_append_char(out, '\n');
    argv_free(&a);
}

/* Polls LoadState until the unit is loaded. Returns STAGE_OK, _FAILED or _CANCELLED. */
static enum stage_result wait_for_units(struct stage_ctx *ctx, struct strbuf *err)
{
    double timeout = wait_timeout(3600), start = now_monotonic();
    for (;;) {
        struct unit_info ui;
        struct strbuf e = {0};
        bool loaded = systemd_show(ctx->plan, UNIT_SERVER, "LoadState", &ui, NULL, &e) == 0 &&
                      ui.load_state && strcmp(ui.load_state, "loaded") == 0;
        unit_info_free(&ui);
        sb_free(&e);
        if (loaded)
            return STAGE_OK;
        double waited = now_monotonic() - start;
        if (waited >= timeout) {
            sb_printf(err,
                      _("%s did not appear within %.0f s: add the settings above and run "
                        "nixos-rebuild switch, then resume"),
                      UNIT_SERVER, timeout);
            return STAGE_FAILED;
        }
        report_progress(ctx->rep, "seconds", (uint64_t)waited, (uint64_t)timeout,
                        _("waiting for nixos-rebuild switch"));
        if (!sleep_cancellable(ctx->rep, 2))
            return STAGE_CANCELLED;
    }
}

/* The target checks again, with the source facts from discovery's artifacts. */
static int recheck_target(struct stage_ctx *ctx)
{
    struct discovery d = {0};
    char *ver = artifact_source_version(ctx);
    if (!ver || !*ver) {
        free(ver);
        ver = artifact_dump_immich_version(ctx);
    }
    char *ext = artifact_source_extensions(ctx);
    if (ver && *ver && ext) {
        d.source_version = ver;
        d.source_version_origin = N_("discovery");
        d.src_extensions = ext;
        for (char *c = d.src_extensions; *c; c++)
            if (*c == ',')
                *c = '\n';
    } else {
        free(ver);
        free(ext);
        discover_source(&d, ctx->plan, ctx->rep);
    }
    discover_target(&d, ctx->plan, ctx->rep);
    struct check_list checks = {0};
    checks_target(&d, ctx->plan, true, &checks);
    checks_report(&checks, ctx->rep);
    int failed = check_list_failures(&checks);
    check_list_free(&checks);
    discovery_free(&d);
    return failed;
}

static enum stage_result nixos_run(struct stage_ctx *ctx, struct strbuf *err)
{
    struct strbuf snippet = {0};
    stage_nixos_snippet(ctx, &snippet);
    report_msg(ctx->rep, REC_MESSAGE,
               _("Add this to your NixOS configuration and run nixos-rebuild switch:\n%s"),
               sb_str(&snippet));
    sb_free(&snippet);
    /* A copy to take over SSH without the screen's frame; the stage goes on without it. */
    struct strbuf werr = {0};
    char *file = ctx->state_dir ? stage_nixos_write_settings(ctx, &werr) : NULL;
    if (file)
        report_msg(ctx->rep, REC_MESSAGE, _("The settings are also in %s"), file);
    else if (werr.len)
        report_msg(ctx->rep, REC_WARNING, "%s", sb_str(&werr));
    free(file);
    sb_free(&werr);
    enum stage_result r = wait_for_units(ctx, err);
    if (r != STAGE_OK)
        return r;
    if (systemd_both(ctx->plan, "stop", ctx->rep, err) < 0)
        return STAGE_FAILED;
    int failed = recheck_target(ctx);
    if (failed) {
        sb_printf(err,
                  ngettext("%d check of the NixOS target failed; the database was not touched",
                           "%d checks of the NixOS target failed; the database was not touched", failed),
                  failed);
        return STAGE_FAILED;
    }
    return STAGE_OK;
}

const struct stage stage_nixos = {
    .id = "nixos",
    .title = N_("Configure NixOS"),
    .describe = N_("Shows the services.immich settings to add, waits for the units, and stops them."),
    .changes = N_("stops the NixOS Immich units"),
    .effect = N_(
        "Waits for the NixOS Immich units and stops them, so the import finds the database still."),
    .requires = GATE_CHECKS,
    .provides = GATE_NIXOS,
    .preview = nixos_preview,
    .run = nixos_run,
};
