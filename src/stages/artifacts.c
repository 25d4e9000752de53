/* Artifacts live in the journal; a stage run alone (no journal) keeps them in memory. */
#include "stages/stage.h"
#include "journal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t memory_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *key;
    char *value;
} memory[64];
/* Replaced values stay alive (callers may still hold them) and reachable. */
static char **retired;
static size_t nretired;

static void retire(char *value)
{
    retired = xrealloc(retired, (nretired + 1) * sizeof *retired);
    retired[nretired++] = value;
}

const char *stage_artifact(const struct stage_ctx *ctx, const char *key)
{
    /* Returned strings stay valid for the process's life: values are interned below. */
    char *v = ctx->journal ? journal_artifact(ctx->journal, key) : NULL;
    const char *result = NULL;
    pthread_mutex_lock(&memory_lock);
    for (size_t i = 0; i < ARRAY_LEN(memory); i++) {
        if (memory[i].key && strcmp(memory[i].key, key) == 0) {
            if (v && strcmp(v, memory[i].value) != 0) {
                retire(memory[i].value);
                memory[i].value = v;
                v = NULL;
            }
            result = memory[i].value;
            break;
        }
        if (!memory[i].key && v) {
            memory[i].key = xstrdup(key);
            memory[i].value = v;
            v = NULL;
            result = memory[i].value;
            break;
        }
    }
    pthread_mutex_unlock(&memory_lock);
    free(v);
    return result;
}

void stage_set_artifact(struct stage_ctx *ctx, const char *key, const char *value)
{
    if (ctx->journal)
        journal_set_artifact(ctx->journal, key, value);
    pthread_mutex_lock(&memory_lock);
    for (size_t i = 0; i < ARRAY_LEN(memory); i++) {
        if (memory[i].key && strcmp(memory[i].key, key) == 0) {
            retire(memory[i].value);
            memory[i].value = xstrdup(value);
            break;
        }
        if (!memory[i].key) {
            memory[i].key = xstrdup(key);
            memory[i].value = xstrdup(value);
            break;
        }
    }
    pthread_mutex_unlock(&memory_lock);
}

/* Do a and b name files in the same directory? */
static bool same_directory(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    size_t na = sa ? (size_t)(sa - a) : 0, nb = sb ? (size_t)(sb - b) : 0;
    return na == nb && strncmp(a, b, na) == 0;
}

char *stage_claim_output(struct stage_ctx *ctx, const char *key, char *fresh, struct strbuf *err)
{
    char *pending_key = xasprintf("%s.pending", key);
    const char *pending = stage_artifact(ctx, pending_key);
    char *path = fresh;
    /* A pending name in another directory (backup_dir was changed since) is not reused. */
    if (pending && *pending && same_directory(pending, fresh)) {
        free(fresh);
        path = xstrdup(pending);
    } else {
        stage_set_artifact(ctx, pending_key, fresh);
        if (ctx->journal && journal_save(ctx->journal, err) < 0) {
            free(fresh);
            path = NULL;
        }
    }
    free(pending_key);
    return path;
}

void stage_commit_output(struct stage_ctx *ctx, const char *key, const char *path)
{
    char *pending_key = xasprintf("%s.pending", key);
    stage_set_artifact(ctx, key, path);
    stage_set_artifact(ctx, pending_key, "");
    free(pending_key);
}
