/* The journal: what a migration has done so far, so an interrupted one resumes. One file in
 * the state directory, rewritten atomically (temp file, fsync, rename) on every change. All
 * functions are thread-safe (the worker writes while the UI reads). */
#ifndef IM_JOURNAL_H
#define IM_JOURNAL_H

#include "common.h"
#include "plan.h"

#define STAGE_STATUSES(X) \
    X(ST_PENDING, "pending") \
    X(ST_RUNNING, "running") \
    X(ST_DONE, "done") \
    X(ST_FAILED, "failed") \
    X(ST_SKIPPED, "skipped")

enum stage_status {
#define X(id, name) id,
    STAGE_STATUSES(X)
#undef X
};

const char *stage_status_name(enum stage_status st); /* untranslated keyword */

struct journal;

/* Makes the state directory (0700) if needed and takes its lock: a lock file holding our pid,
 * locked with flock so a crashed process never leaves a stale lock. Returns the lock fd, or -1
 * with a message naming the other process's pid. */
int journal_lock(const char *dir, struct strbuf *err);
void journal_unlock(int lock_fd);
/* The pid of the process holding dir's lock (as its lock file says; -1 when it says none),
 * or 0 when nobody holds it. Creates and changes nothing. */
long journal_lock_holder(const char *dir);

/* A new journal for plan p (snapshot) in dir; not written until journal_save(). */
struct journal *journal_create(const char *dir, const struct plan *p);
/* Loads dir's journal. Returns NULL with err empty when there is none, NULL with a message
 * when it cannot be read. */
struct journal *journal_load(const char *dir, struct strbuf *err);
void journal_free(struct journal *j);
int journal_save(struct journal *j, struct strbuf *err);
/* Start over: the old journal is kept as journal.<time> (never deleted). */
int journal_archive(const char *dir, struct strbuf *err);

const struct plan *journal_plan(const struct journal *j);
void journal_set_plan(struct journal *j, const struct plan *p);
int64_t journal_started(const struct journal *j);

enum stage_status journal_status(const struct journal *j, const char *stage_id);
/* Copies the reason of the last failure/skip into out (empty when none). */
void journal_reason(const struct journal *j, const char *stage_id, struct strbuf *out);
void journal_set_status(struct journal *j, const char *stage_id, enum stage_status st,
                        const char *reason);
/* When the stage's status last changed (wall-clock seconds), 0 when never. */
int64_t journal_when(const struct journal *j, const char *stage_id);

/* Named results handed from stage to stage (stages/artifact.h). Returns a copy (free it) or NULL. */
char *journal_artifact(const struct journal *j, const char *key);
void journal_set_artifact(struct journal *j, const char *key, const char *value);

/* True when some stage of the given list is not done or skipped. */
bool journal_unfinished(const struct journal *j, const char *const *stage_ids, size_t n);

#endif
