/* The statement classifier and the safety scan's refusal rules (sql_policy): what pg_dump
 * writes passes; what it never writes for an Immich database is refused; only pg_dump's own
 * SET lines change standard_conforming_strings or the client encoding. */
#include "common.h"
#include "pg/sql_classify.h"
#include "pg/sql_policy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int check(const char *stmt, bool copy_from_stdin, size_t *at)
{
    struct stmt_info info;
    stmt_classify(stmt, copy_from_stdin, &info);
    struct strbuf why = {0};
    size_t where = 0;
    int rc = sql_policy_check(stmt, &info, &where, &why);
    if (rc < 0)
        assert_true(why.len > 0);
    if (at)
        *at = where;
    sb_free(&why);
    return rc;
}

/* A SET without a value, or with DEFAULT: no statement pg_dump writes, so it changes nothing
 * the scan follows, and it is refused. The words array must not be read past its end (the
 * sanitizer build's malloc fills it with 0xbe, an invalid token kind). */
static void test_set_forms(void **state)
{
    (void)state;
    struct stmt_info i;
    stmt_classify("SET standard_conforming_strings", false, &i);
    assert_int_equal(i.sets_std_strings, -1);
    stmt_classify("SET standard_conforming_strings;", false, &i);
    assert_int_equal(i.sets_std_strings, -1);
    stmt_classify("SET client_encoding", false, &i);
    assert_string_equal(i.sets_encoding, "");
    stmt_classify("SET standard_conforming_strings TO DEFAULT;", false, &i);
    assert_int_equal(i.sets_std_strings, -1);
    stmt_classify("SET standard_conforming_strings = on;", false, &i);
    assert_int_equal(i.sets_std_strings, 1);
    stmt_classify("SET SESSION standard_conforming_strings TO 'off';", false, &i);
    assert_int_equal(i.sets_std_strings, 0);
    stmt_classify("SET LOCAL standard_conforming_strings = off;", false, &i);
    assert_int_equal(i.sets_std_strings, -1);
    stmt_classify("SET standard_conforming_strings = off, on;", false, &i);
    assert_int_equal(i.sets_std_strings, -1);
    stmt_classify("SET client_encoding = 'UTF8';", false, &i);
    assert_string_equal(i.sets_encoding, "UTF8");
    stmt_classify("SET client_encoding = 'NO_SUCH_ENCODING';", false, &i);
    assert_string_equal(i.sets_encoding, "");
    stmt_classify("SET client_encoding TO DEFAULT;", false, &i);
    assert_string_equal(i.sets_encoding, "");

    assert_int_equal(check("SET standard_conforming_strings = on;", false, NULL), 0);
    assert_int_equal(check("SET client_encoding = 'UTF8';", false, NULL), 0);
    static const char *const refused[] = {
        "SET standard_conforming_strings",
        "SET standard_conforming_strings TO DEFAULT;",
        "SET LOCAL standard_conforming_strings = off;",
        "RESET standard_conforming_strings;",
        "RESET client_encoding;",
        "RESET ALL;",
        "DISCARD ALL;",
        "SELECT set_config('standard_conforming_strings', 'off', false);",
        "SELECT pg_catalog.set_config('standard_' || 'conforming_strings', 'off', false);",
        "SELECT set_config(lower('X'), 'off', false);",
        "ALTER DATABASE immich SET standard_conforming_strings = off;",
        "ALTER DATABASE immich SET client_encoding = 'SJIS';",
        "SET client_encoding TO DEFAULT;",
    };
    for (size_t k = 0; k < ARRAY_LEN(refused); k++)
        if (check(refused[k], false, NULL) != -1)
            fail_msg("not refused: %s", refused[k]);
}

static void test_pg_dump_lines_pass(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "SET statement_timeout = 0;",
        "SELECT pg_catalog.set_config('search_path', '', false);",
        "SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', true);",
        "SET check_function_bodies = false;",
        "SET row_security = off;",
        "CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA public;",
        "COMMENT ON EXTENSION cube IS 'data type for multidimensional cubes';",
        "CREATE FUNCTION public.updated_at() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\n"
        "    BEGIN new.\"updatedAt\" = clock_timestamp(); return new; END;$$;",
        "CREATE FUNCTION public.f_concat_ws(text, text[]) RETURNS text\n    LANGUAGE sql "
        "IMMUTABLE PARALLEL SAFE\n    AS $_$SELECT array_to_string($2, $1)$_$;",
        "CREATE FUNCTION public.f(a integer) RETURNS integer LANGUAGE sql\nBEGIN ATOMIC\n "
        "SELECT a + 1;\nEND;",
        "CREATE TRIGGER t AFTER DELETE ON public.asset FOR EACH STATEMENT EXECUTE FUNCTION "
        "public.asset_delete_audit();",
        "COPY public.asset (id, \"originalPath\") FROM stdin;",
        "SELECT pg_catalog.lo_create('16385');",
        "SELECT pg_catalog.lo_open('16385', 131072);",
        "SELECT pg_catalog.lowrite(0, '\\x68656c6c6f');",
        "ALTER LARGE OBJECT 16385 OWNER TO immich;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE immich IN SCHEMA public GRANT ALL ON TABLES TO immich;",
        "BEGIN;",
        "COMMIT;",
        "CREATE TABLE public.language (id integer, copy text, execute text);",
        "CREATE INDEX copy_idx ON public.t USING btree (execute);",
    };
    for (size_t k = 0; k < ARRAY_LEN(ok); k++)
        if (check(ok[k], strncmp(ok[k], "COPY", 4) == 0, NULL) != 0)
            fail_msg("refused: %s", ok[k]);
}

