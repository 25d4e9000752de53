/* Options shared by `check` and `verify` (-c CONFIG, --state-dir, --since, --help), and by
 * `chown` and `restore-owners` (-c CONFIG, --state-dir, --yes, --help; chown's own too). */
#ifndef IM_CLI_CLI_OPTIONS_H
#define IM_CLI_CLI_OPTIONS_H

#include <stdio.h>

#include "plan.h"

struct cmd_options {
    struct plan plan;
    const char *state_dir;
    const char *since; /* verify only */
};

/* Returns -1 when the command should run (o filled, plan loaded), else the exit status
 * (0 after --help, 2 for a usage error or an unreadable config). */
int cmd_parse_options(const char *name, int argc, char **argv, void (*usage)(FILE *),
                      bool with_since, struct cmd_options *o);

/* The options of chown and restore-owners. */
struct owner_options {
    const char *config;    /* -c: the plan file, NULL = none */
    const char *target;    /* --target-location (chown) */
    const char *state_dir; /* where the owners manifest is; default /var/lib/immich-migrate */
    unsigned overrides;    /* --override (chown): stage gates passed over */
    bool yes;
};

/* Parses the options of `immich-migrate NAME` into o; with for_chown also --target-location
 * and --override. The arguments are left at argv[optind..]. Returns -1 when the command
 * should run, else the exit status (0 after --help, 2 for a usage error). */
int owner_parse_options(const char *name, int argc, char **argv, void (*usage)(FILE *),
                        bool for_chown, struct owner_options *o);

#endif
