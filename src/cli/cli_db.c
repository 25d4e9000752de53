#include "db/dbcmd.h"

#include <stdio.h>
#include <stdlib.h>

void dbcmd_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "immich-migrate %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int dbcmd_load_plan(struct plan *p, const char *cmd, const char *path)
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
        dbcmd_error(cmd, "%s", sb_str(&err));
    sb_free(&err);
    return rc;
}

int dbcmd_fixup_defaults(const struct plan *p, struct fixup_options *o, struct strbuf *err)
{
    const char *target = plan_get(p, PLAN_target_location);
    /* The upload mount up to v1.136 and the relative prefix of v1.52-v1.135. Installs with
     * another mount (/data) get theirs from docker inspect or --map. */
    static const char *const upload_prefixes[] = {"/usr/src/app/upload", "upload"};
    for (size_t i = 0; i < ARRAY_LEN(upload_prefixes); i++)
        if (path_rules_add(&o->rules, upload_prefixes[i], target, err) < 0)
            return -1;
    o->target_location = target;
    o->cluster_database = plan_get(p, PLAN_db_database_name);
    char *spec = xasprintf("%s=%s", plan_get(p, PLAN_db_username), plan_get(p, PLAN_target_db_owner));
    int rc = fixup_options_add_role(o, spec, err);
    free(spec);
    return rc;
}
