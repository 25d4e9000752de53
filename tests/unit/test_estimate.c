/* The migration-wide estimate (discover/estimate.h) and durations in human units: each step
 * scales with the bytes it moves at the given rates, the downtime is the sum of the steps
 * from Stop Docker to Start Immich, an in-place run copies nothing, and the rate a run could
 * not measure says "assumed". */
#include "common.h"
#include "discover/estimate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define MIB (1024.0 * 1024)

static double step(const struct estimate *e, const char *title)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->step[i].title, title) == 0)
            return e->step[i].seconds;
    fail_msg("no step %s", title);
    return -1;
}

static void test_steps_and_downtime(void **state)
{
    (void)state;
    const uint64_t gib = 1024ull * 1024 * 1024;
    struct estimate_input in = {.archive_bytes = 100 * gib,
                                .lib_bytes = 100 * gib,
                                .lib_files = 50000,
                                .db_bytes = 2 * gib,
                                .copy = true,
                                .same_disk = true};
    struct io_rates r = {
        .read_bps = 200 * MIB, .write_bps = 100 * MIB, .read_measured = true, .write_measured = true};
    struct estimate e;
    estimate_compute(&in, &r, &e);
    assert_true(e.valid);
    /* 100 GiB read at 200 MiB/s and written at 100 MiB/s, one after the other on one disk */
    assert_float_equal(step(&e, "Back up library"), 512 + 1024, 1);
    assert_float_equal(step(&e, "Verify backup"), 512, 1); /* the archive only */
    /* the pre-copy moves the library with Immich up; the catch-up's verify reads both trees */
    assert_float_equal(step(&e, "Pre-copy library"), 512 + 1024, 1);
    assert_float_equal(step(&e, "Copy library"), 50000 * 40e-6 + 1024, 1);
    for (size_t i = 0; i < e.n; i++)
        if (strcmp(e.step[i].title, "Pre-copy library") == 0)
            assert_false(e.step[i].down);
    double down = 0, total = 0;
    for (size_t i = 0; i < e.n; i++) {
        assert_true(e.step[i].seconds > 0);
        total += e.step[i].seconds;
        if (e.step[i].down)
            down += e.step[i].seconds;
    }
    assert_float_equal(e.down_seconds, down, 0.001);
    assert_float_equal(e.total_seconds, total, 0.001);
    assert_true(e.down_seconds < e.total_seconds); /* the checks run with Immich up */
    /* two disks: reading and writing overlap, the slower counts */
    in.same_disk = false;
    estimate_compute(&in, &r, &e);
    assert_float_equal(step(&e, "Back up library"), 1024, 1);
    /* in place, no archive: neither copy nor backup */
    in.copy = false;
    in.archive_bytes = 0;
    estimate_compute(&in, &r, &e);
    assert_float_equal(step(&e, "Copy library"), 0, 0.001);
    assert_float_equal(step(&e, "Pre-copy library"), 0, 0.001);
    assert_float_equal(step(&e, "Back up library"), 0, 0.001);
    struct strbuf out = {0};
    estimate_format(&e, &out);
    assert_non_null(strstr(out.buf, "  Stop Docker: about 10 s\n"));
    assert_non_null(strstr(out.buf, "  Immich down (Stop Docker to Start Immich): about "));
    assert_non_null(strstr(out.buf, "read 200.0 MiB/s (measured), write 100.0 MiB/s (measured)"));
    sb_free(&out);
    r.write_measured = false;
    estimate_compute(&in, &r, &e);
    estimate_summary(&e, &out);
    assert_non_null(strstr(out.buf, "write 100.0 MiB/s (assumed)"));
    sb_free(&out);
}

static void test_human_seconds(void **state)
{
    (void)state;
    const struct {
        double s;
        const char *want;
    } cases[] = {{-1, "0.0 s"},       {0.44, "0.4 s"},       {9.94, "9.9 s"},
                 {12.4, "12 s"},      {59.4, "59 s"},        {60, "1 min 00 s"},
                 {200, "3 min 20 s"}, {3599, "59 min 59 s"}, {3600, "1 h 00 min"},
                 {7530, "2 h 05 min"}};
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct strbuf out = {0};
        format_seconds(cases[i].s, &out);
        assert_string_equal(sb_str(&out), cases[i].want);
        sb_free(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steps_and_downtime),
        cmocka_unit_test(test_human_seconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
