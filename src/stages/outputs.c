/* The output files stages write into backup_dir: their names, chosen once, and the names of
 * unfinished ones. */
#include "stages/stage.h"
#include "journal.h"

#include <stdlib.h>
#include <string.h>

/* May a pending name stand for fresh? Both in the same directory (backup_dir was not changed
 * since) and of the same kind: the same name up to its first digit (the time stamp), so an
 * "immich-originals-..." archive does not stand for an "immich-library-..." one. */
static bool reusable(const char *pending, const char *fresh)
{
    if (!pending || !*pending)
        return false;
    const char *sa = strrchr(pending, '/'), *sb = strrchr(fresh, '/');
    size_t na = sa ? (size_t)(sa - pending) : 0, nb = sb ? (size_t)(sb - fresh) : 0;
    if (na != nb || strncmp(pending, fresh, na) != 0)
        return false;
    const char *ba = sa ? sa + 1 : pending, *bb = sb ? sb + 1 : fresh;
    size_t ka = strcspn(ba, "0123456789"), kb = strcspn(bb, "0123456789");
    return ka == kb && strncmp(ba, bb, ka) == 0;
}

char *stage_output_name(const struct stage_ctx *ctx, enum artifact a, char *fresh)
{
    char *names[] = {artifact_pending(ctx, a), artifact_text(ctx, a)};
    char *name = fresh;
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        if (name == fresh && reusable(names[i], fresh)) {
            name = names[i];
            names[i] = NULL;
        }
        free(names[i]);
    }
    if (name != fresh)
        free(fresh);
    return name;
}

char *stage_claim_output(struct stage_ctx *ctx, enum artifact a, char *fresh, struct strbuf *err)
{
    char *pending = artifact_pending(ctx, a);
    char *path = fresh;
    if (reusable(pending, fresh)) {
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
