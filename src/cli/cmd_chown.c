/* immich-migrate chown DIR USER:GROUP [-c CONFIG | --target-location PATH] [--state-dir DIR]
 * [--override GATES] [--yes]
 *
 * DIR must be the plan's target_location: the value from -c CONFIG, else from
 * --target-location, else the plan's default (/var/lib/immich). So a typo never hands an
 * arbitrary tree to another user, even without a config file. */
#include "common.h"
#include "cli/cli_gates.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "files/chown.h"
#include "plan.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

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

struct chown_args {
    const char *config;
    const char *target;
    struct cli_gates gates; /* --state-dir (also where the owners are saved), --override */
    bool yes;
};

/* 0 ok, 2 usage error, -1 help shown */
static int parse_chown_args(int argc, char **argv, struct chown_args *a)
{
    enum { OPT_TARGET = 256, OPT_STATE_DIR, OPT_OVERRIDE };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"target-location", required_argument, NULL, OPT_TARGET},
        {"state-dir", required_argument, NULL, OPT_STATE_DIR},
        {"override", required_argument, NULL, OPT_OVERRIDE},
        {"yes", no_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "c:yh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a->config = optarg; break;
        case OPT_TARGET: a->target = optarg; break;
        case OPT_STATE_DIR: a->gates.opt.state_dir = optarg; break;
        case OPT_OVERRIDE:
            if (cli_gates_override(&a->gates, "chown", optarg) < 0)
                return 2;
            break;
        case 'y': a->yes = true; break;
        case 'h': chown_usage(stdout); return -1;
        default: chown_usage(stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, _("immich-migrate chown: expected DIR and USER:GROUP\n"));
        chown_usage(stderr);
        return 2;
    }
    return 0;
}

int cmd_chown(int argc, char **argv)
{
    struct chown_args a = {0};
    cli_gates_init(&a.gates);
    int prc = parse_chown_args(argc, argv, &a);
    if (prc != 0)
        return prc < 0 ? 0 : prc;
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
        bool go = cli_gates_enter(&a.gates, "chown", "chown", &rep, &err) == 0;
        if (go && !report_confirm(&rep, sb_str(&q), NULL))
            sb_append(&err, _("not confirmed; nothing was changed"));
        else if (go)
            r = chown_tree(real, uid, gid, a.gates.opt.state_dir, &rep, &stats, &err);
        cli_gates_leave(&a.gates);
        sb_free(&q);
    }
    free(real);
    plan_free(&plan);
    return finish_command("chown", r, &err);
}
