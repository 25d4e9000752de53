#include "cli/cli_options.h"
#include "app.h"
#include "redact.h"
#include "cli/cli_gates.h"

#include <getopt.h>
#include <stdlib.h>

int cmd_parse_options(const char *name, int argc, char **argv, void (*usage)(FILE *),
                      bool with_since, struct cmd_options *o)
{
    enum { OPT_STATE_DIR = 256, OPT_SINCE };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"state-dir", required_argument, NULL, OPT_STATE_DIR},
        {"since", required_argument, NULL, OPT_SINCE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct cmd_options){.state_dir = DEFAULT_STATE_DIR};
    const char *config = NULL;
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case OPT_STATE_DIR: o->state_dir = optarg; break;
        case OPT_SINCE:
            if (!with_since)
                goto bad;
            o->since = optarg;
            break;
        case 'h': usage(stdout); return 0;
        default: goto bad;
        }
    }
    if (optind != argc || !config) {
        fprintf(stderr, _("immich-migrate %s: -c CONFIG is required\n"), name);
        goto bad;
    }
    plan_init(&o->plan);
    struct strbuf err = {0};
    struct strbuf bad = {0};
    int problems = plan_load_file(&o->plan, config, &err);
    /* Names starting with "-" would reach docker and psql as options: refused before. */
    if (problems == 0 && (problems = plan_validate_non_paths(&o->plan, &bad)) > 0)
        sb_printf(&err, "%s: %s", config, sb_str(&bad));
    sb_free(&bad);
    if (problems != 0) {
        char *safe = redact_dup(sb_str(&err));
        fprintf(stderr, "immich-migrate %s: %s\n", name, safe);
        free(safe);
        sb_free(&err);
        plan_free(&o->plan);
        return 2;
    }
    sb_free(&err);
    return -1;
bad:
    usage(stderr);
    return 2;
}

int owner_parse_options(const char *name, int argc, char **argv, void (*usage)(FILE *),
                        bool for_chown, struct owner_options *o)
{
    enum { OPT_TARGET = 256, OPT_STATE_DIR, OPT_OVERRIDE };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"target-location", required_argument, NULL, OPT_TARGET},
        {"state-dir", required_argument, NULL, OPT_STATE_DIR},
        {"override", required_argument, NULL, OPT_OVERRIDE},
        {"yes", no_argument, NULL, 'y'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct owner_options){.state_dir = APP_DEFAULT_STATE_DIR};
    optind = 0;
    int c, li;
    while ((c = getopt_long(argc, argv, "c:yh", opts, &li)) != -1) {
        if (!for_chown && (c == OPT_TARGET || c == OPT_OVERRIDE)) {
            fprintf(stderr, _("immich-migrate %s: --%s is only for chown\n"), name, opts[li].name);
            c = '?';
        }
        switch (c) {
        case 'c': o->config = optarg; break;
        case OPT_TARGET: o->target = optarg; break;
        case OPT_STATE_DIR: o->state_dir = optarg; break;
        case OPT_OVERRIDE:
            if (cli_gates_override(name, optarg, &o->overrides) < 0)
                return 2;
            break;
        case 'y': o->yes = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    return -1;
}
