/* One background thread that runs one job (a stage) at a time and talks to the UI only through
 * an event queue. The job gets a reporter whose records and progress become events, whose
 * confirm() asks the UI (EV_QUESTION) and blocks until worker_answer(), and whose
 * is_cancelled() follows worker_cancel(). Every signal is blocked in the worker thread, so
 * SIGHUP/SIGTERM/SIGWINCH always reach the UI thread. The worker never touches curses. */
#ifndef IM_WORKER_H
#define IM_WORKER_H

#include "common.h"
#include "events.h"
#include "report.h"

/* The work: returns an enum stage_result; on failure appends a reason to err. */
typedef int (*worker_job_fn)(void *arg, const struct reporter *rep, struct strbuf *err);

struct worker;

struct worker *worker_new(void); /* NULL when the wake-up pipe cannot be made */
/* Joins a running job first (cancelling it). */
void worker_free(struct worker *w);

struct event_queue *worker_events(struct worker *w);
int worker_fd(const struct worker *w);

/* Starts job(arg) on a new thread. Returns 0, or -1 when a job is still running or the
 * thread cannot be created. When the job returns, an EV_DONE event carries its result. */
int worker_start(struct worker *w, worker_job_fn job, void *arg);
/* True from worker_start until worker_join. */
bool worker_running(const struct worker *w);
/* Asks the job to stop at its next safe point; a pending question is answered "no". */
void worker_cancel(struct worker *w);
bool worker_cancel_requested(const struct worker *w);
/* Answers the pending EV_QUESTION. */
void worker_answer(struct worker *w, bool yes);
/* Waits for the thread to end (call after EV_DONE arrived, or after cancelling while the
 * UI keeps draining events so the job is never stuck on a full queue). */
void worker_join(struct worker *w);

#endif
