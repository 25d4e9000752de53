/* Artifacts: where their texts live (the journal, else the context's memory) and the typed
 * accessors over them. */
#include "stages/stage.h"
#include "journal.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[ART_COUNT] = {
#define X(key, type) #key,
    STAGE_ARTIFACTS(X)
#undef X
};

static const char *const pending_names[ART_COUNT] = {
#define X(key, type) #key ".pending",
    STAGE_ARTIFACTS(X)
#undef X
};

const char *artifact_name(enum artifact a)
{
    return names[a];
}

const char *artifact_pending_name(enum artifact a)
{
    return pending_names[a];
}

int artifact_by_name(const char *name)
{
    for (int a = 0; a < ART_COUNT; a++)
        if (strcmp(names[a], name) == 0)
            return a;
    return -1;
}

static char *get(const struct stage_ctx *ctx, const char *name, char *const *slot)
{
    if (ctx->journal)
        return journal_artifact(ctx->journal, name);
    return *slot ? xstrdup(*slot) : NULL;
}

static void put(struct stage_ctx *ctx, const char *name, char **slot, const char *text)
{
    if (ctx->journal) {
        journal_set_artifact(ctx->journal, name, text);
        return;
    }
    free(*slot);
    *slot = xstrdup(text);
}

char *artifact_text(const struct stage_ctx *ctx, enum artifact a)
{
    return get(ctx, names[a], &ctx->memory.text[a]);
}

void artifact_set_text(struct stage_ctx *ctx, enum artifact a, const char *text)
{
    put(ctx, names[a], &ctx->memory.text[a], text);
}

char *artifact_pending(const struct stage_ctx *ctx, enum artifact a)
{
    return get(ctx, pending_names[a], &ctx->memory.pending[a]);
}

void artifact_set_pending(struct stage_ctx *ctx, enum artifact a, const char *text)
{
    put(ctx, pending_names[a], &ctx->memory.pending[a], text);
}

bool artifact_flag(const struct stage_ctx *ctx, enum artifact a)
{
    char *text = artifact_text(ctx, a);
    bool v = text && artifact_decode_flag(text);
    free(text);
    return v;
}

void artifact_set_flag(struct stage_ctx *ctx, enum artifact a, bool v)
{
    struct strbuf text = {0};
    artifact_encode_flag(v, &text);
    artifact_set_text(ctx, a, sb_str(&text));
    sb_free(&text);
}

int artifact_mounts(const struct stage_ctx *ctx, enum artifact a, struct ext_mounts *out,
                    struct strbuf *err)
{
    *out = (struct ext_mounts){0};
    char *text = artifact_text(ctx, a);
    int rc = !text ? 0 : artifact_decode_mounts(text, out, err) == 0 ? 1 : -1;
    free(text);
    return rc;
}

void artifact_set_mounts(struct stage_ctx *ctx, enum artifact a, const struct ext_mounts *m)
{
    struct strbuf text = {0};
    artifact_encode_mounts(m, &text);
    artifact_set_text(ctx, a, sb_str(&text));
    sb_free(&text);
}

bool artifact_verify(const struct stage_ctx *ctx, enum artifact a, struct verify_result *out)
{
    *out = (struct verify_result){0};
    char *text = artifact_text(ctx, a);
    bool ok = text && artifact_decode_verify(text, out) == 0;
    free(text);
    return ok;
}

void artifact_set_verify(struct stage_ctx *ctx, enum artifact a, const struct verify_result *r)
{
    struct strbuf text = {0};
    artifact_encode_verify(r, &text);
    artifact_set_text(ctx, a, sb_str(&text));
    sb_free(&text);
}

const char *stage_artifact(const struct stage_ctx *ctx, const char *name)
{
    int a = artifact_by_name(name);
    return a < 0 ? NULL : ctx->memory.text[a];
}

int stage_set_artifact(struct stage_ctx *ctx, const char *name, const char *text)
{
    int a = artifact_by_name(name);
    if (a < 0)
        return -1;
    artifact_set_text(ctx, (enum artifact)a, text);
    return 0;
}

void stage_ctx_free(struct stage_ctx *ctx)
{
    for (size_t a = 0; a < ART_COUNT; a++) {
        free(ctx->memory.text[a]);
        free(ctx->memory.pending[a]);
    }
    ctx->memory = (struct artifact_memory){0};
}
