/* immich-migrate verify-backup [--originals] ARCHIVE SRC */
#include "common.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "files/verify.h"

#include <getopt.h>
#include <stdio.h>

static void verify_backup_usage(FILE *to)
{
    fprintf(to, _("Usage: immich-migrate verify-backup [--originals] ARCHIVE SRC\n"
                  "Read ARCHIVE back and compare every entry with the library SRC: type, mode,\n"
                  "owner, mtime, size, content, symlink target and hard links. Lists every entry\n"
                  "only in the archive, only in the library, or different; exits 1 on any.\n\n"
                  "      --originals      the archive was written with backup --originals: the\n"
                  "                       contents of thumbs/ and encoded-video/ are not compared\n"
                  "  -h, --help           show this help and exit\n"));
}

int cmd_verify_backup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"originals", no_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    int c;
    enum backup_strategy strategy = BACKUP_ARCHIVE;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'o') {
            strategy = BACKUP_ORIGINALS;
            continue;
        }
        if (c == 'h') {
            verify_backup_usage(stdout);
            return 0;
        }
        verify_backup_usage(stderr);
        return 2;
    }
    if (argc - optind != 2) {
        fprintf(stderr, _("immich-migrate verify-backup: expected ARCHIVE and SRC\n"));
        verify_backup_usage(stderr);
        return 2;
    }
    struct reporter rep;
    struct cli_reporter_state st;
    cli_reporter_init(&rep, &st, "verify-backup", false);
    cli_signals_install();
    struct strbuf err = {0};
    struct verify_counts n;
    enum files_result r = verify_backup(argv[optind], argv[optind + 1], strategy, &rep, &n, &err);
    return finish_command("verify-backup", r, &err);
}
