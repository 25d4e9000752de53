/* immich-migrate fixup [-c CONFIG] [--map FROM=TO]... [--role-map SRC=DST]... IN OUT */
#include "cli/commands.h"
#include "cli/cli_db.h"
#include "db/fixup.h"
#include "db/fixup_plan.h"
#include "report.h"
#include "sys/safe_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, _("Usage: immich-migrate fixup [-c CONFIG] [OPTION]... IN OUT\n"
                 "Rewrites a plain SQL dump of Immich for the NixOS installation: the search_path\n"
                 "line, the library paths (path columns only), MediaLocation, owners and grants.\n"
                 "IN may be .sql, .sql.gz or .sql.zst; OUT ending in .zst is compressed.\n"
                 "OUT's directory must be writable only by root (or you), as must every\n"
                 "directory above it (sticky ones like /tmp excepted).\n"
                 "A pg_dumpall cluster dump is reduced to the Immich database.\n\n"
                 "  -c, --config FILE     the migration plan\n"
                 "      --map FROM=TO     map the path prefix FROM to TO (repeatable)\n"
                 "      --role-map SRC=DST  map the role SRC to DST in owners and grants\n"
                 "      --target DIR      the NixOS media location (default: target_location)\n"
                 "      --database NAME   the database taken from a cluster dump\n"
                 "      --report FILE     write the report to a new FILE or a device such as\n"
                 "                        /dev/null (default: standard output)\n"
                 "      --allow-incomplete  accept a dump without its \"dump complete\" line\n"
                 "      --help            show this help\n"));
}

struct fixup_args {
    const char *config, *report, *target, *database;
    bool allow_incomplete;
    char **maps, **role_maps;
    size_t nmaps, nrole_maps;
};

static void push(char ***list, size_t *n, char *v)
{
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = v;
}

/* Returns -1 on success, else the exit status. */
static int parse_args(int argc, char **argv, struct fixup_args *a)
{
    enum { O_MAP = 256, O_ROLE, O_TARGET, O_DB, O_REPORT, O_INCOMPLETE, O_HELP };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"map", required_argument, NULL, O_MAP},
        {"role-map", required_argument, NULL, O_ROLE},
        {"target", required_argument, NULL, O_TARGET},
        {"database", required_argument, NULL, O_DB},
        {"report", required_argument, NULL, O_REPORT},
        {"allow-incomplete", no_argument, NULL, O_INCOMPLETE},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a->config = optarg; break;
        case O_MAP: push(&a->maps, &a->nmaps, optarg); break;
        case O_ROLE: push(&a->role_maps, &a->nrole_maps, optarg); break;
        case O_TARGET: a->target = optarg; break;
        case O_DB: a->database = optarg; break;
        case O_REPORT: a->report = optarg; break;
        case O_INCOMPLETE: a->allow_incomplete = true; break;
        case O_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        usage(stderr);
        return 2;
    }
    return -1;
}

static int build_options(const struct fixup_args *a, struct plan *p, struct fixup_options *o,
                         struct strbuf *err)
{
    if (a->target)
        plan_set(p, PLAN_target_location, a->target, SRC_COMMAND_LINE, NULL);
    if (a->database)
        plan_set(p, PLAN_db_database_name, a->database, SRC_COMMAND_LINE, NULL);
    if (plan_get(p, PLAN_target_location)[0] != '/') {
        sb_append(err, _("the target location must be an absolute path"));
        return -1;
    }
    if (fixup_plan_defaults(p, o, err) < 0)
        return -1;
    for (size_t i = 0; i < a->nmaps; i++)
        if (path_rules_add_spec(&o->rules, a->maps[i], err) < 0)
            return -1;
    for (size_t i = 0; i < a->nrole_maps; i++)
        if (fixup_options_add_role(o, a->role_maps[i], err) < 0)
            return -1;
    return 0;
}

/* The report file, opened before any work so that a bad name changes nothing: a new file
 * (0600, O_EXCL, nothing existing is overwritten), or an existing character device or pipe
 * such as /dev/null or /dev/stdout. -1 for standard output; -2 on error. */
