/* immich-migrate verify -c CONFIG: is everything the migrated database names there? */
#include "common.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "discover/paths.h"
#include "discover/verify.h"
#include "redact.h"
#include "summary.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void verify_usage(FILE *to)
{
    fprintf(to, _("Usage: immich-migrate verify -c CONFIG [--state-dir DIR] [--since TIME]\n"
                  "Check the migrated installation: every file path in the NixOS database exists\n"
                  "and belongs to media_owner, the .immich markers exist, and the immich-server\n"
                  "journal since TIME (journalctl syntax, default -1h) has no errors. Files that\n"
                  "were already missing in Docker (DIR/dangling-paths, written by 'check') are\n"
                  "reported apart as a warning. Exits 1 when something is missing.\n\n"
                  "  -c, --config=FILE    the plan (key = value)\n"
                  "      --state-dir=DIR  default /var/lib/immich-migrate\n"
                  "      --since=TIME     start of the journal to read (default -1h)\n"
                  "  -h, --help           show this help and exit\n"));
}

int cmd_verify(int argc, char **argv)
{
    struct cmd_options o;
    int rc = cmd_parse_options("verify", argc, argv, verify_usage, true, &o);
    if (rc >= 0)
        return rc;
    struct reporter rep;
    struct cli_reporter_state st;
    cli_reporter_init(&rep, &st, "verify", false);
    st.quiet_progress = true;
    cli_signals_install();
    char *dangling = xasprintf("%s/%s", o.state_dir, DANGLING_FILE_NAME);
    struct verify_result res;
    struct strbuf err = {0};
    rc = verify_all(&o.plan, dangling, o.since ? o.since : "-1h", &rep, &res, &err);
    free(dangling);
    if (rc < 0) {
        char *safe = redact_dup(sb_str(&err));
        fprintf(stderr, "immich-migrate verify: %s\n", safe);
        free(safe);
    } else {
        struct strbuf out = {0};
        sb_printf(&out,
                  _("assets: %llu\nfiles present: %llu\nfiles missing: %llu\n"
                    "already missing in Docker: %llu\nwrong owner: %llu\n"
                    "markers missing: %d\njournal errors: %d\nbytes present: %llu\n"),
                  (unsigned long long)res.assets, (unsigned long long)res.present,
                  (unsigned long long)res.missing, (unsigned long long)res.dangling,
                  (unsigned long long)res.wrong_owner, res.markers_missing, res.journal_errors,
                  (unsigned long long)res.bytes);
        fputs(sb_str(&out), stdout);
        sb_free(&out);
    }
    sb_free(&err);
    plan_free(&o.plan);
    return rc == 0 ? 0 : 1;
}
