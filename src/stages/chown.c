/* Stage "chown": gives target_location to media_owner without following symlinks and sets it
 * to 0700. The owners and modes from before are saved in the state directory first
 * (files/owners.h; `immich-migrate restore-owners` puts them back). Destructive: runs only
 * after a verified backup, and asks first. */
#include "stages/stage.h"
#include "files/chown.h"
#include "sys/spawn.h"

#include <stdlib.h>

static void chown_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    const char *dir = plan_get(ctx->plan, PLAN_target_location);
    const char *argv[] = {"immich-migrate",
                          "chown",
                          dir,
                          plan_get(ctx->plan, PLAN_media_owner),
                          "--target-location",
                          dir,
                          "--state-dir",
                          ctx->state_dir ? ctx->state_dir : DEFAULT_STATE_DIR,
                          NULL};
    argv_format(argv, out);
    sb_append_char(out, '\n');
}

static enum stage_result chown_run(struct stage_ctx *ctx, struct strbuf *err)
{
    const char *target = plan_get(ctx->plan, PLAN_target_location);
    const char *owner = plan_get(ctx->plan, PLAN_media_owner);
    uid_t uid;
    gid_t gid;
    char *dir = chown_check_dir(target, target, err);
    if (!dir)
        return STAGE_FAILED;
    if (parse_owner(owner, &uid, &gid, err) != 0) {
        free(dir);
        return STAGE_FAILED;
    }
    struct strbuf q = {0};
    sb_printf(&q, _("Give %s and everything in it to %s, and set it to mode 0700?"), dir, owner);
    bool ok = ctx->assume_yes || report_confirm(ctx->rep, sb_str(&q), NULL);
    sb_free(&q);
    enum files_result r = FILES_FAILED;
    struct chown_stats stats;
    if (!ok)
        sb_append(err, _("not confirmed; nothing was changed"));
    else
        r = chown_tree(dir, uid, gid, ctx->state_dir, ctx->rep, &stats, err);
    free(dir);
    if (!ok)
        return STAGE_CANCELLED;
    return r == FILES_OK ? STAGE_OK : r == FILES_CANCELLED ? STAGE_CANCELLED : STAGE_FAILED;
}

const struct stage stage_chown = {
    .id = "chown",
    .title = N_("Set owner"),
    .describe = N_("Gives the library to media_owner, without following symlinks."),
    .destructive = true,
    .changes = N_("gives target_location and everything in it to media_owner, mode 0700"),
    .effect = N_(
        "Sets the owner of {target_location} and everything in it to {media_owner} and its mode to 0700, without following symlinks."),
    .asks = N_("Asks yes or no before it changes anything (Enter alone answers no)."),
    .requires = GATE_CHECKS | GATE_BACKUP | GATE_NIXOS,
    .saves_owners = true,
    .preview = chown_preview,
    .run = chown_run,
};
