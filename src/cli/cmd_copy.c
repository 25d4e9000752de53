/* immich-migrate copy SRC DST [--no-verify] [--no-space-check] [--record FILE [--live]]
 * [--archive FILE [--originals]] [--state-dir DIR] [--override GATES] */
#include "common.h"
#include "cli/cli_gates.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "files/backup.h"
#include "files/copy.h"
#include "sys/safe_dir.h"

#include <getopt.h>
#include <stdio.h>

static void copy_usage(FILE *to)
{
    fprintf(to, _("Usage: immich-migrate copy [OPTION]... SRC DST\n"
                  "Copy the library SRC to DST exactly (content, modes, owners, times, symlinks,\n"
                  "hard links, empty directories), then compare DST with SRC. An interrupted copy\n"
                  "continues where it stopped when run again. SRC is only read. DST, resolved,\n"
                  "must not be in a system directory. Files are cloned where the file system\n"
                  "can (btrfs, XFS with reflink): no new space, and the comparison trusts their\n"
                  "content; the summary says how much was cloned and how much written.\n\n"
                  "      --no-verify      skip the comparison afterwards (with --live: the\n"
                  "                       read-back)\n"
                  "      --no-space-check start even when DST's file system has less free space\n"
                  "                       than is left to copy\n"
                  "      --record FILE    keep in FILE what was copied from which state of each\n"
                  "                       source file; a later run with the same FILE (the\n"
                  "                       catch-up) copies only new and changed files and removes\n"
                  "                       from DST only its own copies of entries gone from SRC\n"
                  "      --live           SRC is in use (Immich runs): files that change or\n"
                  "                       vanish while copied are left to the catch-up; needs\n"
                  "                       --record. Instead of the comparison with the moving\n"
                  "                       SRC, each copy is read back from the disk (SRC is not\n"
                  "                       read) against the hash taken while copying it and\n"
                  "                       marked in FILE; the catch-up then reads again only\n"
                  "                       the copies it makes and those touched since\n"
                  "      --archive FILE   also write FILE, a backup archive as `backup` writes it\n"
                  "                       (with FILE.manifest), from the bytes the copy reads:\n"
                  "                       SRC is read once. With --record, FILE.record keeps the\n"
                  "                       record as the archive holds it, for the catch-up\n"
                  "                       `backup --since FILE.record --base FILE`\n"
                  "      --originals      with --archive: the archive leaves out the contents of\n"
                  "                       thumbs/ and encoded-video/ (the copy does not)\n"
                  "  -h, --help           show this help and exit\n"));
    cli_gates_usage(to, true);
}

int cmd_copy(int argc, char **argv)
{
    enum {
        OPT_NO_VERIFY = 256,
        OPT_NO_SPACE_CHECK,
        OPT_RECORD,
        OPT_LIVE,
        OPT_STATE_DIR,
        OPT_OVERRIDE,
        OPT_ARCHIVE,
        OPT_ORIGINALS
    };
    static const struct option opts[] = {
        {"no-verify", no_argument, NULL, OPT_NO_VERIFY},
        {"no-space-check", no_argument, NULL, OPT_NO_SPACE_CHECK},
        {"record", required_argument, NULL, OPT_RECORD},
        {"live", no_argument, NULL, OPT_LIVE},
        {"archive", required_argument, NULL, OPT_ARCHIVE},
        {"originals", no_argument, NULL, OPT_ORIGINALS},
        {"state-dir", required_argument, NULL, OPT_STATE_DIR},
        {"override", required_argument, NULL, OPT_OVERRIDE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct copy_options o = {.verify = true, .space_check = true};
    struct backup_options b;
    backup_options_init(&b);
    o.archive_level = b.level;
    o.archive_threads = b.threads;
    struct cli_gates gates;
    cli_gates_init(&gates);
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_NO_VERIFY: o.verify = false; break;
        case OPT_NO_SPACE_CHECK: o.space_check = false; break;
        case OPT_RECORD: o.record = optarg; break;
        case OPT_LIVE: o.live = true; break;
        case OPT_ARCHIVE: o.archive = optarg; break;
        case OPT_ORIGINALS: o.archive_strategy = BACKUP_ORIGINALS; break;
        case OPT_STATE_DIR: gates.opt.state_dir = optarg; break;
        case OPT_OVERRIDE:
            if (cli_gates_override("copy", optarg, &gates.opt.overrides) < 0)
                return 2;
            break;
        case 'h': copy_usage(stdout); return 0;
        default: copy_usage(stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, _("immich-migrate copy: expected SRC and DST\n"));
        copy_usage(stderr);
        return 2;
    }
    if (o.live && !o.record) {
        fprintf(stderr, _("immich-migrate copy: --live needs --record\n"));
        return 2;
    }
    if (o.archive_strategy == BACKUP_ORIGINALS && !o.archive) {
        fprintf(stderr, _("immich-migrate copy: --originals needs --archive\n"));
        return 2;
    }
    struct reporter rep;
    struct cli_reporter_state st;
    cli_reporter_init(&rep, &st, "copy", false);
    cli_signals_install();
    struct strbuf err = {0};
    struct copy_stats stats;
    enum files_result r = FILES_FAILED;
    /* Nobody else may write where the archive goes: it could be swapped before a restore. */
    if (o.archive && safe_dir_judge_for_file(o.archive, &err) < 0)
        r = FILES_FAILED;
    else if (cli_gates_enter(&gates, "copy", "copy", &rep, &err) == 0)
        r = copy_library(argv[optind], argv[optind + 1], &o, &rep, &stats, &err);
    cli_gates_leave(&gates);
    return finish_command("copy", r, &err);
}
