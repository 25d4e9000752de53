/* Backslash commands in dumps: the \restrict rules, \connect targets, the refusals; and the
 * statement classes the importer acts on. */
#include "common.h"
#include "pg/sql_classify.h"
#include "pg/sql_meta.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static int accept(struct meta_rules *r, const char *line, struct meta_cmd *m, struct strbuf *err)
{
    sb_reset(err);
    return meta_accept(r, line, 7, "postgres", "immich", m, err);
}

static void test_restrict_rules(void **state)
{
    struct meta_rules r = {0};
    struct meta_cmd m;
    struct strbuf err = {0};
    assert_int_equal(accept(&r, "\\restrict KEY1", &m, &err), 0);
    assert_int_equal(m.kind, META_RESTRICT);
    meta_cmd_free(&m);
    assert_int_equal(accept(&r, "\\connect immich", &m, &err), -1); /* restricted */
    assert_non_null(strstr(sb_str(&err), "line 7"));
    assert_int_equal(accept(&r, "\\unrestrict WRONG", &m, &err), -1);
    assert_non_null(strstr(sb_str(&err), "wrong key"));
    assert_int_equal(accept(&r, "\\unrestrict KEY1", &m, &err), 0);
    meta_cmd_free(&m);
    assert_int_equal(accept(&r, "\\unrestrict KEY1", &m, &err), -1); /* not restricted now */
    meta_rules_free(&r);
    sb_free(&err);
}

static void test_connect(void **state)
{
    struct meta_rules r = {0};
    struct meta_cmd m;
    struct strbuf err = {0};
    assert_int_equal(accept(&r, "\\connect immich", &m, &err), 0);
    assert_int_equal(m.kind, META_CONNECT);
    assert_string_equal(m.arg, "immich");
    meta_cmd_free(&m);
    assert_int_equal(accept(&r, "\\connect -reuse-previous=on \"dbname='immich'\"", &m, &err), 0);
    assert_string_equal(m.arg, "immich");
    meta_cmd_free(&m);
    assert_int_equal(accept(&r, "\\connect other", &m, &err), -1);
    assert_non_null(strstr(sb_str(&err), "\"other\""));
    assert_int_equal(
        accept(&r, "\\connect -reuse-previous=on \"dbname='immich' host=evil\"", &m, &err), -1);
    assert_int_equal(accept(&r, "\\c immich someone", &m, &err), -1);
    assert_int_equal(accept(&r, "\\connect :db", &m, &err), -1);
    assert_int_equal(accept(&r, "\\encoding SQL_ASCII", &m, &err), 0);
    assert_int_equal(m.kind, META_ENCODING);
    meta_cmd_free(&m);
    meta_rules_free(&r);
    sb_free(&err);
}

static void test_refused(void **state)
{
    static const char *const lines[] = {
        "\\! rm -rf /",      "\\!ls",   "\\i /etc/passwd", "\\o /tmp/x",
        "\\copy t from 'x'", "\\gexec", "\\set x 1",       "\\"};
    struct meta_rules r = {0};
    struct meta_cmd m;
    struct strbuf err = {0};
    for (size_t i = 0; i < ARRAY_LEN(lines); i++)
        assert_int_equal(accept(&r, lines[i], &m, &err), -1);
    sb_free(&err);
}

static void test_classify(void **state)
{
    struct stmt_info i;
    stmt_classify("SET standard_conforming_strings = off;", false, &i);
    assert_int_equal(i.cls, STMT_SESSION);
    assert_int_equal(i.sets_std_strings, 0);
    stmt_classify("SET client_encoding = 'SJIS';", false, &i);
    assert_string_equal(i.sets_encoding, "SJIS");
    stmt_classify("SELECT pg_catalog.set_config('search_path', '', false);", false, &i);
    assert_int_equal(i.cls, STMT_SESSION);
    stmt_classify("SET transaction_timeout = 0;", false, &i);
    assert_int_equal(i.cls, STMT_TXN_TIMEOUT);
    stmt_classify("CREATE DATABASE x WITH TEMPLATE = template0;", false, &i);
    assert_int_equal(i.cls, STMT_NO_TRANSACTION);
    stmt_classify("COPY public.\"My Table\" (a, b) FROM stdin;", true, &i);
    assert_int_equal(i.cls, STMT_COPY_IN);
    assert_string_equal(i.table, "public.\"My Table\"");
    stmt_classify("CREATE UNIQUE INDEX i ON ONLY public.t USING btree (a);", false, &i);
    assert_int_equal(i.cls, STMT_INDEX);
    assert_string_equal(i.table, "public.t");
    stmt_classify("ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (a, b);", false,
                  &i);
    assert_int_equal(i.cls, STMT_ADD_KEY);
    assert_string_equal(i.table, "public.t");
    stmt_classify("ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES u(a);",
                  false, &i);
    assert_int_equal(i.cls, STMT_OTHER);
    stmt_classify("CREATE INDEX CONCURRENTLY i ON t (a);", false, &i);
    assert_int_equal(i.cls, STMT_NO_TRANSACTION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_restrict_rules),
        cmocka_unit_test(test_connect),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_classify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
