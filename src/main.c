/* immich-migrate: command line and modes. */
#include "common.h"
#include "cli/commands.h"
#include "app.h"
#include "stages/stage.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static void print_help(void)
{
    printf(_("Usage: immich-migrate [OPTION]...\n"
             "       immich-migrate STAGE [ARGS]...\n"
             "Move an Immich installation from Docker Compose to the NixOS services.immich\n"
             "module: a guided, resumable, logged migration.\n\n"));
    printf(_("Modes:\n"
             "      (none)            start the interactive wizard\n"
             "  -b, --batch           run every stage without the wizard (events on stderr)\n"
             "  -n, --dry-run         print every command and SQL statement; run nothing\n"
             "  -r, --resume          continue the unfinished migration\n"
             "      --review[=DIR]    browse a migration's log in the terminal UI\n"
             "      --report[=DIR]    print a migration's log as Markdown\n"
             "      --demo            run the wizard on a built-in sandbox installation\n\n"));
    printf(_("Options:\n"
             "  -c, --config=FILE     read the plan's values from FILE (key = value)\n"
             "  -y, --yes             confirm destructive steps without asking (batch mode)\n"
             "      --override=GATES  batch mode: run stages even though these gates do not\n"
             "                        hold (comma-separated: checks, backup, nixos); logged\n"
             "      --state-dir=DIR   journal, lock and log (default /var/lib/immich-migrate)\n"
             "      --keep-sandbox    with --demo: keep the sandbox on exit\n"
             "  -h, --help            show this help and exit\n"
             "  -V, --version         show the version and exit\n\n"));
    printf(_("Stages (each runs alone; see 'immich-migrate STAGE --help'):\n"));
    for (const struct command *c = command_list(); c->name; c++)
        printf("  %-16s %s\n", c->name, _(c->summary));
    if (PACKAGE_BUGREPORT[0]) /* AC_INIT names no address today */
        printf(_("\nReport bugs to: %s\n"), PACKAGE_BUGREPORT);
}

static void print_version(void)
{
    printf("immich-migrate %s\n", PACKAGE_VERSION);
}

/* --review and --report take DIR as "--report=DIR" or as the next word ("--report DIR"). */
static const char *optional_dir(int argc, char **argv)
{
    if (optarg)
        return optarg;
    if (optind < argc && argv[optind][0] != '-')
        return argv[optind++];
    return NULL;
}

/* --override=checks,backup: adds the named gates to *mask; -1 with a message for an unknown one. */
static int parse_overrides(const char *list, unsigned *mask)
{
    struct strbuf err = {0};
    int rc = stage_gates_parse(list, mask, &err);
    if (rc < 0)
        fprintf(stderr, "immich-migrate: %s\n", sb_str(&err));
    sb_free(&err);
    return rc;
}

/* Memory holds DSN passwords: no core dump of it, and no ptrace or /proc/PID/mem reading by
 * other processes of the same user. (Programs we run get their own dumpable flag on exec.) */
static void no_core_dumps(void)
{
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int main(int argc, char **argv)
{
    no_core_dumps();
    setlocale(LC_ALL, "");
    /* Tests and the build tree point at freshly compiled catalogs. */
    const char *localedir = getenv("IMMICH_MIGRATE_LOCALEDIR");
    bindtextdomain(PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
    textdomain(PACKAGE);

    if (argc > 1 && argv[1][0] != '-') {
        const struct command *cmd = command_find(argv[1]);
        if (!cmd) {
            fprintf(stderr, _("immich-migrate: unknown stage \"%s\"; try 'immich-migrate --help'\n"),
                    argv[1]);
            return 2;
        }
        return cmd->run(argc - 1, argv + 1);
    }

    enum { OPT_REVIEW = 256, OPT_REPORT, OPT_DEMO, OPT_STATE_DIR, OPT_KEEP_SANDBOX, OPT_OVERRIDE };
    static const struct option long_options[] = {
        {"batch", no_argument, NULL, 'b'},
        {"dry-run", no_argument, NULL, 'n'},
        {"resume", no_argument, NULL, 'r'},
        {"review", optional_argument, NULL, OPT_REVIEW},
        {"report", optional_argument, NULL, OPT_REPORT},
        {"demo", no_argument, NULL, OPT_DEMO},
        {"config", required_argument, NULL, 'c'},
        {"yes", no_argument, NULL, 'y'},
        {"state-dir", required_argument, NULL, OPT_STATE_DIR},
        {"keep-sandbox", no_argument, NULL, OPT_KEEP_SANDBOX},
        {"override", required_argument, NULL, OPT_OVERRIDE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct app_options opt = {.mode = MODE_WIZARD, .state_dir = APP_DEFAULT_STATE_DIR};
    int c;
    while ((c = getopt_long(argc, argv, "bnrc:yhV", long_options, NULL)) != -1) {
        enum app_mode m = MODE_NONE;
        switch (c) {
        case 'b': m = MODE_BATCH; break;
        case 'n': m = MODE_DRY_RUN; break;
        case 'r': opt.resume = true; break;
        case OPT_REVIEW:
            m = MODE_REVIEW;
            opt.log_dir = optional_dir(argc, argv);
            break;
        case OPT_REPORT:
            m = MODE_REPORT;
            opt.log_dir = optional_dir(argc, argv);
            break;
        case OPT_DEMO: opt.demo = true; break;
        case 'c': opt.config = optarg; break;
        case 'y': opt.yes = true; break;
        case OPT_STATE_DIR: opt.state_dir = optarg; break;
        case OPT_KEEP_SANDBOX: opt.keep_sandbox = true; break;
        case OPT_OVERRIDE:
            if (parse_overrides(optarg, &opt.overrides) < 0)
                return 2;
            break;
        case 'h': print_help(); return 0;
        case 'V': print_version(); return 0;
        default:
            fprintf(stderr, _("Try 'immich-migrate --help' for more information.\n"));
            return 2;
        }
        if (m != MODE_NONE) {
            if (opt.mode != MODE_WIZARD && opt.mode != m) {
                fprintf(stderr,
                        _("immich-migrate: choose one of --batch, --dry-run, --review, --report\n"));
                return 2;
            }
            opt.mode = m;
        }
    }
    if (optind < argc) {
        fprintf(stderr, _("immich-migrate: unexpected argument \"%s\"\n"), argv[optind]);
        return 2;
    }
    if (opt.overrides && opt.mode != MODE_BATCH) {
        fprintf(stderr,
                _("immich-migrate: --override is for --batch; the wizard asks you to type "
                  "\"%s\" instead\n"),
                GATE_OVERRIDE_WORD);
        return 2;
    }
    return app_run(&opt);
}