static void test_escapes_refused(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "COPY (SELECT 1) TO PROGRAM 'id > /tmp/f';",
        "COPY public.t FROM PROGRAM 'id';",
        "COPY public.t FROM '/etc/passwd';",
        "COPY public.t TO '/tmp/x';",
        "DO $$BEGIN PERFORM 1; END$$;",
        "do 'begin null; end';",
        "CREATE ROLE evil SUPERUSER LOGIN;",
        "ALTER ROLE immich SUPERUSER;",
        "alter user immich with superuser;",
        "DROP ROLE immich;",
        "ALTER SYSTEM SET archive_command = 'id';",
        "LOAD 'auto_explain';",
        "CREATE TRUSTED LANGUAGE plx HANDLER h;",
        "CREATE OR REPLACE PROCEDURAL LANGUAGE plx;",
        "SELECT lo_export(lo_from_bytea(0, 'x'), '/tmp/f');",
        "SELECT pg_catalog.lo_import('/etc/shadow');",
        "SELECT pg_read_file('/etc/passwd');",
        "GRANT pg_execute_server_program TO immich;",
        "CREATE FUNCTION public.e() RETURNS void LANGUAGE plpgsql AS $$BEGIN EXECUTE "
        "'COPY (SELECT 1) TO PROGRAM ''id'''; END$$;",
        "CREATE FUNCTION public.c() RETURNS void LANGUAGE sql AS $$COPY (SELECT 1) TO '/tmp/x'$$;",
        "CREATE FUNCTION public.t() RETURNS void LANGUAGE sql AS $x$COPY (SELECT 1) TO '/tmp/x'$x$;",
        "CREATE FUNCTION public.r() RETURNS void LANGUAGE sql AS $$ALTER ROLE immich SUPERUSER$$;",
        "CREATE FUNCTION public.p() RETURNS int LANGUAGE plpython3u AS 'return 1';",
        "CREATE OR REPLACE FUNCTION public.c() RETURNS int AS 'libc.so', 'getpid' LANGUAGE c;",
        "CREATE PROCEDURE public.p() LANGUAGE \"plperlu\" AS $$ system('id') $$;",
    };
    for (size_t k = 0; k < ARRAY_LEN(refused); k++)
        if (check(refused[k], false, NULL) != -1)
            fail_msg("not refused: %s", refused[k]);
    /* where: the offset of what was refused, for the line number */
    size_t at = 0;
    assert_int_equal(check("SELECT 1,\n  lo_export(1, '/tmp/x');", false, &at), -1);
    assert_int_equal(at, 12);
}

static void test_transactions_and_extensions(void **state)
{
    (void)state;
    struct stmt_info i;
    static const char *const begins[] = {"BEGIN;", "begin work;", "START TRANSACTION;",
                                         "BEGIN TRANSACTION;"};
    for (size_t k = 0; k < ARRAY_LEN(begins); k++) {
        stmt_classify(begins[k], false, &i);
        assert_int_equal(i.cls, STMT_BEGIN);
    }
    static const char *const commits[] = {"COMMIT;", "END;", "commit work;"};
    for (size_t k = 0; k < ARRAY_LEN(commits); k++) {
        stmt_classify(commits[k], false, &i);
        assert_int_equal(i.cls, STMT_COMMIT);
    }
    static const char *const others[] = {"BEGIN ISOLATION LEVEL SERIALIZABLE;", "COMMIT AND CHAIN;",
                                         "ROLLBACK;", "START;", "SAVEPOINT a;"};
    for (size_t k = 0; k < ARRAY_LEN(others); k++) {
        stmt_classify(others[k], false, &i);
        assert_int_equal(i.cls, STMT_NO_TRANSACTION);
    }
    stmt_classify("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public;", false, &i);
    assert_int_equal(i.cls, STMT_CREATE_EXTENSION);
    assert_string_equal(i.name, "uuid-ossp");
    assert_true(i.if_not_exists);
    stmt_classify("CREATE EXTENSION Vector;", false, &i);
    assert_string_equal(i.name, "vector");
    assert_false(i.if_not_exists);
    stmt_classify("DROP EXTENSION IF EXISTS \"uuid-ossp\";", false, &i);
    assert_int_equal(i.cls, STMT_DROP_EXTENSION);
    assert_string_equal(i.name, "uuid-ossp");
    stmt_classify("DROP EXTENSION IF EXISTS cube CASCADE;", false, &i);
    assert_int_equal(i.cls, STMT_OTHER);
    stmt_classify("DROP EXTENSION cube;", false, &i);
    assert_int_equal(i.cls, STMT_OTHER);
    stmt_classify("COMMENT ON EXTENSION earthdistance IS 'calculate great-circle distances on "
                  "the surface of the Earth';",
                  false, &i);
    assert_int_equal(i.cls, STMT_COMMENT_EXTENSION);
    assert_string_equal(i.name, "earthdistance");
    assert_true(i.comment_ok);
    assert_string_equal(i.comment, "calculate great-circle distances on the surface of the Earth");
    stmt_classify("COMMENT ON EXTENSION x IS 'it''s';", false, &i);
    assert_string_equal(i.comment, "it's");
    assert_true(i.comment_ok);
    stmt_classify("COMMENT ON EXTENSION x IS 'a\\b';", false, &i);
    assert_false(i.comment_ok);
    stmt_classify("COMMENT ON EXTENSION x IS 'a'\n'b';", false, &i);
    assert_false(i.comment_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_forms),
        cmocka_unit_test(test_pg_dump_lines_pass),
        cmocka_unit_test(test_escapes_refused),
        cmocka_unit_test(test_transactions_and_extensions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
