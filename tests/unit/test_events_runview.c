/* What the UI makes of worker events: progress rate and ETA figures, the bounded log ring,
 * questions and the final result (src/ui/runview.c; no terminal needed). */
#include "common.h"
#include "events.h"
#include "ui/uimain.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static struct event progress_at(double t, const char *unit, uint64_t done, uint64_t total)
{
    struct event ev = {.kind = EV_PROGRESS, .time = t, .done = done, .total = total};
    snprintf(ev.unit, sizeof ev.unit, "%s", unit);
    return ev;
}

static void test_rate_follows_progress(void **state)
{
    (void)state;
    struct run_view rv;
    memset(&rv, 0, sizeof rv);
    runview_reset(&rv, NULL);
    /* 1000 rows per second, sampled every half second */
    for (int i = 0; i <= 10; i++) {
        struct event ev = progress_at(100.0 + i * 0.5, "rows", (uint64_t)i * 500, 20000);
        runview_apply(&rv, &ev);
    }
    assert_true(rv.have_progress);
    assert_int_equal(rv.done, 5000);
    assert_true(rv.rate > 999.0 && rv.rate < 1001.0);
    /* a new unit starts a new phase: the old rate does not carry over */
    struct event other = progress_at(106.0, "bytes", 10, 100);
    runview_apply(&rv, &other);
    assert_true(rv.rate == 0.0);
    assert_string_equal(rv.unit, "bytes");
    runview_free(&rv);
}

static void test_log_ring_is_bounded(void **state)
{
    (void)state;
    struct run_view rv;
    memset(&rv, 0, sizeof rv);
    runview_reset(&rv, NULL);
    char text[32];
    for (int i = 0; i < RUN_LOG_MAX + 123; i++) {
        snprintf(text, sizeof text, "line %d", i);
        struct event ev = {.kind = EV_RECORD, .rec_kind = REC_MESSAGE, .text = text};
        runview_apply(&rv, &ev);
    }
    assert_int_equal(rv.count, RUN_LOG_MAX);
    assert_string_equal(runview_line(&rv, 0)->text, "line 123");
    snprintf(text, sizeof text, "line %d", RUN_LOG_MAX + 122);
    assert_string_equal(runview_line(&rv, RUN_LOG_MAX - 1)->text, text);
    assert_null(runview_line(&rv, RUN_LOG_MAX));
    runview_free(&rv);
}

static void test_question_and_done(void **state)
{
    (void)state;
    struct run_view rv;
    memset(&rv, 0, sizeof rv);
    runview_reset(&rv, NULL);
    assert_true(rv.running);
    char question[] = "Drop it?", expected[] = "immich", error[] = "broken";
    struct event q = {.kind = EV_QUESTION, .text = question, .expected = expected};
    runview_apply(&rv, &q);
    assert_true(rv.question);
    assert_string_equal(rv.q_expected, "immich");
    struct event done = {.kind = EV_DONE, .result = 1, .text = error};
    runview_apply(&rv, &done);
    assert_false(rv.running);
    assert_true(rv.finished);
    assert_false(rv.question);
    assert_int_equal(rv.result, 1);
    assert_string_equal(rv.error, "broken");
    runview_free(&rv);
}

/* A stage that ends: its bar at 100 % with the final figures (the dump's estimated total
 * becomes the amount done), no item worked on, no rate; a failure keeps its figures. */
static void test_done_finishes_the_bar(void **state)
{
    (void)state;
    struct run_view rv;
    memset(&rv, 0, sizeof rv);
    runview_reset(&rv, NULL);
    char object[] = "TABLE public.asset";
    struct event p = progress_at(1.0, "bytes", 14, 100);
    p.text = object;
    runview_apply(&rv, &p);
    struct event p2 = progress_at(2.0, "bytes", 140, 1000);
    runview_apply(&rv, &p2);
    struct event done = {.kind = EV_DONE, .result = 0};
    runview_apply(&rv, &done);
    assert_int_equal(rv.done, 140);
    assert_int_equal(rv.total, 140);
    assert_null(rv.current);
    assert_true(rv.rate == 0);
    runview_reset(&rv, NULL);
    p = progress_at(1.0, "bytes", 14, 100);
    p.text = object;
    runview_apply(&rv, &p);
    struct event failed = {.kind = EV_DONE, .result = 1};
    runview_apply(&rv, &failed);
    assert_int_equal(rv.total, 100);
    assert_null(rv.current);
    runview_free(&rv);
}

static void test_formats(void **state)
{
    (void)state;
    char buf[64];
    format_amount("bytes", 512, buf, sizeof buf);
    assert_string_equal(buf, "512 B");
    format_amount("bytes", 3 * 1024 * 1024 + 512 * 1024, buf, sizeof buf);
    assert_string_equal(buf, "3.5 MiB");
    format_amount("rows", 42, buf, sizeof buf);
    assert_string_equal(buf, "42 rows");
    format_duration(59.4, buf, sizeof buf);
    assert_string_equal(buf, "0:59");
    format_duration(3725, buf, sizeof buf);
    assert_string_equal(buf, "1:02:05");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_follows_progress),
        cmocka_unit_test(test_log_ring_is_bounded),
        cmocka_unit_test(test_question_and_done),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_done_finishes_the_bar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