static int open_report(const char *path, bool *created, struct strbuf *err)
{
    *created = false;
    if (!path)
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        *created = true;
        return fd;
    }
    if (errno != EEXIST) {
        sb_printf(err, _("cannot create %s: %s"), path, strerror(errno));
        return -2;
    }
    /* O_NONBLOCK: a pipe nobody reads fails at once instead of hanging; cleared below */
    fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        sb_printf(err, _("cannot open %s: %s"), path, strerror(errno));
        return -2;
    }
    struct stat st;
    int fl = fcntl(fd, F_GETFL);
    if (fstat(fd, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) && fl >= 0 &&
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0)
        return fd;
    close(fd);
    sb_printf(err, _("%s already exists: the report goes to a new file or a device such as /dev/null"),
              path);
    return -2;
}

static int write_report(int fd, const char *path, const char *text, struct strbuf *err)
{
    if (fd == -1) {
        fputs(text, stdout);
        return fflush(stdout) == 0 ? 0 : -1;
    }
    /* a pipe may take less than all at once */
    for (size_t len = strlen(text); len > 0;) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            sb_printf(err, _("cannot write %s: %s"), path, strerror(n < 0 ? errno : EIO));
            return -1;
        }
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fixup_files(const struct fixup_args *a, const struct fixup_options *o,
                       const char *in_path, const char *out_path, int report_fd,
                       const struct reporter *rep, struct strbuf *err)
{
    struct dump_reader *in = dump_reader_open(in_path, err);
    if (!in)
        return -1;
    struct dump_writer *out = dump_writer_create(out_path, dump_compression_for_name(out_path), 2, err);
    if (!out) {
        dump_reader_close(in);
        return -1;
    }
    struct fixup_stats st = {0};
    int rc = fixup_run(o, in, out, rep, &st, err);
    dump_reader_close(in);
    if (rc == 0 && !st.complete && !a->allow_incomplete) {
        sb_append(err, _("the dump is incomplete: its \"dump complete\" line is missing"));
        rc = -1;
    }
    if (rc < 0) {
        dump_writer_abort(out);
    } else {
        rc = dump_writer_finish(out, false, err);
    }
    if (rc == 0) {
        struct strbuf text = {0};
        fixup_report_text(o, &st, &text);
        rc = write_report(report_fd, a->report, sb_str(&text), err);
        sb_free(&text);
        if (st.media_location_unmapped)
            report_msg(rep, REC_WARNING, _("the old MediaLocation %s matches no path rule"),
                       st.old_media_location);
    }
    fixup_stats_free(&st);
    return rc;
}

static int run(const struct fixup_args *a, const struct fixup_options *o, const char *in_path,
               const char *out_path, struct strbuf *err)
{
    if (safe_dir_judge_for_file(out_path, err) < 0)
        return 1;
    bool created;
    int report_fd = open_report(a->report, &created, err);
    if (report_fd == -2)
        return 1;
    struct reporter rep;
    struct cli_reporter_state rs;
    cli_reporter_init(&rep, &rs, "fixup", false);
    cli_signals_install();
    int rc = fixup_files(a, o, in_path, out_path, report_fd, &rep, err);
    if (report_fd >= 0 && close(report_fd) < 0 && rc == 0) {
        sb_printf(err, _("cannot write %s: %s"), a->report, strerror(errno));
        rc = -1;
    }
    if (rc < 0 && created)
        unlink(a->report);
    return rc == 0 ? 0 : 1;
}

int cmd_fixup(int argc, char **argv)
{
    struct fixup_args a = {0};
    int status = parse_args(argc, argv, &a);
    if (status >= 0)
        goto out;
    struct plan p;
    struct fixup_options o;
    struct strbuf err = {0};
    fixup_options_init(&o);
    status = 1;
    if (cli_db_load_plan(&p, "fixup", a.config) == 0) {
        if (build_options(&a, &p, &o, &err) < 0) {
            status = 2;
        } else {
            status = run(&a, &o, argv[optind], argv[optind + 1], &err);
        }
        if (status)
            cli_db_error("fixup", "%s", sb_str(&err));
    }
    fixup_options_free(&o);
    plan_free(&p);
    sb_free(&err);
out:
    free(a.maps);
    free(a.role_maps);
    return status;
}
