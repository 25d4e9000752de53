/* The worker -> UI event queue and the worker: ordering, no lost or duplicated events under
 * load from several producers, the wake-up fd's meaning, progress collapsing, back-pressure,
 * confirmation and cancellation. Also built with -fsanitize=thread (tests/integration/ui-tsan.sh). */
#include "common.h"
#include "events.h"
#include "worker.h"

#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define PRODUCERS 4
#define PER_PRODUCER 5000

static bool fd_readable(int fd, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & POLLIN);
}

static size_t list_length(const struct event *ev)
{
    size_t n = 0;
    for (; ev; ev = ev->next)
        n++;
    return n;
}

static void push_text(struct event_queue *q, enum record_kind kind, const char *text)
{
    struct record rec = RECORD_INIT(kind, text);
    event_push_record(q, &rec);
}

static void test_fd_follows_queue(void **state)
{
    (void)state;
    struct event_queue *q = event_queue_new(0);
    assert_non_null(q);
    int fd = event_queue_fd(q);
    assert_false(fd_readable(fd, 0));
    assert_null(event_take_all(q));

    push_text(q, REC_MESSAGE, "one");
    assert_true(fd_readable(fd, 0));
    push_text(q, REC_ERROR, "two");
    event_push_done(q, 1, "broken");
    assert_true(fd_readable(fd, 0));
    assert_int_equal(event_queue_length(q), 3);

    struct event *list = event_take_all(q);
    assert_false(fd_readable(fd, 0)); /* taking everything empties the fd too */
    assert_int_equal(event_queue_length(q), 0);
    assert_int_equal(list_length(list), 3);
    assert_int_equal(list->kind, EV_RECORD);
    assert_string_equal(list->text, "one");
    assert_int_equal(list->next->rec_kind, REC_ERROR);
    assert_string_equal(list->next->text, "two");
    assert_int_equal(list->next->next->kind, EV_DONE);
    assert_int_equal(list->next->next->result, 1);
    assert_string_equal(list->next->next->text, "broken");
    event_list_free(list);

    push_text(q, REC_MESSAGE, "again");
    assert_true(fd_readable(fd, 0));
    event_list_free(event_take_all(q));
    assert_false(fd_readable(fd, 0));
    event_queue_free(q);
}

static void test_progress_collapses(void **state)
{
    (void)state;
    struct event_queue *q = event_queue_new(0);
    struct progress p = {.unit = "bytes", .done = 1, .total = 100, .current = "a"};
    event_push_progress(q, &p);
    p.done = 2;
    p.current = "b";
    event_push_progress(q, &p);
    push_text(q, REC_MESSAGE, "between");
    p.done = 3;
    p.current = NULL;
    event_push_progress(q, &p);
    p.done = 4;
    event_push_progress(q, &p);

    struct event *list = event_take_all(q);
    assert_int_equal(list_length(list), 3);
    assert_int_equal(list->kind, EV_PROGRESS);
    assert_int_equal(list->done, 2);
    assert_string_equal(list->text, "b");
    assert_string_equal(list->unit, "bytes");
    assert_int_equal(list->next->kind, EV_RECORD);
    assert_int_equal(list->next->next->done, 4);
    assert_int_equal(list->next->next->total, 100);
    assert_null(list->next->next->text);
    event_list_free(list);
    event_queue_free(q);
}

static void test_command_argv_and_redaction(void **state)
{
    (void)state;
    struct event_queue *q = event_queue_new(0);
    const char *argv[] = {"psql", "password=hunter22", "it's two", NULL};
    struct record rec = RECORD_INIT(REC_COMMAND, "ignored when argv is there");
    rec.argv = argv;
    rec.exit_status = 0;
    event_push_record(q, &rec);
    struct event *ev = event_take_all(q);
    assert_non_null(strstr(ev->text, "psql "));
    assert_non_null(strstr(ev->text, " 'it'\\''s two'"));
    assert_null(strstr(ev->text, "ignored"));
    assert_null(strstr(ev->text, "hunter22"));
    assert_int_equal(ev->exit_status, 0);
    event_list_free(ev);
    event_queue_free(q);
}

struct producer {
    struct event_queue *q;
    int id;
};

static void *produce(void *data)
{
    struct producer *p = data;
    char text[32];
    for (int i = 0; i < PER_PRODUCER; i++) {
        snprintf(text, sizeof text, "%d:%d", p->id, i);
        push_text(p->q, REC_MESSAGE, text);
        if (i % 7 == 0) {
            struct progress pr = {.unit = "files", .done = (uint64_t)i, .total = PER_PRODUCER};
            event_push_progress(p->q, &pr);
        }
    }
    return NULL;
}

/* Several producers, a small capacity (so producers block), one consumer that only wakes on
 * the fd: every record arrives exactly once and in each producer's order. */
