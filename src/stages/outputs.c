/* The output files stages write into backup_dir: their names, chosen once, and the names of
 * unfinished ones. */
#include "stages/stage.h"
#include "journal.h"

#include <stdlib.h>
#include <string.h>

/* Do a and b name files in the same directory? */
static bool same_directory(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    size_t na = sa ? (size_t)(sa - a) : 0, nb = sb ? (size_t)(sb - b) : 0;
    return na == nb && strncmp(a, b, na) == 0;
}

char *stage_claim_output(struct stage_ctx *ctx, enum artifact a, char *fresh, struct strbuf *err)
{
    char *pending = artifact_pending(ctx, a);
    char *path = fresh;
    /* A pending name in another directory (backup_dir was changed since) is not reused. */
    if (pending && *pending && same_directory(pending, fresh)) {
        free(fresh);
        path = pending;
        pending = NULL;
    } else {
        artifact_set_pending(ctx, a, fresh);
        if (ctx->journal && journal_save(ctx->journal, err) < 0) {
            free(fresh);
            path = NULL;
        }
    }
    free(pending);
    return path;
}

void stage_commit_output(struct stage_ctx *ctx, enum artifact a, const char *path)
{
    artifact_set_text(ctx, a, path);
    artifact_set_pending(ctx, a, "");
}

bool stage_partial_name(const char *name)
{
    static const char prefix[] = "immich-", suffix[] = ".partial";
    size_t n = strlen(name);
    return n > sizeof prefix + sizeof suffix - 2 && strncmp(name, prefix, sizeof prefix - 1) == 0 &&
           strcmp(name + n - (sizeof suffix - 1), suffix) == 0;
}
