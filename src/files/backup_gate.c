#include "common.h"
#include "files/backup_gate.h"

#include <string.h>

bool stage_backup_verified(const struct stage_ctx *ctx, struct strbuf *err)
{
    const char *v = stage_artifact(ctx, "backup_verified");
    if (v && strcmp(v, "yes") == 0)
        return true;
    sb_append(err, _("refusing to run before a verified backup exists (run backup and verify_backup)"));
    return false;
}
