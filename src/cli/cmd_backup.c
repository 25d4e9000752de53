/* immich-migrate backup SRC ARCHIVE [--level N] [--threads N] [--no-space-check] [--originals]
 * [--since RECORD --base BASE] */
#include "common.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "files/backup.h"
#include "sys/safe_dir.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void backup_usage(FILE *to)
{
    fprintf(to, _("Usage: immich-migrate backup [OPTION]... SRC ARCHIVE\n"
                  "Write the library SRC as a zstd-compressed pax tar ARCHIVE (readable by GNU tar\n"
                  "and bsdtar) and a manifest ARCHIVE.manifest beside it. ARCHIVE's directory\n"
                  "must be writable only by root (or you), as must every directory above it\n"
                  "(sticky ones like /tmp excepted).\n\n"
                  "  -l, --level=N        zstd compression level 1-19 (default 3)\n"
                  "  -t, --threads=N      compression threads (default: CPUs - 1, at most 4;\n"
                  "                       0 = compress in the reading thread)\n"
                  "      --no-space-check start even with less free space than the library's size\n"
                  "      --originals      leave out what Immich regenerates: the contents of\n"
                  "                       thumbs/ and encoded-video/ (their .immich markers stay)\n"
                  "      --base BASE      the catch-up after `copy --archive BASE`: only what\n"
                  "                       changed since BASE (files BASE.record names with the\n"
                  "                       same size, mtime and ctime are left out); the paths\n"
                  "                       of BASE that SRC no longer has go to ARCHIVE.removed,\n"
                  "                       each followed by a NUL byte. Restore: extract BASE,\n"
                  "                       remove those paths, extract ARCHIVE\n"
                  "      --since RECORD   with --base: the record to compare with (default\n"
                  "                       BASE.record)\n"
                  "  -h, --help           show this help and exit\n"));
}

int cmd_backup(int argc, char **argv)
{
    enum { OPT_NO_SPACE_CHECK = 256, OPT_ORIGINALS, OPT_SINCE, OPT_BASE };
    static const struct option opts[] = {
        {"level", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"no-space-check", no_argument, NULL, OPT_NO_SPACE_CHECK},
        {"originals", no_argument, NULL, OPT_ORIGINALS},
        {"since", required_argument, NULL, OPT_SINCE},
        {"base", required_argument, NULL, OPT_BASE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct backup_options o;
    backup_options_init(&o);
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "l:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (parse_int_option("backup", "--level", optarg, 1, 19, &o.level) != 0)
                return 2;
            break;
        case 't':
            if (parse_int_option("backup", "--threads", optarg, 0, 256, &o.threads) != 0)
                return 2;
            break;
        case OPT_NO_SPACE_CHECK: o.space_check = false; break;
        case OPT_ORIGINALS: o.strategy = BACKUP_ORIGINALS; break;
        case OPT_SINCE: o.since = optarg; break;
        case OPT_BASE: o.base = optarg; break;
        case 'h': backup_usage(stdout); return 0;
        default: backup_usage(stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, _("immich-migrate backup: expected SRC and ARCHIVE\n"));
        backup_usage(stderr);
        return 2;
    }
    char *since = NULL;
    if (o.since && !o.base) {
        fprintf(stderr, _("immich-migrate backup: --since needs --base\n"));
        return 2;
    }
    if (o.base && !o.since)
        o.since = since = xasprintf("%s.record", o.base);
    struct reporter rep;
    struct cli_reporter_state st;
    cli_reporter_init(&rep, &st, "backup", false);
    cli_signals_install();
    struct strbuf err = {0};
    /* Nobody else may write where the archive goes: it could be swapped before a restore. */
    enum files_result r = safe_dir_judge_for_file(argv[optind + 1], &err) < 0
                              ? FILES_FAILED
                              : backup_library(argv[optind], argv[optind + 1], &o, &rep, &err);
    free(since);
    return finish_command("backup", r, &err);
}
