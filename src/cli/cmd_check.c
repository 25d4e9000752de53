/* immich-migrate check -c CONFIG: discovery and the pre-flight checks, nothing else. */
#include "common.h"
#include "cli/cli_options.h"
#include "cli/commands.h"
#include "discover/preflight.h"

#include <getopt.h>
#include <stdio.h>

static void check_usage(FILE *to)
{
    fprintf(to, _("Usage: immich-migrate check -c CONFIG [--state-dir DIR]\n"
                  "Find the Docker installation and the NixOS target and run the pre-flight\n"
                  "checks: settings, path settings (resolved), backup and state directories\n"
                  "(writable only by root), versions, extensions, media owner, free space,\n"
                  "target location, lock. Each check prints PASS, WARN or FAIL (with what to\n"
                  "do); exits 1 when any fails. Changes nothing, except writing the list of\n"
                  "files already missing in Docker to DIR/dangling-paths for\n"
                  "'immich-migrate verify'.\n\n"
                  "  -c, --config=FILE    the plan (key = value)\n"
                  "      --state-dir=DIR  default /var/lib/immich-migrate\n"
                  "  -h, --help           show this help and exit\n"));
}

int cmd_check(int argc, char **argv)
{
    struct cmd_options o;
    int rc = cmd_parse_options("check", argc, argv, check_usage, false, &o);
    if (rc >= 0)
        return rc;
    struct reporter rep;
    struct cli_reporter_state st;
    cli_reporter_init(&rep, &st, "check", false);
    st.quiet_progress = true;
    cli_signals_install();
    struct discovery d = {0};
    struct check_list checks = {0};
    int failed = preflight_run(&o.plan, o.state_dir, true, &rep, &d, &checks);
    struct strbuf out = {0};
    checks_format(&checks, &out);
    for (int k = 0; k < PLAN_KEY_COUNT; k++)
        if (o.plan.v[k].source == SRC_DISCOVERED)
            sb_printf(&out, _("discovered: %s = %s (%s)\n"), plan_key_name((enum plan_key)k),
                      plan_get(&o.plan, (enum plan_key)k),
                      o.plan.v[k].origin ? o.plan.v[k].origin : "");
    fputs(sb_str(&out), stdout);
    if (failed)
        fprintf(stderr,
                ngettext("immich-migrate check: %d check failed\n",
                         "immich-migrate check: %d checks failed\n", failed),
                failed);
    sb_free(&out);
    check_list_free(&checks);
    discovery_free(&d);
    plan_free(&o.plan);
    return failed ? 1 : 0;
}
