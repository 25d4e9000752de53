/* The fix-up's pieces: COPY field escaping, text[] literals, prefix rules, role mapping,
 * COPY headers, whole rows, the dump-end check. Expected values are written out by hand from
 * PostgreSQL's documented formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common.h"
#include "db/copyrow.h"
#include "db/copytext.h"
#include "db/dump.h"
#include "db/pathmap.h"
#include "db/sqlline.h"

static void test_copy_decode(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    const char raw[] = "a\\tb\\\\c\\nd\\101\\x41\\q";
    copy_field_decode(raw, strlen(raw), &sb);
    assert_int_equal(sb.len, 10);
    assert_memory_equal(sb.buf, "a\tb\\c\ndAAq", 10);
    assert_true(copy_field_is_null("\\N", 2));
    assert_false(copy_field_is_null("\\\\N", 3));
    sb_free(&sb);
}

static void test_copy_encode(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    const char v[] = "/x y/t\tb\\n\nr\r";
    copy_field_encode(v, strlen(v), &sb);
    assert_string_equal(sb_str(&sb), "/x y/t\\tb\\\\n\\nr\\r");
    struct strbuf back = {0};
    copy_field_decode(sb.buf, sb.len, &back);
    assert_string_equal(sb_str(&back), v);
    sb_free(&sb);
    sb_free(&back);
}

static void test_array(void **state)
{
    (void)state;
    struct pg_array a = {0};
    struct strbuf sb = {0};
    const char lit[] = "{/mnt/a,\"/mnt/b c\",NULL,\"q\\\"x\",\"NULL\"}";
    assert_int_equal(pg_array_parse(lit, strlen(lit), &a), 0);
    assert_int_equal(a.count, 5);
    assert_string_equal(sb_str(&a.elems[1]), "/mnt/b c");
    assert_true(a.is_null[2]);
    assert_string_equal(sb_str(&a.elems[3]), "q\"x");
    assert_false(a.is_null[4]);
    pg_array_format(&a, &sb);
    assert_string_equal(sb_str(&sb), lit);
    assert_int_equal(pg_array_parse("{}", 2, &a), 0);
    assert_int_equal(a.count, 0);
    assert_int_equal(pg_array_parse("{{a}}", 5, &a), -1);
    assert_int_equal(pg_array_parse("[1:1]={a}", 9, &a), -1);
    assert_int_equal(pg_array_parse("{a", 2, &a), -1);
    pg_array_free(&a);
    sb_free(&sb);
}

static void test_rules(void **state)
{
    (void)state;
    struct path_rules pr = {0};
    struct strbuf sb = {0}, err = {0};
    assert_int_equal(path_rules_add(&pr, "upload", "/T", &err), 0);
    assert_int_equal(path_rules_add(&pr, "/usr/src/app/upload/", "/T/", &err), 0);
    assert_int_equal(path_rules_add_spec(&pr, "/mnt/photos=/srv/p", &err), 0);
    assert_int_equal(path_rules_add(&pr, "/", "/x", &err), -1);
    assert_int_equal(path_rules_add_spec(&pr, "nonsense", &err), -1);
    assert_non_null(path_rules_apply(&pr, "upload/upload/x", 15, &sb));
    assert_string_equal(sb_str(&sb), "/T/upload/x");
    sb_reset(&sb);
    assert_non_null(path_rules_apply(&pr, "/usr/src/app/upload/thumbs/a", 28, &sb));
    assert_string_equal(sb_str(&sb), "/T/thumbs/a");
    sb_reset(&sb);
    assert_non_null(path_rules_apply(&pr, "/mnt/photos", 11, &sb));
    assert_string_equal(sb_str(&sb), "/srv/p");
    assert_null(path_rules_match(&pr, "uploads/x", 9));
    assert_null(path_rules_match(&pr, "/mnt/photosX/a", 14));
    assert_null(path_rules_match(&pr, "x/upload/a", 10));
    path_rules_free(&pr);
    sb_free(&sb);
    sb_free(&err);
}

static void check_role(const char *in, const char *want)
{
    struct role_map roles[] = {{(char *)"postgres", (char *)"immich"}};
    struct strbuf out = {0};
    int n = sql_map_roles(in, strlen(in), roles, 1, &out);
    if (!want) {
        assert_int_equal(n, 0);
    } else {
        assert_true(n > 0);
        assert_string_equal(sb_str(&out), want);
    }
    sb_free(&out);
}

static void test_roles(void **state)
{
    (void)state;
    check_role("ALTER TABLE public.asset OWNER TO postgres;",
               "ALTER TABLE public.asset OWNER TO immich;");
    check_role("ALTER TABLE public.\"user\" OWNER TO \"postgres\";",
               "ALTER TABLE public.\"user\" OWNER TO immich;");
    check_role("GRANT ALL ON TABLE public.a TO postgres WITH GRANT OPTION;",
               "GRANT ALL ON TABLE public.a TO immich WITH GRANT OPTION;");
    check_role("GRANT SELECT ON TABLE public.a TO PUBLIC;", NULL);
    check_role("GRANT SELECT ON TABLE public.a TO alice, postgres;",
               "GRANT SELECT ON TABLE public.a TO alice, immich;");
    check_role("REVOKE ALL ON SCHEMA public FROM postgres;",
               "REVOKE ALL ON SCHEMA public FROM immich;");
    check_role("SET SESSION AUTHORIZATION 'postgres';", "SET SESSION AUTHORIZATION 'immich';");
    check_role(
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO postgres;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE immich IN SCHEMA public GRANT ALL ON TABLES TO immich;");
    check_role("ALTER TABLE public.asset OWNER TO postgres2;", NULL);
    check_role("ALTER TABLE ONLY public.asset", NULL);
    check_role("CREATE TABLE postgres (a int);", NULL);
}

static void test_copy_header(void **state)
{
    (void)state;
    struct copy_header h;
    const char l[] = "COPY public.\"user\" (id, \"profileImagePath\", \"we\"\"ird\") FROM stdin;";
    assert_int_equal(copy_header_parse(l, strlen(l), &h), 0);
    assert_string_equal(h.schema, "public");
    assert_string_equal(h.table, "user");
    assert_int_equal(h.ncols, 3);
    assert_string_equal(h.cols[1], "profileImagePath");
    assert_string_equal(h.cols[2], "we\"ird");
    copy_header_free(&h);
    assert_int_equal(copy_header_parse("COPY public.x FROM stdin;", 25, &h), -1);
    char *e =
        sql_extension_name("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public;", 61);
    assert_string_equal(e, "uuid-ossp");
    free(e);
}

static void test_row(void **state)
{
    (void)state;
    struct path_rules pr = {0};
    struct strbuf out = {0}, err = {0};
    path_rules_add(&pr, "upload", "/new\tdir", &err);
    struct copyrow_ctx c = {.rules = &pr};
    unsigned char kinds[] = {COL_OTHER, COL_PATH, COL_PATH, COL_PATH_ARRAY};
    const char row[] = "1\tupload/upload/a\\tb.jpg\t\\N\t{upload/x,\"upload/y z\"}\tupload/desc";
    assert_true(copyrow_rewrite(&c, kinds, 4, true, row, strlen(row), &out));
    assert_string_equal(
        sb_str(&out),
        "1\t/new\\tdir/upload/a\\tb.jpg\t\\N\t{\"/new\\tdir/x\",\"/new\\tdir/y z\"}\tupload/desc");
    sb_reset(&out);
    const char same[] = "2\t/else/a\t\\N\t{}";
    assert_false(copyrow_rewrite(&c, kinds, 4, true, same, strlen(same), &out));
    assert_int_equal(out.len, 0);
    copyrow_ctx_free(&c);
    path_rules_free(&pr);
    sb_free(&out);
    sb_free(&err);
}

static void test_tail(void **state)
{
    (void)state;
    const char ok[] = "x\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc\n\n";
    const char ok2[] = "-- PostgreSQL database dump complete\n";
    const char bad[] = "-- PostgreSQL database dump complete\n--\nCOPY x\n";
    const char cut[] = "COPY public.a (id) FROM stdin;\n1\n2";
    assert_true(db_dump_tail_complete(ok, strlen(ok)));
    assert_true(db_dump_tail_complete(ok2, strlen(ok2)));
    assert_false(db_dump_tail_complete(bad, strlen(bad)));
    assert_false(db_dump_tail_complete(cut, strlen(cut)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_decode), cmocka_unit_test(test_copy_encode),
        cmocka_unit_test(test_array),       cmocka_unit_test(test_rules),
        cmocka_unit_test(test_roles),       cmocka_unit_test(test_copy_header),
        cmocka_unit_test(test_row),         cmocka_unit_test(test_tail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
