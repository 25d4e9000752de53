/* --state-dir and --override for the subcommands of the destructive stages (prepare-db,
 * import, copy, chown): run inside a migration that is under way in the state directory, they
 * keep its gates as batch does (session_open_alone, session.h); run alone, nothing changes. */
#ifndef IM_CLI_CLI_GATES_H
#define IM_CLI_CLI_GATES_H

#include <stdio.h>

#include "session.h"

struct cli_gates {
    struct session_options opt; /* state_dir and overrides from the command line */
    struct session session;     /* the migration's lock and log while the command runs */
};

/* The default state directory, no overrides. */
void cli_gates_init(struct cli_gates *g);
/* --override=LIST: adds the gates named to *overrides (e.g. &g->opt.overrides). -1 after
 * printing "immich-migrate CMD: ...". */
int cli_gates_override(const char *cmd, const char *list, unsigned *overrides);
/* Prints the help lines for --override, and for --state-dir when with_state_dir. */
void cli_gates_usage(FILE *to, bool with_state_dir);
/* Before command cmd (stage stage_id) changes anything: 0 to go on, or -1 with a message
 * (the gates refused or the state directory is unsafe; nothing changed). Either way call
 * cli_gates_leave afterwards. */
int cli_gates_enter(struct cli_gates *g, const char *cmd, const char *stage_id,
                    const struct reporter *rep, struct strbuf *err);
/* Releases the migration's lock and log. */
void cli_gates_leave(struct cli_gates *g);

#endif
