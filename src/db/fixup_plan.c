/* The fix-up options a plan implies (the fixup stage and `immich-migrate fixup` share them). */
#include "db/fixup_plan.h"

#include <stdlib.h>

int fixup_plan_defaults(const struct plan *p, struct fixup_options *o, struct strbuf *err)
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
