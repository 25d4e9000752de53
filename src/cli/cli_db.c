#include "cli/cli_db.h"

#include <stdio.h>
#include <stdlib.h>

void cli_db_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "immich-migrate %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_db_load_plan(struct plan *p, const char *cmd, const char *path)
{
    plan_init(p);
    if (!path)
        return 0;
    struct strbuf err = {0};
    int rc = plan_load_file(p, path, &err) == 0 ? 0 : -1;
    /* Names starting with "-" would reach pg_dump and docker as options. */
    if (rc == 0 && plan_validate_non_paths(p, &err) > 0) {
        char *text = xasprintf("%s: %s", path, sb_str(&err));
        sb_reset(&err);
        sb_append(&err, text);
        free(text);
        rc = -1;
    }
    if (rc < 0)
        cli_db_error(cmd, "%s", sb_str(&err));
    sb_free(&err);
    return rc;
}
