/* immich-migrate dump -c CONFIG [--plain] [OUT] | --list-backups | --check FILE */
#include "cli/commands.h"
#include "cli/cli_db.h"
#include "db/dump.h"
#include "sys/safe_dir.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f, _("Usage: immich-migrate dump -c CONFIG [--plain] [OUT]\n"
                 "       immich-migrate dump -c CONFIG --list-backups\n"
                 "       immich-migrate dump --check FILE\n"
                 "Dumps the Immich database from its Docker container with pg_dump into OUT\n"
                 "(default: backup_dir/immich-TIME.sql.zst). The dump counts only when pg_dump\n"
                 "succeeds and the dump ends with its \"dump complete\" line. OUT's directory\n"
                 "must be writable only by root (or you), as must every directory above it\n"
                 "(sticky ones like /tmp excepted).\n\n"
                 "  -c, --config FILE   the migration plan\n"
                 "      --plain         write plain SQL instead of zstd\n"
                 "      --list-backups  list Immich's automatic backups, newest first\n"
                 "      --check FILE    check that an existing dump is complete\n"
                 "      --help          show this help\n"));
}

static int list_backups(const struct plan *p)
{
    struct immich_backup *list;
    struct strbuf err = {0};
    int n = immich_backups_list(plan_get(p, PLAN_upload_location),
                                plan_get(p, PLAN_db_database_name), &list, &err);
    if (n < 0) {
        cli_db_error("dump", "%s", sb_str(&err));
        sb_free(&err);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char when[32];
        time_t t = (time_t)list[i].mtime;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
        /* TRANSLATORS: path, date, size, Immich version */
        printf(_("%s\t%s\t%llu bytes\tImmich %s\n"), list[i].path, when,
               (unsigned long long)list[i].size, list[i].version ? list[i].version : _("unknown"));
    }
    immich_backups_free(list, n);
    sb_free(&err);
    return 0;
}

int cmd_dump(int argc, char **argv)
{
    enum { O_PLAIN = 256, O_LIST, O_CHECK, O_HELP };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},    {"plain", no_argument, NULL, O_PLAIN},
        {"list-backups", no_argument, NULL, O_LIST}, {"check", required_argument, NULL, O_CHECK},
        {"help", no_argument, NULL, O_HELP},         {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *check = NULL;
    bool plain = false, list = false;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case O_PLAIN: plain = true; break;
        case O_LIST: list = true; break;
        case O_CHECK: check = optarg; break;
        case O_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind > 1 || (!config && !check)) {
        usage(stderr);
        return 2;
    }
    struct strbuf err = {0};
    if (check) {
        bool ok = db_dump_file_complete(check, &err);
        if (!ok)
            cli_db_error("dump", _("%s is not a complete dump%s%s"), check, err.len ? ": " : "",
                         sb_str(&err));
        sb_free(&err);
        return ok ? 0 : 1;
    }
    struct plan p;
    if (cli_db_load_plan(&p, "dump", config) < 0) {
        plan_free(&p);
        return 1;
    }
    int status;
    if (list) {
        status = list_backups(&p);
    } else {
        struct reporter rep;
        struct cli_reporter_state rs;
        cli_reporter_init(&rep, &rs, "dump", false);
        cli_signals_install();
        char *out = optind < argc ? xstrdup(argv[optind]) : db_dump_default_path(&p, !plain);
        /* Nobody else may write where the dump goes: it could be swapped before its import. */
        const char *dir = plan_get(&p, PLAN_backup_dir);
        int dir_ok = optind < argc ? safe_dir_judge_for_file(out, &err)
                                   : safe_dir_make("backup_dir", dir, &err);
        status = dir_ok != 0 ? 1 : 0;
        if (status == 0)
            status = db_dump_run(&p, out, &rep, &err) == 0 ? 0 : 1;
        if (status)
            cli_db_error("dump", "%s", sb_str(&err));
        else
            printf("%s\n", out);
        free(out);
    }
    plan_free(&p);
    sb_free(&err);
    return status;
}
