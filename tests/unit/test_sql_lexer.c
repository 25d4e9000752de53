/* The statement splitter: every construct psql's lexer knows, fed whole and byte by byte. */
#include "common.h"
#include "pg/sql_lexer.h"

#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MAX_EVENTS 16

struct events {
    int n;
    enum sql_lex_result kind[MAX_EVENTS];
    char *text[MAX_EVENTS];
    uint64_t first[MAX_EVENTS], last[MAX_EVENTS];
    char *object;
    bool copy[MAX_EVENTS];
};

static void events_free(struct events *e)
{
    for (int i = 0; i < e->n; i++)
        free(e->text[i]);
    free(e->object);
}

/* Splits input giving the lexer at most `chunk` new bytes at a time. */
static void split(const char *input, size_t chunk, bool std_strings, const char *encoding,
                  struct events *e)
{
    memset(e, 0, sizeof *e);
    struct sql_lexer lx;
    sql_lexer_init(&lx);
    lx.std_strings = std_strings;
    if (encoding)
        lx.encoding = pg_char_to_encoding(encoding);
    size_t total = strlen(input), pos = 0, avail = 0;
    for (;;) {
        if (avail < total && avail - pos < chunk)
            avail = pos + chunk < total ? pos + chunk : total;
        size_t used = 0;
        enum sql_lex_result r = sql_lexer_scan(&lx, input + pos, avail - pos, avail == total, &used);
        pos += used;
        if (r == SQL_LEX_NEED_MORE) {
            assert_true(avail < total);
            avail = avail + chunk < total ? avail + chunk : total;
            continue;
        }
        if (r == SQL_LEX_END)
            break;
        assert_true(e->n < MAX_EVENTS);
        e->kind[e->n] = r;
        e->text[e->n] = xstrdup(r == SQL_LEX_META      ? sb_str(&lx.meta)
                                : (r == SQL_LEX_ERROR) ? sb_str(&lx.error)
                                                       : sb_str(&lx.stmt));
        e->first[e->n] = lx.first_line;
        e->last[e->n] = lx.last_line;
        e->copy[e->n] = lx.copy_from_stdin;
        e->n++;
        if (r == SQL_LEX_INCOMPLETE || r == SQL_LEX_ERROR)
            break;
        sql_lexer_next(&lx);
    }
    e->object = xstrdup(sb_str(&lx.object));
    sql_lexer_free(&lx);
}

/* The same result whether the input comes whole, in 3-byte pieces or byte by byte. */
static void check_split(const char *input, bool std, int n, const char *const *expect)
{
    static const size_t chunks[] = {1000000, 3, 1};
    for (size_t c = 0; c < ARRAY_LEN(chunks); c++) {
        struct events e;
        split(input, chunks[c], std, NULL, &e);
        assert_int_equal(e.n, n);
        for (int i = 0; i < n; i++) {
            assert_int_equal(e.kind[i], SQL_LEX_STATEMENT);
            assert_string_equal(e.text[i], expect[i]);
        }
        events_free(&e);
    }
}

static void test_simple(void **state)
{
    const char *exp[] = {"SELECT 1;", "SELECT 2;"};
    check_split("  SELECT 1;\n\nSELECT 2;\n", true, 2, exp);
}

static void test_quotes(void **state)
{
    const char *exp[] = {"SELECT 'a;b''c', \"x;\"\"y\";", "SELECT 2;"};
    check_split("SELECT 'a;b''c', \"x;\"\"y\";\nSELECT 2;", true, 2, exp);
}

static void test_e_string_backslash_quote(void **state)
{
    const char *exp[] = {"SELECT E'it\\'s;' AS a;", "SELECT 2;"};
    check_split("SELECT E'it\\'s;' AS a;\nSELECT 2;", true, 2, exp);
}

static void test_standard_string_backslash(void **state)
{
    /* with standard_conforming_strings on, \ is ordinary: 'a\' is a whole string */
    const char *exp[] = {"SELECT 'a\\';", "SELECT 2;"};
    check_split("SELECT 'a\\';\nSELECT 2;", true, 2, exp);
    /* off: the same bytes leave the string open until the next quote */
    const char *exp_off[] = {"SELECT 'a\\';\nSELECT 2';"};
    check_split("SELECT 'a\\';\nSELECT 2';", false, 1, exp_off);
}

static void test_prefixed_strings(void **state)
{
    const char *exp[] = {"SELECT U&'d\\0061t;', B'0101', X'1F', N'x;y';", "SELECT 2;"};
    check_split("SELECT U&'d\\0061t;', B'0101', X'1F', N'x;y';\nSELECT 2;", true, 2, exp);
}

static void test_string_continuation(void **state)
{
    /* an E'' string continued on the next line keeps its escapes */
    const char *exp[] = {"SELECT E'a'\n'\\';';", "SELECT 2;"};
    check_split("SELECT E'a'\n'\\';';\nSELECT 2;", true, 2, exp);
}

static void test_dollar_quotes(void **state)
{
    const char *exp[] = {"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;",
                         "CREATE FUNCTION g() RETURNS text AS $body$ SELECT '$$;'; $x$ $body$ "
                         "LANGUAGE sql;",
                         "SELECT a$$b, $1;"};
    check_split("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
                "CREATE FUNCTION g() RETURNS text AS $body$ SELECT '$$;'; $x$ $body$ LANGUAGE sql;\n"
                "SELECT a$$b, $1;",
                true, 3, exp);
}

static void test_comments(void **state)
{
    const char *exp[] = {"SELECT /* a; /* nested; */ still; */ 1 -- x;\n;", "SELECT 2;"};
    check_split("-- leading; comment\nSELECT /* a; /* nested; */ still; */ 1 -- x;\n;\nSELECT 2;",
                true, 2, exp);
}