static void test_many_producers(void **state)
{
    (void)state;
    struct event_queue *q = event_queue_new(64);
    pthread_t threads[PRODUCERS];
    struct producer prod[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        prod[i] = (struct producer){q, i};
        assert_int_equal(pthread_create(&threads[i], NULL, produce, &prod[i]), 0);
    }
    int next[PRODUCERS] = {0};
    long received = 0;
    while (received < (long)PRODUCERS * PER_PRODUCER) {
        assert_true(fd_readable(event_queue_fd(q), 10000)); /* never stuck */
        struct event *list = event_take_all(q);
        assert_non_null(list); /* readable fd means events are there */
        for (struct event *ev = list; ev; ev = ev->next) {
            if (ev->kind != EV_RECORD)
                continue;
            int id, seq;
            assert_int_equal(sscanf(ev->text, "%d:%d", &id, &seq), 2);
            assert_in_range(id, 0, PRODUCERS - 1);
            assert_int_equal(seq, next[id]);
            next[id]++;
            received++;
        }
        event_list_free(list);
        assert_true(event_queue_length(q) <= 64);
    }
    for (int i = 0; i < PRODUCERS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(next[i], PER_PRODUCER);
    }
    struct event *rest = event_take_all(q);
    for (struct event *ev = rest; ev; ev = ev->next)
        assert_int_equal(ev->kind, EV_PROGRESS); /* no record left over, none duplicated */
    event_list_free(rest);
    assert_false(fd_readable(event_queue_fd(q), 0));
    event_queue_free(q);
}

/* ---- the worker ---- */

static int job_asks(void *arg, const struct reporter *rep, struct strbuf *err)
{
    bool *answer = arg;
    report_msg(rep, REC_MESSAGE, "asking");
    *answer = report_confirm(rep, "Really?", "immich");
    if (!*answer) {
        sb_append(err, "declined");
        return 1;
    }
    return 0;
}

/* Runs the UI side until EV_DONE: answers questions with `yes`; returns the result. */
static int drive(struct worker *w, bool yes, int *questions, char **expected)
{
    for (;;) {
        assert_true(fd_readable(worker_fd(w), 10000));
        struct event *list = event_take_all(worker_events(w));
        for (struct event *ev = list; ev; ev = ev->next) {
            if (ev->kind == EV_QUESTION) {
                (*questions)++;
                *expected = ev->expected ? xstrdup(ev->expected) : NULL;
                worker_answer(w, yes);
            } else if (ev->kind == EV_DONE) {
                int result = ev->result;
                event_list_free(list);
                worker_join(w);
                return result;
            }
        }
        event_list_free(list);
    }
}

static void test_worker_confirm(void **state)
{
    (void)state;
    struct worker *w = worker_new();
    assert_non_null(w);
    for (int round = 0; round < 2; round++) {
        bool yes = round == 0, answer = !yes;
        int questions = 0;
        char *expected = NULL;
        assert_int_equal(worker_start(w, job_asks, &answer), 0);
        assert_true(worker_running(w));
        assert_int_equal(drive(w, yes, &questions, &expected), yes ? 0 : 1);
        assert_false(worker_running(w));
        assert_int_equal(questions, 1);
        assert_string_equal(expected, "immich");
        assert_int_equal(answer, yes);
        free(expected);
    }
    worker_free(w);
}

static int job_until_cancelled(void *arg, const struct reporter *rep, struct strbuf *err)
{
    (void)arg;
    uint64_t n = 0;
    while (!report_cancelled(rep))
        report_progress(rep, "rows", ++n, 0, NULL);
    sb_append(err, "cancelled");
    return 2;
}

static void test_worker_cancel(void **state)
{
    (void)state;
    struct worker *w = worker_new();
    assert_int_equal(worker_start(w, job_until_cancelled, NULL), 0);
    assert_int_equal(worker_start(w, job_until_cancelled, NULL), -1); /* one job at a time */
    assert_true(fd_readable(worker_fd(w), 10000));
    worker_cancel(w);
    int questions = 0;
    char *expected = NULL;
    assert_int_equal(drive(w, true, &questions, &expected), 2);
    assert_int_equal(questions, 0);
    worker_free(w);
}

/* A question pending while the UI cancels: the job gets "no" and ends. */
static void test_worker_cancel_while_asking(void **state)
{
    (void)state;
    struct worker *w = worker_new();
    bool answer = true;
    assert_int_equal(worker_start(w, job_asks, &answer), 0);
    bool asked = false;
    while (!asked) {
        assert_true(fd_readable(worker_fd(w), 10000));
        struct event *list = event_take_all(worker_events(w));
        for (struct event *ev = list; ev; ev = ev->next)
            asked |= ev->kind == EV_QUESTION;
        event_list_free(list);
    }
    worker_cancel(w);
    int questions = 0;
    char *expected = NULL;
    assert_int_equal(drive(w, true, &questions, &expected), 1);
    assert_false(answer);
    worker_free(w);
}

/* Freeing a worker whose job still runs cancels and joins it. */
static void test_worker_free_running(void **state)
{
    (void)state;
    struct worker *w = worker_new();
    assert_int_equal(worker_start(w, job_until_cancelled, NULL), 0);
    worker_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_follows_queue),
        cmocka_unit_test(test_progress_collapses),
        cmocka_unit_test(test_command_argv_and_redaction),
        cmocka_unit_test(test_many_producers),
        cmocka_unit_test(test_worker_confirm),
        cmocka_unit_test(test_worker_cancel),
        cmocka_unit_test(test_worker_cancel_while_asking),
        cmocka_unit_test(test_worker_free_running),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
