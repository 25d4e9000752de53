/* `immich-migrate import`: the SQL dump engine on the command line. */
#include "common.h"
#include "cli/cli_gates.h"
#include "cli/commands.h"
#include "pg/importer.h"
#include "redact.h"
#include "report.h"

#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, _("Usage: immich-migrate import --dsn DSN [OPTION]... FILE\n"
                 "Load a plain SQL dump (pg_dump/pg_dumpall; .sql, .sql.gz, .sql.zst, or - for\n"
                 "stdin) into PostgreSQL through libpq, stopping at the first error. Nothing\n"
                 "runs when the file holds what pg_dump never writes (COPY to a program, DO,\n"
                 "role changes, ...). Connect as the database's owner: a superuser's\n"
                 "connection is allowed with a warning.\n\n"
                 "  -d, --dsn=DSN                libpq connection string of the target database\n"
                 "  -j, --jobs=N                 load tables and build indexes on N connections\n"
                 "  -1, --single-transaction     all or nothing (default when the file allows it\n"
                 "                               and -j is 1)\n"
                 "      --no-single-transaction  commit statement by statement\n"
                 "      --target-db=NAME         the database \\connect lines may name (default:\n"
                 "                               the DSN's database)\n"
                 "  -v, --verbose                print every statement run, with its time\n"
                 "  -h, --help                   show this help and exit\n\n"
                 "Exit status: 0 imported, 1 import failed (report on stderr), 2 usage error.\n"));
    cli_gates_usage(f, true);
}

struct filter {
    struct reporter inner;
    bool verbose;
};

static void filtered_record(void *ud, const struct record *rec)
{
    struct filter *f = ud;
    if (rec->kind == REC_SQL && !f->verbose)
        return;
    if (rec->kind == REC_SQL && rec->duration >= 0) {
        /* verbose: each statement with its time (and rows for COPY) */
        struct strbuf line = {0};
        sb_append(&line, rec->text);
        if (rec->rows >= 0)
            sb_printf(&line, _(" -- %lld rows"), (long long)rec->rows);
        sb_printf(&line, " -- %.3f s", rec->duration);
        struct record copy = *rec;
        copy.text = sb_str(&line);
        report_record(&f->inner, &copy);
        sb_free(&line);
        return;
    }
    report_record(&f->inner, rec);
}

static void filtered_progress(void *ud, const struct progress *p)
{
    struct filter *f = ud;
    report_progress(&f->inner, p->unit, p->done, p->total, p->current);
}

static bool filtered_cancelled(void *ud)
{
    struct filter *f = ud;
    return report_cancelled(&f->inner);
}

/* The DSN's password is a secret for every later message. */
static void remember_password(const char *dsn)
{
    PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
    if (!opts)
        return;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val)
            redact_add_secret(o->val);
    PQconninfoFree(opts);
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "immich-migrate import: %s\n", msg);
    usage(stderr);
    return 2;
}

int cmd_import(int argc, char **argv)
{
    enum { OPT_NO_TXN = 256, OPT_TARGET_DB, OPT_STATE_DIR, OPT_OVERRIDE };
    static const struct option longopts[] = {
        {"dsn", required_argument, NULL, 'd'},
        {"jobs", required_argument, NULL, 'j'},
        {"single-transaction", no_argument, NULL, '1'},
        {"no-single-transaction", no_argument, NULL, OPT_NO_TXN},
        {"target-db", required_argument, NULL, OPT_TARGET_DB},
        {"verbose", no_argument, NULL, 'v'},
        {"state-dir", required_argument, NULL, OPT_STATE_DIR},
        {"override", required_argument, NULL, OPT_OVERRIDE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct pg_import_options o = {.jobs = 1, .fd = -1, .single_transaction = PG_TXN_AUTO};
    bool verbose = false;
    struct cli_gates gates;
    cli_gates_init(&gates);
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "d:j:1vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.dsn = optarg; break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64)
                return usage_error(_("-j needs a number from 1 to 64"));
            o.jobs = (int)n;
            break;
        }
        case '1': o.single_transaction = PG_TXN_ON; break;
        case OPT_NO_TXN: o.single_transaction = PG_TXN_OFF; break;
        case OPT_TARGET_DB: o.target_db = optarg; break;
        case 'v': verbose = true; break;
        case OPT_STATE_DIR: gates.opt.state_dir = optarg; break;
        case OPT_OVERRIDE:
            if (cli_gates_override("import", optarg, &gates.opt.overrides) < 0)
                return 2;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!o.dsn)
        return usage_error(_("--dsn is required"));
    if (optind != argc - 1)
        return usage_error(_("exactly one FILE is required (- for stdin)"));
    if (o.single_transaction == PG_TXN_ON && o.jobs > 1)
        return usage_error(_("--single-transaction cannot be combined with -j"));
    o.path = argv[optind];
    remember_password(o.dsn);

    struct cli_reporter_state st;
    struct filter f = {.verbose = verbose};
    cli_reporter_init(&f.inner, &st, "import", false);
    cli_signals_install();
    struct reporter rep = {filtered_record, filtered_progress, filtered_cancelled, NULL, &f};

    struct strbuf err = {0};
    int rc = 1;
    if (cli_gates_enter(&gates, "import", "import", &f.inner, &err) == 0 &&
        pg_import(&o, &rep, &err) == 0)
        rc = 0;
    cli_gates_leave(&gates);
    if (rc) {
        struct strbuf safe = {0};
        redact_secrets(sb_str(&err), &safe);
        fprintf(stderr, "immich-migrate import: %s\n", sb_str(&safe));
        sb_free(&safe);
    }
    sb_free(&err);
    return rc;
}
