/* The worker's messages to the UI: a mutex-protected queue plus a wake-up fd. Producers (the
 * worker thread) push; one consumer (the UI thread) polls the fd together with stdin and takes
 * everything at once. The fd is readable exactly while the queue holds events.
 *
 * Memory stays bounded: consecutive progress events collapse into one (only the newest
 * matters), and a producer waits while the queue holds `capacity` events. */
#ifndef IM_EVENTS_H
#define IM_EVENTS_H

#include "common.h"
#include "report.h"

enum event_kind {
    EV_PROGRESS, /* progress: unit, done, total, current */
    EV_RECORD,   /* a record: rec_kind, text and numbers */
    EV_QUESTION, /* a confirmation: text = question, expected (may be NULL) */
    EV_DONE,     /* the job ended: result, text = error ("" when none) */
};

struct event {
    struct event *next;
    enum event_kind kind;
    double time; /* now_monotonic() when pushed */
    /* EV_RECORD */
    enum record_kind rec_kind;
    int exit_status;
    double duration;
    int64_t bytes;
    int64_t rows;
    /* EV_PROGRESS */
    char unit[16];
    uint64_t done;
    uint64_t total;
    /* EV_DONE: an enum stage_result */
    int result;
    char *text;     /* record text, question, error; or progress's current item; may be NULL */
    char *expected; /* EV_QUESTION */
};

struct event_queue;

/* capacity 0 = a sensible default. Returns NULL with errno set if the pipe cannot be made. */
struct event_queue *event_queue_new(size_t capacity);
void event_queue_free(struct event_queue *q);

/* The wake-up fd: poll it for POLLIN. */
int event_queue_fd(const struct event_queue *q);

/* Producers. Strings are copied. Records pass through redact_secrets. */
void event_push_record(struct event_queue *q, const struct record *rec);
void event_push_progress(struct event_queue *q, const struct progress *p);
void event_push_question(struct event_queue *q, const char *question, const char *expected);
void event_push_done(struct event_queue *q, int result, const char *error);

/* Consumer: takes every queued event, oldest first, as a list (NULL when none), and empties
 * the wake-up fd. Never blocks. */
struct event *event_take_all(struct event_queue *q);
/* Number of queued events (for tests and statistics). */
size_t event_queue_length(struct event_queue *q);

void event_list_free(struct event *ev); /* a whole list */

#endif
