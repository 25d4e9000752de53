/* immich-migrate restore-owners [-c FILE] [--state-dir DIR] [--yes]
 *
 * Gives the library the owners and modes saved in STATE/owners.manifest before chown. With
 * -c FILE, the manifest must be that of the plan's target_location. */
#include "common.h"
#include "cli/cli_options.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "files/fsutil.h"
#include "files/owners.h"
#include "plan.h"
#include "sys/safepath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void restore_owners_usage(FILE *to)
{
    fprintf(to, _("Usage: immich-migrate restore-owners [OPTION]...\n"
                  "Give the library back the owners and modes that chown saved in\n"
                  "STATE/owners.manifest before it changed anything. Symlinks are never\n"
                  "followed; entries that vanished or were replaced by another file since\n"
                  "are left alone and reported.\n\n"
                  "  -c, --config=FILE      refuse unless the manifest is of the plan's\n"
                  "                         target_location\n"
                  "      --state-dir=STATE  where the manifest is (default\n"
                  "                         /var/lib/immich-migrate)\n"
                  "  -y, --yes              do not ask for confirmation\n"
                  "  -h, --help             show this help and exit\n"));
}

/* The manifest's root, judged, and (with a plan) the plan's target_location; NULL + message. */
static char *manifest_root(const struct owner_options *a, struct strbuf *err)
{
    char *root = owners_manifest_root(a->state_dir, err);
    if (!root || !a->config)
        return root;
    struct plan plan;
    plan_init(&plan);
    char *target = NULL;
    if (plan_load_file(&plan, a->config, err) == 0)
        target = path_judge(plan_get(&plan, PLAN_target_location), PATH_WRITE, err);
    if (target && strcmp(target, root) != 0) {
        struct strbuf shown = {0};
        display_path(root, "", &shown);
        sb_printf(err, _("the manifest holds the owners of %s, not of target_location %s"),
                  sb_str(&shown), target);
        sb_free(&shown);
    }
    bool ok = target && !err->len;
    free(target);
    plan_free(&plan);
    if (!ok) {
        free(root);
        return NULL;
    }
    return root;
}

int cmd_restore_owners(int argc, char **argv)
{
    struct owner_options a;
    int prc = owner_parse_options("restore-owners", argc, argv, restore_owners_usage, false, &a);
    if (prc >= 0)
        return prc;
    if (optind != argc) {
        restore_owners_usage(stderr);
        return 2;
    }
    struct strbuf err = {0};
    enum files_result r = FILES_FAILED;
    char *root = manifest_root(&a, &err);
    if (root) {
        struct reporter rep;
        struct cli_reporter_state st;
        cli_reporter_init(&rep, &st, "restore-owners", a.yes);
        cli_signals_install();
        struct strbuf q = {0}, shown = {0};
        display_path(root, "", &shown);
        sb_printf(&q,
                  _("Give %s and everything in it back the owners and modes saved before "
                    "chown?"),
                  sb_str(&shown));
        struct owners_stats stats;
        if (!report_confirm(&rep, sb_str(&q), NULL))
            sb_append(&err, _("not confirmed; nothing was changed"));
        else
            r = owners_restore(a.state_dir, &rep, &stats, &err) == 0 ? FILES_OK : FILES_FAILED;
        sb_free(&q);
        sb_free(&shown);
    }
    free(root);
    return finish_command("restore-owners", r, &err);
}
