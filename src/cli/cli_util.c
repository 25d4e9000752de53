#include "common.h"
#include "cli/cli_util.h"
#include "report.h"
#include "textesc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int parse_int_option(const char *cmd, const char *opt, const char *text, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr, _("immich-migrate %s: %s wants a number from %d to %d, not \"%s\"\n"), cmd,
                opt, min, max, text);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int finish_command(const char *cmd, enum files_result r, struct strbuf *err)
{
    int status = 0;
    switch (r) {
    case FILES_OK: break;
    case FILES_CANCELLED:
        fprintf(stderr, _("immich-migrate %s: cancelled; nothing that looks complete was left\n"), cmd);
        status = cli_stop_signal() ? 128 + cli_stop_signal() : 1;
        break;
    case FILES_DIFFERENT:
    case FILES_FAILED: {
        char *shown = ctl_escape_dup(err->len ? sb_str(err) : _("failed"), true);
        fprintf(stderr, "immich-migrate %s: %s\n", cmd, shown);
        free(shown);
        status = 1;
        break;
    }
    }
    sb_free(err);
    return status;
}
