#include "cli/cli_gates.h"
#include "app.h"
#include "textesc.h"

#include <stdlib.h>
#include <string.h>

static void print_error(const char *cmd, const char *text)
{
    char *shown = ctl_escape_dup(text, false);
    fprintf(stderr, "immich-migrate %s: %s\n", cmd, shown);
    free(shown);
}

void cli_gates_init(struct cli_gates *g)
{
    memset(g, 0, sizeof *g);
    g->opt.state_dir = APP_DEFAULT_STATE_DIR;
    g->session.lock_fd = -1;
}

int cli_gates_override(const char *cmd, const char *list, unsigned *overrides)
{
    struct strbuf err = {0};
    int rc = stage_gates_parse(list, overrides, &err);
    if (rc < 0)
        print_error(cmd, sb_str(&err));
    sb_free(&err);
    return rc;
}

void cli_gates_usage(FILE *to, bool with_state_dir)
{
    fputs(_("\nWhile a migration is under way in STATE (its journal is unfinished), this\n"
            "runs only when that migration's gates for this stage hold:\n"),
          to);
    if (with_state_dir)
        fputs(_("      --state-dir=STATE  the migration's state directory\n"
                "                         (default /var/lib/immich-migrate)\n"),
              to);
    fputs(_("      --override=GATES   run even though these gates do not hold\n"
            "                         (checks, backup, nixos); recorded in its log\n"),
          to);
}

int cli_gates_enter(struct cli_gates *g, const char *cmd, const char *stage_id,
                    const struct reporter *rep, struct strbuf *err)
{
    return session_open_alone(&g->session, &g->opt, stage_find(stage_id), cmd, rep, err);
}

void cli_gates_leave(struct cli_gates *g)
{
    session_close(&g->session);
}
