#include "common.h"
#include "worker.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

enum answer { ANSWER_NONE, ANSWER_YES, ANSWER_NO };

struct worker {
    struct event_queue *events;
    pthread_t thread;
    bool running; /* only the UI thread reads/writes it */
    atomic_bool cancel;
    atomic_bool finished;
    worker_job_fn job;
    void *arg;
    pthread_mutex_t lock; /* guards answer */
    pthread_cond_t answered;
    enum answer answer;
};

struct worker *worker_new(void)
{
    struct event_queue *q = event_queue_new(0);
    if (!q)
        return NULL;
    struct worker *w = xcalloc(1, sizeof *w);
    w->events = q;
    atomic_init(&w->cancel, false);
    atomic_init(&w->finished, false);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->answered, NULL);
    return w;
}

/* Has the job returned (its thread may still be finishing)? */
static bool worker_finished(const struct worker *w)
{
    return atomic_load(&((struct worker *)w)->finished);
}

void worker_free(struct worker *w)
{
    if (!w)
        return;
    if (w->running) {
        worker_cancel(w);
        /* Keep draining so the job never waits on a full queue. */
        while (!worker_finished(w)) {
            struct pollfd pfd = {.fd = worker_fd(w), .events = POLLIN};
            poll(&pfd, 1, 100);
            event_list_free(event_take_all(w->events));
        }
        worker_join(w);
    }
    event_queue_free(w->events);
    pthread_cond_destroy(&w->answered);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

struct event_queue *worker_events(struct worker *w)
{
    return w->events;
}

int worker_fd(const struct worker *w)
{
    return event_queue_fd(w->events);
}

/* ---- the reporter the job sees ---- */

static void rep_record(void *ud, const struct record *rec)
{
    struct worker *w = ud;
    event_push_record(w->events, rec);
}

static void rep_progress(void *ud, const struct progress *p)
{
    struct worker *w = ud;
    event_push_progress(w->events, p);
}

static bool rep_cancelled(void *ud)
{
    struct worker *w = ud;
    return atomic_load(&w->cancel);
}

static bool rep_confirm(void *ud, const char *question, const char *expected)
{
    struct worker *w = ud;
    if (atomic_load(&w->cancel))
        return false;
    pthread_mutex_lock(&w->lock);
    w->answer = ANSWER_NONE;
    pthread_mutex_unlock(&w->lock);
    event_push_question(w->events, question, expected);
    pthread_mutex_lock(&w->lock);
    while (w->answer == ANSWER_NONE && !atomic_load(&w->cancel))
        pthread_cond_wait(&w->answered, &w->lock);
    bool yes = w->answer == ANSWER_YES && !atomic_load(&w->cancel);
    w->answer = ANSWER_NONE;
    pthread_mutex_unlock(&w->lock);
    return yes;
}

static void *worker_main(void *data)
{
    struct worker *w = data;
    struct reporter rep = {
        .on_record = rep_record,
        .on_progress = rep_progress,
        .is_cancelled = rep_cancelled,
        .confirm = rep_confirm,
        .ud = w,
    };
    struct strbuf err = {0};
    int result = w->job(w->arg, &rep, &err);
    event_push_done(w->events, result, sb_str(&err));
    sb_free(&err);
    atomic_store(&w->finished, true);
    return NULL;
}

int worker_start(struct worker *w, worker_job_fn job, void *arg)
{
    if (w->running)
        return -1;
    w->job = job;
    w->arg = arg;
    atomic_store(&w->cancel, false);
    atomic_store(&w->finished, false);
    w->answer = ANSWER_NONE;
    /* The thread inherits this mask: every signal stays with the UI thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1;
    w->running = true;
    return 0;
}

bool worker_running(const struct worker *w)
{
    return w->running;
}

void worker_cancel(struct worker *w)
{
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->cancel, true);
    pthread_cond_broadcast(&w->answered);
    pthread_mutex_unlock(&w->lock);
}

bool worker_cancel_requested(const struct worker *w)
{
    return atomic_load(&((struct worker *)w)->cancel);
}

void worker_answer(struct worker *w, bool yes)
{
    pthread_mutex_lock(&w->lock);
    w->answer = yes ? ANSWER_YES : ANSWER_NO;
    pthread_cond_broadcast(&w->answered);
    pthread_mutex_unlock(&w->lock);
}

void worker_join(struct worker *w)
{
    if (!w->running)
        return;
    pthread_join(w->thread, NULL);
    w->running = false;
}
