/* The plan's config file: good input, and bad input that must be refused with file:line
 * while leaving the plan unchanged. */
#include "common.h"
#include "plan.h"
#include "sys/safepath.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *write_temp(const char *text)
{
    char *path = xstrdup("/tmp/im-plan-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_defaults(void **state)
{
    struct plan p;
    plan_init(&p);
    assert_string_equal(plan_get(&p, PLAN_target_location), "/var/lib/immich");
    assert_string_equal(plan_get(&p, PLAN_db_username), "postgres");
    assert_int_equal(p.v[PLAN_db_username].source, SRC_DEFAULT);
    plan_free(&p);
}

static void test_good_file(void **state)
{
    char *path = write_temp("# a comment\n\n upload_location = /srv/immich/library \n"
                            "target_location=\"/data/immich media\"\n"
                            "db_username = immich # trailing comment\n");
    struct plan p;
    struct strbuf err = {0};
    plan_init(&p);
    assert_int_equal(plan_load_file(&p, path, &err), 0);
    assert_string_equal(plan_get(&p, PLAN_upload_location), "/srv/immich/library");
    assert_string_equal(plan_get(&p, PLAN_target_location), "/data/immich media");
    assert_string_equal(plan_get(&p, PLAN_db_username), "immich");
    assert_int_equal(p.v[PLAN_upload_location].source, SRC_CONFIG);
    char *origin = xasprintf("%s:3", path);
    assert_string_equal(p.v[PLAN_upload_location].origin, origin);
    free(origin);
    plan_free(&p);
    sb_free(&err);
    unlink(path);
    free(path);
}

static void test_bad_lines_name_file_and_line(void **state)
{
    char *path = write_temp("upload_location = /a\nno equals sign here\nbogus_key = 1\n"
                            "target_location = \"unterminated\n");
    struct plan p;
    struct strbuf err = {0};
    plan_init(&p);
    assert_int_equal(plan_load_file(&p, path, &err), 3);
    char *l2 = xasprintf("%s:2:", path), *l3 = xasprintf("%s:3: unknown key \"bogus_key\"", path),
         *l4 = xasprintf("%s:4:", path);
    assert_non_null(strstr(sb_str(&err), l2));
    assert_non_null(strstr(sb_str(&err), l3));
    assert_non_null(strstr(sb_str(&err), l4));
    /* Nothing of a bad file is taken, not even its good lines. */
    assert_string_equal(plan_get(&p, PLAN_upload_location), "");
    free(l2), free(l3), free(l4);
    plan_free(&p);
    sb_free(&err);
    unlink(path);
    free(path);
}

static void test_missing_file(void **state)
{
    struct plan p;
    struct strbuf err = {0};
    plan_init(&p);
    assert_int_equal(plan_load_file(&p, "/nonexistent/immich.conf", &err), 1);
    assert_non_null(strstr(sb_str(&err), "/nonexistent/immich.conf"));
    plan_free(&p);
    sb_free(&err);
}

static void test_validation(void **state)
{
    struct plan p;
    plan_init(&p);
    struct {
        enum plan_key key;
        const char *value;
        bool ok;
    } cases[] = {
        {PLAN_target_location, "/", false},
        {PLAN_target_location, "", false},
        {PLAN_target_location, "relative/path", false},
        {PLAN_target_location, "/var/lib/immich/../..", false},
        {PLAN_target_location, "/usr", false},
        {PLAN_target_location, "/var/lib/immich", true},
        /* judged resolved, however spelled */
        {PLAN_target_location, "/./etc", false},
        {PLAN_target_location, "//etc", false},
        {PLAN_target_location, "/etc/.", false},
        {PLAN_target_location, "/etc//", false},
        {PLAN_target_location, "/usr/./", false},
        {PLAN_target_location, "/bin", false},
        {PLAN_target_location, "/usr/lib", false},
        {PLAN_target_location, "/etc/no-such-dir/immich", false},
        {PLAN_backup_dir, "//var/lib/.", false},
        {PLAN_backup_dir, "/var/backup/immich-migrate", true},
        {PLAN_upload_location, "/.//etc", false},
        {PLAN_compose_dir, "/etc/immich-compose", true},
        /* not resolvable (a part is a file): judged as spelled */
        {PLAN_backup_dir, "/etc/passwd/x", false},
        {PLAN_backup_dir, "/dev/null/x", false},
        {PLAN_target_location, "/var/lib/immich/../../etc", false},
        {PLAN_media_owner, "immich", false},
        {PLAN_media_owner, "immich:", false},
        {PLAN_media_owner, "immich:immich", true},
        {PLAN_db_username, "two words", false},
        {PLAN_db_username, "postgres", true},
        {PLAN_immich_url, "ftp://x", false},
        {PLAN_immich_url, "http://h:99999999", false},
        {PLAN_immich_url, "http://h:0", false},
        {PLAN_immich_url, "http://h:", false},
        {PLAN_immich_url, "http://h:80x", false},
        {PLAN_immich_url, "http://:2283", false},
        {PLAN_immich_url, "http://", false},
        {PLAN_immich_url, "http://[::1", false},
        {PLAN_immich_url, "http://user@h:2283", false},
        {PLAN_immich_url, "https://h", false}, /* the ping client speaks plain HTTP only */
        {PLAN_immich_url, "http://h:65535", true},
        {PLAN_immich_url, "http://[::1]:2283/immich", true},
        {PLAN_immich_url, "http://immich.lan", true},
        /* a leading "-" would reach docker, pg_dump and psql as an option */
        {PLAN_db_database_name, "-oProxyCommand=x", false},
        {PLAN_db_database_name, "--file=/etc/x", false},
        {PLAN_db_database_name, "my-db", true},
        {PLAN_db_username, "-U", false},
        {PLAN_db_container, "-v", false},
        {PLAN_server_container, "--help", false},
        {PLAN_ml_container, "-x", false},
        {PLAN_target_db_name, "-x", false},
        {PLAN_target_db_owner, "-x", false},
        {PLAN_media_owner, "-x:immich", false},
        {PLAN_media_owner, "immich:-x", false},
        {PLAN_compose_dir, "", true},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct strbuf why = {0};
        bool ok = plan_validate_value(&p, cases[i].key, cases[i].value, false, &why);
        if (ok != cases[i].ok)
            fail_msg("%s = \"%s\": expected %s", plan_key_name(cases[i].key), cases[i].value,
                     cases[i].ok ? "valid" : "invalid");
        if (!ok)
            assert_true(why.len > 0);
        sb_free(&why);
    }
    /* Only the values that are not paths, each named: */
    struct strbuf names = {0};
    plan_set(&p, PLAN_db_database_name, "-x", SRC_CONFIG, NULL);
    plan_set(&p, PLAN_immich_url, "http://h:99999999", SRC_CONFIG, NULL);
    plan_set(&p, PLAN_upload_location, "", SRC_DEFAULT, NULL); /* a path: not judged here */
    assert_int_equal(plan_validate_non_paths(&p, &names), 2);
    assert_non_null(strstr(sb_str(&names), "db_database_name: "));
    assert_non_null(strstr(sb_str(&names), "immich_url: "));
    sb_free(&names);
    /* A symlink to /etc is /etc. */
    char dir[] = "/tmp/test_plan.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *link = xasprintf("%s/etc-link", dir), *below = xasprintf("%s/etc-link/x/y", dir);
    assert_int_equal(symlink("/etc", link), 0);
    struct strbuf lwhy = {0};
    assert_false(plan_validate_value(&p, PLAN_target_location, link, false, &lwhy));
    assert_non_null(strstr(sb_str(&lwhy), "/etc"));
    assert_false(plan_validate_value(&p, PLAN_backup_dir, below, false, &lwhy));
    char *res = path_resolve(below);
    assert_string_equal(res, "/etc/x/y");
    free(res);
    res = path_resolve("//tmp/./no-such-x/../no-such-y//z/.");
    assert_string_equal(res, "/tmp/no-such-y/z");
    free(res);
    unlink(link);
    rmdir(dir);
    free(link);
    free(below);
    sb_free(&lwhy);
    /* Filesystem checks: a user that does not exist is refused. */
    struct strbuf why = {0};
    assert_false(plan_validate_value(&p, PLAN_media_owner, "no-such-user-xyz:root", true, &why));
    assert_non_null(strstr(sb_str(&why), "no-such-user-xyz"));
    sb_free(&why);
    plan_free(&p);
}

static void test_snapshot_round_trip(void **state)
{
    struct plan p, q;
    struct strbuf out = {0}, err = {0};
    plan_init(&p);
    plan_set(&p, PLAN_upload_location, "/srv/with \"quotes\"", SRC_DISCOVERED, NULL);
    plan_set(&p, PLAN_db_username, "immich", SRC_TYPED, NULL);
    plan_write(&p, &out);
    plan_init(&q);
    assert_int_equal(plan_parse_snapshot(&q, sb_str(&out), &err), 0);
    assert_string_equal(plan_get(&q, PLAN_db_username), "immich");
    assert_int_equal(q.v[PLAN_db_username].source, SRC_TYPED);
    assert_int_equal(q.v[PLAN_upload_location].source, SRC_DISCOVERED);
    assert_int_equal(q.v[PLAN_target_location].source, SRC_DEFAULT);
    plan_free(&p);
    plan_free(&q);
    sb_free(&out);
    sb_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_bad_lines_name_file_and_line),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_snapshot_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
