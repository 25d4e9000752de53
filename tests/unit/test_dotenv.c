/* The .env reader against docker compose's dotenv rules (expected values written from the
 * compose documentation, not from the parser). */
#include "common.h"
#include "discover/dotenv.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static struct dotenv env;

static int teardown(void **state)
{
    (void)state;
    dotenv_free(&env);
    return 0;
}

static int parse(const char *text, struct strbuf *err)
{
    dotenv_free(&env);
    return dotenv_parse(&env, text, strlen(text), err);
}

static void expect_env(const char *key, const char *want)
{
    const char *got = dotenv_get(&env, key);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
}

static void test_upstream_example(void **state)
{
    (void)state;
    struct strbuf err = {0};
    const char *text =
        "# You can find documentation for all the supported env variables at https://immich.app\n"
        "\n"
        "# The location where your uploaded files are stored\n"
        "UPLOAD_LOCATION=./library\n"
        "DB_DATA_LOCATION=./postgres\n"
        "# TZ=Etc/UTC\n"
        "IMMICH_VERSION=release\n"
        "DB_PASSWORD=postgres\n"
        "DB_USERNAME=postgres\n"
        "DB_DATABASE_NAME=immich\n";
    assert_int_equal(parse(text, &err), 0);
    expect_env("UPLOAD_LOCATION", "./library");
    expect_env("DB_DATA_LOCATION", "./postgres");
    expect_env("TZ", NULL);
    expect_env("IMMICH_VERSION", "release");
    expect_env("DB_USERNAME", "postgres");
    expect_env("DB_DATABASE_NAME", "immich");
    assert_int_equal((int)env.n, 6);
    sb_free(&err);
}

static void test_quotes_and_comments(void **state)
{
    (void)state;
    struct strbuf err = {0};
    const char *text = "A=plain value   # a comment\n"
                       "B=no#comment\n"
                       "C='single $A \\n # kept'\n"
                       "D=\"double \\\"q\\\" \\n\\t\\\\ \\$A\"  # after\n"
                       "export E=exported\n"
                       "  F  =  spaced  \n"
                       "G=\n"
                       "H=\"\"\n"
                       "I='multi\nline'\n"
                       "J=\"x\"\r\n"
                       "K=crlf\r\n";
    assert_int_equal(parse(text, &err), 0);
    expect_env("A", "plain value");
    expect_env("B", "no#comment");
    expect_env("C", "single $A \\n # kept");
    expect_env("D", "double \"q\" \n\t\\ $A");
    expect_env("E", "exported");
    expect_env("F", "spaced");
    expect_env("G", "");
    expect_env("H", "");
    expect_env("I", "multi\nline");
    expect_env("J", "x");
    expect_env("K", "crlf");
    sb_free(&err);
}

static void test_interpolation(void **state)
{
    (void)state;
    struct strbuf err = {0};
    const char *text = "BASE=/srv/immich\n"
                       "EMPTY=\n"
                       "A=${BASE}/library\n"
                       "B=$BASE/x\n"
                       "C=\"${BASE}-q\"\n"
                       "D=${UNSET:-fallback}\n"
                       "E=${EMPTY:-empty-default}\n"
                       "F=${EMPTY-kept-empty}\n"
                       "G=${BASE:+set}${UNSET:+notset}\n"
                       "H=$$BASE\n"
                       "I=${UNSET}end\n"
                       "J=${UNSET:-${BASE}/nested}\n"
                       "K=cost $5\n"
                       "BASE=/changed\n"
                       "L=$BASE\n";
    assert_int_equal(parse(text, &err), 0);
    expect_env("A", "/srv/immich/library");
    expect_env("B", "/srv/immich/x");
    expect_env("C", "/srv/immich-q");
    expect_env("D", "fallback");
    expect_env("E", "empty-default");
    expect_env("F", "");
    expect_env("G", "set");
    expect_env("H", "$BASE");
    expect_env("I", "end");
    expect_env("J", "/srv/immich/nested");
    expect_env("K", "cost $5");
    expect_env("L", "/changed");
    /* a key set twice keeps the last value */
    expect_env("BASE", "/changed");
    sb_free(&err);
}

static void expect_error(const char *text, const char *line_prefix)
{
    struct strbuf err = {0};
    assert_int_equal(parse(text, &err), -1);
    if (strncmp(sb_str(&err), line_prefix, strlen(line_prefix)) != 0)
        fail_msg("error \"%s\" does not start with \"%s\"", sb_str(&err), line_prefix);
    sb_free(&err);
}

