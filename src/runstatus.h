/* The status file of a wizard that goes on without its terminal (its SSH connection dropped
 * during a stage that changes nothing in the source): DIR/status, 0600, rewritten atomically at
 * most twice a second while the process is detached. It tells a new `immich-migrate` in the
 * same state directory which process runs which stage and how far it got, so that it can show
 * that progress (attach) by reading files only. Written by the session (worker and UI thread:
 * all functions are thread-safe); read by the attached viewer. */
#ifndef IM_RUNSTATUS_H
#define IM_RUNSTATUS_H

#include "common.h"
#include "report.h"

#define RUNSTATUS_FILE "status"

struct runstatus;

/* Keeps the running stage's progress for dir; writes nothing until runstatus_detach. Call it
 * holding dir's lock: a status file found there is stale and removed. */
struct runstatus *runstatus_new(const char *dir);
/* Removes the file when this process wrote it, then frees. NULL is fine. */
void runstatus_free(struct runstatus *rs);

/* A stage (its journal id) starts: its progress starts from nothing. */
void runstatus_stage_started(struct runstatus *rs, const char *stage_id);
/* The stage reports progress: kept; written when detached and half a second has passed. */
void runstatus_progress(struct runstatus *rs, const struct progress *p);
/* The stage ended with result (an enum stage_result): written now when detached. */
void runstatus_stage_ended(struct runstatus *rs, int result);
/* From now on the file is kept up to date (and written now). */
void runstatus_detach(struct runstatus *rs);

/* What the file says. */
struct runstatus_info {
    long pid;       /* the detached process */
    char *stage_id; /* the stage it runs or ran last ("" when none) */
    bool ended;     /* that stage has ended (the process stops at its next safe point) */
    int result;     /* its enum stage_result once ended */
    bool have_progress;
    char unit[16];
    uint64_t done, total;
    char *current; /* the item worked on, may be NULL */
};

/* Reads dir's status file. Returns 0, or -1 when there is none or it cannot be read. */
int runstatus_read(const char *dir, struct runstatus_info *out);
void runstatus_info_free(struct runstatus_info *info);

#endif
