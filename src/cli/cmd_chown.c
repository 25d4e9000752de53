/* immich-migrate chown DIR USER:GROUP [-c CONFIG | --target-location PATH] [--state-dir DIR]
 * [--override GATES] [--yes]
 *
 * DIR must be the plan's target_location: the value from -c CONFIG, else from
 * --target-location, else the plan's default (/var/lib/immich). So a typo never hands an
 * arbitrary tree to another user, even without a config file. */
#include "common.h"
#include "cli/cli_gates.h"
#include "cli/cli_options.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "files/chown.h"
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void chown_usage(FILE *to)
{
    fprintf(to, _("Usage: immich-migrate chown [OPTION]... DIR USER:GROUP\n"
                  "Give DIR and everything below it to USER:GROUP without following symlinks,\n"
                  "and set DIR to mode 0700. DIR must be the plan's target_location and, with\n"
                  "symlinks, '.' and '..' resolved, no system directory. A file with hard links\n"
                  "outside DIR is left alone and reported. The owners and modes from before\n"
                  "are saved first in STATE/owners.manifest (restore-owners puts them back).\n\n"
                  "  -c, --config=FILE          take target_location from the plan FILE\n"
                  "      --target-location=DIR  the target_location when there is no plan file\n"
                  "                             (default /var/lib/immich)\n"
                  "      --state-dir=STATE      where the owners are saved\n"
                  "                             (default /var/lib/immich-migrate)\n"
                  "  -y, --yes                  do not ask for confirmation\n"
                  "  -h, --help                 show this help and exit\n"));
    cli_gates_usage(to, false);
}

int cmd_chown(int argc, char **argv)
{
    struct owner_options a;
    int prc = owner_parse_options("chown", argc, argv, chown_usage, true, &a);
    if (prc >= 0)
        return prc;
    if (argc - optind != 2) {
        fprintf(stderr, _("immich-migrate chown: expected DIR and USER:GROUP\n"));
        chown_usage(stderr);
        return 2;
    }
    struct cli_gates gates;
    cli_gates_init(&gates);
    gates.opt.state_dir = a.state_dir;
    gates.opt.overrides = a.overrides;
    const char *dir = argv[optind], *owner = argv[optind + 1];
    struct strbuf err = {0};
    struct plan plan;
    plan_init(&plan);
    if (a.config && plan_load_file(&plan, a.config, &err) != 0) {
        plan_free(&plan);
        return finish_command("chown", FILES_FAILED, &err);
    }
    const char *target = a.config || !a.target ? plan_get(&plan, PLAN_target_location) : a.target;
    uid_t uid;
    gid_t gid;
    char *real = NULL;
    enum files_result r = FILES_FAILED;
    if ((real = chown_check_dir(dir, target, &err)) != NULL &&
        parse_owner(owner, &uid, &gid, &err) == 0) {
        struct reporter rep;
        struct cli_reporter_state st;
        cli_reporter_init(&rep, &st, "chown", a.yes);
        cli_signals_install();
        struct strbuf q = {0};
        sb_printf(&q, _("Give %s and everything in it to %s, and set it to mode 0700?"), real, owner);
        struct chown_stats stats;
        bool go = cli_gates_enter(&gates, "chown", "chown", &rep, &err) == 0;
        if (go && !report_confirm(&rep, sb_str(&q), NULL))
            sb_append(&err, _("not confirmed; nothing was changed"));
        else if (go)
            r = chown_tree(real, uid, gid, a.state_dir, &rep, &stats, &err);
        cli_gates_leave(&gates);
        sb_free(&q);
    }
    free(real);
    plan_free(&plan);
    return finish_command("chown", r, &err);
}