static void test_parentheses(void **state)
{
    const char *exp[] = {"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
                         "INSERT INTO b VALUES (2));",
                         "SELECT 2;"};
    check_split("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
                "INSERT INTO b VALUES (2));\nSELECT 2;",
                true, 2, exp);
}

static void test_begin_atomic(void **state)
{
    const char *body = "CREATE FUNCTION public.f(t public.tab) RETURNS integer\n"
                       "    LANGUAGE sql\n"
                       "    BEGIN ATOMIC\n"
                       " SELECT CASE WHEN t.begin > 0 THEN 1 ELSE 0 END;\n"
                       " SELECT (t.begin + 1);\n"
                       "END;";
    char *input = xasprintf("%s\nSELECT 2;", body);
    const char *exp[] = {body, "SELECT 2;"};
    check_split(input, true, 2, exp);
    free(input);
    const char *proc = "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t "
                       "VALUES (1); END;";
    const char *exp2[] = {proc};
    check_split(proc, true, 1, exp2);
}

static void test_plain_begin_is_not_a_body(void **state)
{
    /* BEGIN alone (a transaction, or a column named begin) never opens a body */
    const char *exp[] = {"BEGIN;", "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;",
                         "SELECT 3;"};
    check_split("BEGIN;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;\nSELECT 3;", true,
                3, exp);
}

static void test_meta_lines(void **state)
{
    struct events e;
    split("\\restrict abc\nSELECT 1;\n  \\connect -reuse-previous=on \"dbname='x y'\"\r\n", 1, true,
          NULL, &e);
    assert_int_equal(e.n, 3);
    assert_int_equal(e.kind[0], SQL_LEX_META);
    assert_string_equal(e.text[0], "\\restrict abc");
    assert_int_equal(e.first[0], 1);
    assert_int_equal(e.kind[1], SQL_LEX_STATEMENT);
    assert_int_equal(e.kind[2], SQL_LEX_META);
    assert_string_equal(e.text[2], "\\connect -reuse-previous=on \"dbname='x y'\"");
    assert_int_equal(e.first[2], 3);
    events_free(&e);
}

static void test_backslash_inside_statement_is_an_error(void **state)
{
    struct events e;
    split("SELECT 1 \\! rm -rf /\n;", 1, true, NULL, &e);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.kind[0], SQL_LEX_ERROR);
    events_free(&e);
    split("SELECT 1; \\! ls\n", 1, true, NULL, &e);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.kind[1], SQL_LEX_ERROR);
    events_free(&e);
}

static void test_lines_and_object(void **state)
{
    struct events e;
    split("--\n-- Name: t; Type: TABLE; Schema: public; Owner: postgres\n--\n\nCREATE TABLE t (\n"
          "  x int\n);\n",
          1, true, NULL, &e);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.first[0], 5);
    assert_int_equal(e.last[0], 7);
    assert_string_equal(e.object, "Name: t; Type: TABLE; Schema: public; Owner: postgres");
    events_free(&e);
}

static void test_copy_detection(void **state)
{
    struct events e;
    split("COPY public.t (a, \"from\") FROM stdin;\nCOPY (SELECT 1 FROM stdin) TO stdout;\n"
          "COPY t FROM '/tmp/x';\n",
          1000, true, NULL, &e);
    assert_int_equal(e.n, 3);
    assert_true(e.copy[0]);
    assert_false(e.copy[1]);
    assert_false(e.copy[2]);
    events_free(&e);
}

static void test_incomplete(void **state)
{
    static const char *const inputs[] = {"SELECT 'abc", "SELECT $$ x", "SELECT /* x", "SELECT 1",
                                         "SELECT \"x"};
    for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
        struct events e;
        split(inputs[i], 2, true, NULL, &e);
        assert_int_equal(e.n, 1);
        assert_int_equal(e.kind[0], SQL_LEX_INCOMPLETE);
        events_free(&e);
    }
}

static void test_multibyte_client_encoding(void **state)
{
    /* In SJIS, 0x95 0x5C is one character whose second byte is '\': inside E'' it must not
     * escape the closing quote. */
    const char input[] = "SELECT E'\x95\x5C';\nSELECT 2;";
    struct events e;
    split(input, 1, true, "SJIS", &e);
    assert_int_equal(e.n, 2);
    assert_int_equal(e.kind[0], SQL_LEX_STATEMENT);
    assert_string_equal(e.text[1], "SELECT 2;");
    events_free(&e);
    /* read as UTF8 the same bytes leave the string open */
    split(input, 1, true, "UTF8", &e);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.kind[0], SQL_LEX_INCOMPLETE);
    events_free(&e);
}

static void test_shorten(void **state)
{
    struct strbuf sb = {0};
    sql_shorten("SELECT\n   1,\n\t2;  ", 100, &sb);
    assert_string_equal(sb_str(&sb), "SELECT 1, 2");
    sb_reset(&sb);
    sql_shorten("SELECT 'ééé'", 10, &sb);
    assert_string_equal(sb_str(&sb), "SELECT 'é…");
    sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_e_string_backslash_quote),
        cmocka_unit_test(test_standard_string_backslash),
        cmocka_unit_test(test_prefixed_strings),
        cmocka_unit_test(test_string_continuation),
        cmocka_unit_test(test_dollar_quotes),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_parentheses),
        cmocka_unit_test(test_begin_atomic),
        cmocka_unit_test(test_plain_begin_is_not_a_body),
        cmocka_unit_test(test_meta_lines),
        cmocka_unit_test(test_backslash_inside_statement_is_an_error),
        cmocka_unit_test(test_lines_and_object),
        cmocka_unit_test(test_copy_detection),
        cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_multibyte_client_encoding),
        cmocka_unit_test(test_shorten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
