/* immich-migrate verify-backup ARCHIVE            (against ARCHIVE.manifest)
 * immich-migrate verify-backup [--originals] ARCHIVE SRC   (against the library SRC) */
#include "common.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "files/verify.h"

#include <getopt.h>
#include <stdio.h>

static void verify_backup_usage(FILE *to)
{
    fprintf(to, _("Usage: immich-migrate verify-backup ARCHIVE\n"
                  "   or: immich-migrate verify-backup [--originals] ARCHIVE SRC\n"
                  "Read ARCHIVE back and compare every entry with the manifest the backup wrote\n"
                  "beside it (ARCHIVE.manifest), without reading the library: type, mode, owner,\n"
                  "mtime, size, content checksum, symlink target and hard links. A missing,\n"
                  "truncated or edited manifest is an error. With SRC, compare with the library\n"
                  "SRC instead, byte for byte (reads the library again: for an archive without a\n"
                  "manifest). Lists every entry only on one side, or different; exits 1 on any.\n\n"
                  "      --originals      with SRC: the archive was written with backup\n"
                  "                       --originals: the contents of thumbs/ and encoded-video/\n"
                  "                       are not compared\n"
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
    if (argc - optind != 1 && argc - optind != 2) {
        fprintf(stderr, _("immich-migrate verify-backup: expected ARCHIVE [SRC]\n"));
        verify_backup_usage(stderr);
        return 2;
    }
    struct reporter rep;
    struct cli_reporter_state st;
    cli_reporter_init(&rep, &st, "verify-backup", false);
    cli_signals_install();
    struct strbuf err = {0};
    struct verify_counts n;
    enum files_result r =
        argc - optind == 1
            ? verify_backup_manifest(argv[optind], &rep, &n, &err)
            : verify_backup(argv[optind], argv[optind + 1], strategy, &rep, &n, &err);
    return finish_command("verify-backup", r, &err);
}
