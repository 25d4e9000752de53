/* immich-migrate prepare-db -c CONFIG --dump FILE [--yes] [--dry-run] [--state-dir DIR]
 * [--override GATES] */
#include "cli/commands.h"
#include "cli/cli_db.h"
#include "cli/cli_gates.h"
#include "db/asuser.h"
#include "db/fixup.h"
#include "db/prepare.h"

#include <getopt.h>
#include <stdio.h>

static void usage(FILE *f)
{
    fprintf(f, _("Usage: immich-migrate prepare-db -c CONFIG --dump FILE [--yes] [--dry-run]\n"
                 "Empties the target database for the import: checks the server and the\n"
                 "extensions the dump needs first, then drops and recreates the schemas,\n"
                 "creates the extensions and gives the schemas to target_db_owner.\n"
                 "As root with a Unix-socket DSN the work runs as the OS user postgres.\n\n"
                 "  -c, --config FILE   the migration plan\n"
                 "      --dump FILE     the (fixed) dump that will be imported\n"
                 "      --yes           do not ask for confirmation\n"
                 "      --dry-run       show the SQL, change nothing\n"
                 "      --os-user USER  the OS user for peer authentication (default: postgres)\n"
                 "      --help          show this help\n"));
    cli_gates_usage(f, true);
}

static int work(void *arg, const struct reporter *rep, struct strbuf *err)
{
    return db_prepare_run(arg, rep, err);
}

int cmd_prepare_db(int argc, char **argv)
{
    enum { O_DUMP = 256, O_YES, O_DRY, O_USER, O_HELP, O_STATE_DIR, O_OVERRIDE };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"dump", required_argument, NULL, O_DUMP},
        {"yes", no_argument, NULL, O_YES},
        {"dry-run", no_argument, NULL, O_DRY},
        {"os-user", required_argument, NULL, O_USER},
        {"help", no_argument, NULL, O_HELP},
        {"state-dir", required_argument, NULL, O_STATE_DIR},
        {"override", required_argument, NULL, O_OVERRIDE},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *dump = NULL, *os_user = "postgres";
    bool yes = false, dry = false;
    struct cli_gates gates;
    cli_gates_init(&gates);
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case O_DUMP: dump = optarg; break;
        case O_YES: yes = true; break;
        case O_DRY: dry = true; break;
        case O_USER: os_user = optarg; break;
        case O_STATE_DIR: gates.opt.state_dir = optarg; break;
        case O_OVERRIDE:
            if (cli_gates_override("prepare-db", optarg, &gates.opt.overrides) < 0)
                return 2;
            break;
        case O_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!config || !dump || optind != argc) {
        usage(stderr);
        return 2;
    }
    struct plan p;
    struct strbuf err = {0};
    struct fixup_stats st = {0};
    int status = 1;
    if (cli_db_load_plan(&p, "prepare-db", config) < 0)
        goto out;
    if (fixup_scan_file(dump, plan_get(&p, PLAN_db_database_name), &st, &err) < 0) {
        cli_db_error("prepare-db", "%s", sb_str(&err));
        goto out;
    }
    struct prepare_request rq = {
        .dsn = plan_get(&p, PLAN_target_dsn),
        .dbname = plan_get(&p, PLAN_target_db_name),
        .owner = plan_get(&p, PLAN_target_db_owner),
        .extensions = st.extensions,
        .nextensions = st.nextensions,
        .dump_server_major = st.server_major,
        .dry_run = dry,
    };
    struct reporter rep;
    struct cli_reporter_state rs;
    cli_reporter_init(&rep, &rs, "prepare-db", yes);
    cli_signals_install();
    /* A dry run changes nothing: no gate to hold, as in the session. */
    int rc = dry ? 0 : cli_gates_enter(&gates, "prepare-db", "prepare_db", &rep, &err);
    if (rc == 0)
        rc = asuser_needed(rq.dsn) ? asuser_run(os_user, work, &rq, &rep, &err)
                                   : db_prepare_run(&rq, &rep, &err);
    cli_gates_leave(&gates);
    status = rc == 0 ? 0 : 1;
    if (status)
        cli_db_error("prepare-db", "%s", sb_str(&err));
out:
    fixup_stats_free(&st);
    plan_free(&p);
    sb_free(&err);
    return status;
}
