/* Options shared by `check` and `verify`: -c CONFIG, --state-dir, --since, --help. */
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

#endif