static void test_errors_name_the_line(void **state)
{
    (void)state;
    expect_error("A=1\nB='open\n", "2: ");
    expect_error("A=1\n\nC=\"open\n", "3: ");
    expect_error("=value\n", "1: ");
    expect_error("A=1\nB C\n", "2: ");
    expect_error("A=1\nB=${X\n", "2: ");
    expect_error("A='x' junk\n", "1: ");
    expect_error("A=${NOPE:?must be set}\n", "1: ");
    expect_error("A=1\nB=2\nC=\"ok\"\nD=${9bad}\n", "4: ");
    /* a line number after a multi-line value counts its newlines */
    expect_error("A='x\ny\nz'\nB='open\n", "4: ");
    struct strbuf err = {0};
    char nul[] = "A=1\0B=2";
    dotenv_free(&env);
    assert_int_equal(dotenv_parse(&env, nul, sizeof nul - 1, &err), -1);
    sb_free(&err);
}

/* A=100 x, then each variable 40 times the one before: 3.7 KB that would expand to 10^66
 * bytes. Returns the text (free it); *lines is the number of its lines. */
static char *exponential_env(int *lines)
{
    struct strbuf sb = {0};
    sb_append(&sb, "A=");
    for (int i = 0; i < 100; i++)
        sb_append_char(&sb, 'x');
    sb_append_char(&sb, '\n');
    for (char v = 'B'; v <= 'K'; v++) {
        sb_printf(&sb, "%c=", v);
        for (int i = 0; i < 40; i++)
            sb_printf(&sb, "${%c}", v - 1);
        sb_append_char(&sb, '\n');
    }
    *lines = 11;
    return sb_detach(&sb);
}

static void test_expansion_is_capped(void **state)
{
    (void)state;
    int lines;
    char *text = exponential_env(&lines);
    /* B = 4000 bytes, C = 160000 bytes: line 3 is the first too large */
    expect_error(text, "3: the value expands to more than 64 KiB");
    free(text);
    /* the same in double quotes and through ${VAR:-default} */
    expect_error("A=0123456789abcdefg\nB=\"${A}${A}${A}${A}${A}${A}${A}${A}\"\n"
                 "C=${B}${B}${B}${B}${B}${B}${B}${B}\nD=${C}${C}${C}${C}${C}${C}${C}${C}\n"
                 "E=${NOPE:-${D}${D}${D}${D}${D}${D}${D}${D}}\n",
                 "5: ");
    /* just under the cap is fine */
    struct strbuf sb = {0}, err = {0};
    sb_append(&sb, "A=");
    for (int i = 0; i < 1000; i++)
        sb_append_char(&sb, 'y');
    sb_append(&sb, "\nB=");
    for (int i = 0; i < 65; i++)
        sb_append(&sb, "$A");
    sb_append_char(&sb, '\n');
    assert_int_equal(parse(sb_str(&sb), &err), 0);
    assert_int_equal((int)strlen(dotenv_get(&env, "B")), 65000);
    /* many values each under the cap: the total is capped too (4 MiB / 65000 = 64.5) */
    for (int i = 0; i < 70; i++)
        sb_printf(&sb, "K%d=${B}\n", i);
    dotenv_free(&env);
    assert_int_equal(dotenv_parse(&env, sb_str(&sb), sb.len, &err), -1);
    assert_non_null(strstr(sb_str(&err), "4 MiB"));
    sb_free(&sb);
    sb_free(&err);
}

static void test_bare_key_and_blank_lines(void **state)
{
    (void)state;
    struct strbuf err = {0};
    assert_int_equal(parse("\n\n   \n# only comments\nBARE\nX=1", &err), 0);
    expect_env("BARE", NULL);
    expect_env("X", "1");
    assert_int_equal(parse("", &err), 0);
    assert_int_equal((int)env.n, 0);
    sb_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_upstream_example, teardown),
        cmocka_unit_test_teardown(test_quotes_and_comments, teardown),
        cmocka_unit_test_teardown(test_interpolation, teardown),
        cmocka_unit_test_teardown(test_errors_name_the_line, teardown),
        cmocka_unit_test_teardown(test_expansion_is_capped, teardown),
        cmocka_unit_test_teardown(test_bare_key_and_blank_lines, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
