/* What we take from `docker inspect` and `systemctl show` output
 * (samples shaped like the real tools' output); also the other small pure parsers of the
 * discover area: immich_url, source path mapping, journal error lines. */
#include "common.h"
#include "discover/http.h"
#include "discover/inspect.h"
#include "discover/paths.h"
#include "discover/verify.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* JSON is read by jansson (the hand-written reader is gone): what reaches the parsed
 * container is unescaped like before, and malformed text is refused with a reason. */
static void test_string_escapes(void **state)
{
    (void)state;
    /* \u00e9 = é (C3 A9), \u20ac = € (E2 82 AC), \ud83d\ude00 = U+1F600 (F0 9F 98 80) */
    const char *text =
        "[{\"Name\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u20AC \\ud83d\\ude00\"}]";
    struct container_info ci;
    struct strbuf err = {0};
    assert_int_equal(container_info_parse(&ci, text, strlen(text), &err), 0);
    assert_string_equal(ci.name, "q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    container_info_free(&ci);
    sb_free(&err);
}

static void expect_refused(const char *text)
{
    struct container_info ci;
    struct strbuf err = {0};
    if (container_info_parse(&ci, text, strlen(text), &err) == 0)
        fail_msg("accepted: %s", text);
    assert_true(err.len > 0);
    sb_free(&err);
}

static void test_rejects(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "{",
                         "[1,]",
                         "{\"a\" 1}",
                         "{\"a\":1,}",
                         "01",
                         "1.",
                         "-",
                         "tru",
                         "\"open",
                         "\"bad \\x escape\"",
                         "\"\\ud800 lone\"",
                         "\"\\u0000\"",
                         "[1] 2",
                         "\"ctl \x01\"",
                         "{1:2}",
                         "nul"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        expect_refused(bad[i]);
        char *wrapped = xasprintf("[{\"Name\": %s}]", bad[i]);
        expect_refused(wrapped);
        free(wrapped);
    }
    /* nesting is bounded */
    struct strbuf deep = {0};
    for (int i = 0; i < 64 + 5; i++)
        sb_append_char(&deep, '[');
    expect_refused(sb_str(&deep));
    sb_free(&deep);
}

static const char inspect_sample[] =
    "[\n"
    "    {\n"
    "        \"Id\": \"4f2c\",\n"
    "        \"State\": {\"Status\": \"running\", \"Running\": true, \"Pid\": 1234},\n"
    "        \"Name\": \"/immich_server\",\n"
    "        \"Mounts\": [\n"
    "            {\"Type\": \"bind\", \"Source\": \"/srv/immich/library\", \"Destination\": \"/data\", \"Mode\": \"\", \"RW\": true},\n"
    "            {\"Type\": \"bind\", \"Source\": \"/etc/localtime\", \"Destination\": \"/etc/localtime\", \"Mode\": \"ro\", \"RW\": false},\n"
    "            {\"Type\": \"bind\", \"Source\": \"/mnt/nas/photos\", \"Destination\": \"/mnt/photos\", \"RW\": false}\n"
    "        ],\n"
    "        \"Config\": {\n"
    "            \"Image\": \"ghcr.io/immich-app/immich-server:v1.135.3\",\n"
    "            \"Labels\": {\n"
    "                \"com.docker.compose.project\": \"immich\",\n"
    "                \"com.docker.compose.project.working_dir\": \"/opt/immich\",\n"
    "                \"com.docker.compose.project.config_files\": \"/opt/immich/docker-compose.yml\"\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "]\n";

static void test_container_info(void **state)
{
    (void)state;
    struct container_info ci;
    struct strbuf err = {0};
    assert_int_equal(container_info_parse(&ci, inspect_sample, strlen(inspect_sample), &err), 0);
    assert_string_equal(ci.name, "immich_server");
    assert_true(ci.running);
    assert_string_equal(ci.status, "running");
    assert_string_equal(ci.image, "ghcr.io/immich-app/immich-server:v1.135.3");
    assert_string_equal(ci.compose_project, "immich");
    assert_string_equal(ci.compose_working_dir, "/opt/immich");
    assert_int_equal((int)ci.mount_count, 3);
    assert_string_equal(ci.mounts[0].source, "/srv/immich/library");
    assert_string_equal(ci.mounts[0].destination, "/data");
    assert_true(ci.mounts[0].rw);
    assert_false(ci.mounts[2].rw);
    container_info_free(&ci);
    assert_int_equal(container_info_parse(&ci, "[]", 2, &err), -1);
    sb_free(&err);
}

static void test_image_tags_and_versions(void **state)
{
    (void)state;
    assert_string_equal(image_tag("ghcr.io/immich-app/immich-server:v1.135.3"), "v1.135.3");
    assert_string_equal(image_tag("ghcr.io/immich-app/immich-server:release"), "release");
    assert_string_equal(image_tag("localhost:5000/immich-server"), "");
    assert_string_equal(image_tag("immich-server:v2@sha256:abc"), "v2@sha256:abc");
    int v[3], w[3];
    assert_int_equal(version_parse("v1.135.3", v), 0);
    assert_int_equal(v[0], 1);
    assert_int_equal(v[1], 135);
    assert_int_equal(v[2], 3);
    assert_int_equal(version_parse("v1.135.3@sha256:abc", w), 0);
    assert_int_equal(version_compare(v, w), 0);
    assert_int_equal(version_parse("release", v), -1);
    assert_int_equal(version_parse("v2", v), -1);
    assert_int_equal(version_parse("1.2", v), -1);
    assert_int_equal(version_parse("2.0.0", v), 0);
    assert_int_equal(version_parse("1.135.10", w), 0);
    assert_int_equal(version_compare(v, w), 1);
    assert_int_equal(version_compare(w, v), -1);
}

static void test_unit_show(void **state)
{
    (void)state;
    const char *text =
        "LoadState=loaded\n"
        "ActiveState=active\n"
        "Environment=IMMICH_MEDIA_LOCATION=/var/lib/immich DB_HOSTNAME=/run/postgresql "
        "\"NAME=with space\" DB_URL=postgresql:///immich\n"
        "ExecStart={ path=/nix/store/0abc0123456789abcdefghijklmnopqr-immich-1.136.0/bin/server ; "
        "argv[]=/nix/store/0abc0123456789abcdefghijklmnopqr-immich-1.136.0/bin/server ; "
        "ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }\n";
    struct unit_info ui;
    unit_info_parse(&ui, text);
    assert_string_equal(ui.load_state, "loaded");
    assert_string_equal(ui.active_state, "active");
    assert_string_equal(unit_env(&ui, "IMMICH_MEDIA_LOCATION"), "/var/lib/immich");
    assert_string_equal(unit_env(&ui, "NAME"), "with space");
    assert_string_equal(unit_env(&ui, "DB_URL"), "postgresql:///immich");
    assert_null(unit_env(&ui, "DB"));
    assert_string_equal(ui.exec_path,
                        "/nix/store/0abc0123456789abcdefghijklmnopqr-immich-1.136.0/bin/server");
    assert_string_equal(ui.nix_version, "1.136.0");
    unit_info_free(&ui);

    unit_info_parse(&ui, "LoadState=not-found\nActiveState=inactive\nExecStart=\n");
    assert_string_equal(ui.load_state, "not-found");
    assert_null(ui.nix_version);
    unit_info_free(&ui);

    /* Several ExecStart lines: the first with a path= counts, and the version comes from
     * that same command; nothing of the others is kept (LSan in CI's unit run checks). */
    unit_info_parse(&ui, "ExecStart=/nix/store/aaa-immich-1.0.0/bin/x\n"
                         "ExecStart={ path=/nix/store/bbb-immich-2.0.0/bin/server ; argv[]=server }\n"
                         "ExecStart={ path=/nix/store/ccc-immich-3.0.0/bin/other ; argv[]=other }\n");
    assert_string_equal(ui.exec_path, "/nix/store/bbb-immich-2.0.0/bin/server");
    assert_string_equal(ui.nix_version, "2.0.0");
    unit_info_free(&ui);

    char *v = nix_store_immich_version(
        "/nix/store/xyz-immich-machine-learning-1.2.3/bin/ml /nix/store/abc-immich-2.1.0/bin/server");
    assert_string_equal(v, "2.1.0");
    free(v);
    assert_null(nix_store_immich_version("/nix/store/abc-unit-script-immich-server-start/bin/x"));
}

static void expect_url(const char *url, const char *host, const char *port, const char *prefix)
{
    char *h, *p, *x;
    if (!host) {
        assert_int_equal(http_url_parse(url, &h, &p, &x), -1);
        return;
    }
    assert_int_equal(http_url_parse(url, &h, &p, &x), 0);
    assert_string_equal(h, host);
    assert_string_equal(p, port);
    assert_string_equal(x, prefix);
    free(h);
    free(p);
    free(x);
}

static void test_urls(void **state)
{
    (void)state;
    expect_url("http://127.0.0.1:2283", "127.0.0.1", "2283", "");
    expect_url("http://localhost:2283/", "localhost", "2283", "");
    expect_url("http://photos.lan/immich/", "photos.lan", "80", "/immich");
    expect_url("http://[::1]:8080/x", "::1", "8080", "/x");
    expect_url("https://127.0.0.1:2283", NULL, NULL, NULL);
    expect_url("http://:2283", NULL, NULL, NULL);
    expect_url("http://h:99999999", NULL, NULL, NULL);
    expect_url("http://h:12a", NULL, NULL, NULL);
}

static void test_source_paths(void **state)
{
    (void)state;
    char t[] = "bind", s1[] = "/srv/library", d1[] = "/usr/src/app/upload", s2[] = "/srv/photos",
         d2[] = "/mnt/photos", s3[] = "/srv/photos-2024", d3[] = "/mnt/photos/2024";
    struct mount mounts[] = {{t, s1, d1, true}, {t, s2, d2, false}, {t, s3, d3, false}};
    struct container_info server = {.mounts = mounts, .mount_count = ARRAY_LEN(mounts)};
    struct strbuf key = {0};
    /* v1.52-v1.135: relative to /usr/src/app; the first "upload/" is the mount's own */
    char *h = source_path_to_host("upload/upload/u1/a.jpg", &server, "/usr/src/app/upload", &key);
    assert_string_equal(h, "/srv/library/upload/u1/a.jpg");
    assert_string_equal(sb_str(&key), "upload/u1/a.jpg");
    free(h);
    /* v1.136+: absolute container paths */
    h = source_path_to_host("/usr/src/app/upload/thumbs/u1/t.webp", &server, "/usr/src/app/upload",
                            &key);
    assert_string_equal(h, "/srv/library/thumbs/u1/t.webp");
    assert_string_equal(sb_str(&key), "thumbs/u1/t.webp");
    free(h);
    /* the longest mount wins; external files are keyed by their host path */
    h = source_path_to_host("/mnt/photos/2024/b.jpg", &server, "/usr/src/app/upload", &key);
    assert_string_equal(h, "/srv/photos-2024/b.jpg");
    assert_string_equal(sb_str(&key), "/srv/photos-2024/b.jpg");
    free(h);
    h = source_path_to_host("/mnt/photos/2023/c.jpg", &server, "/usr/src/app/upload", &key);
    assert_string_equal(h, "/srv/photos/2023/c.jpg");
    free(h);
    /* a prefix is a whole path component */
    assert_null(source_path_to_host("/mnt/photosX/d.jpg", &server, "/usr/src/app/upload", &key));
    assert_string_equal(sb_str(&key), "/mnt/photosX/d.jpg");
    assert_null(source_path_to_host("/elsewhere/e.jpg", &server, "/usr/src/app/upload", &key));
    sb_free(&key);
}

static void test_path_query(void **state)
{
    (void)state;
    struct strbuf sql = {0};
    assert_false(path_union_query("", &sql));
    assert_false(path_union_query("asset.notapath\nfoo.path\n", &sql));
    assert_true(path_union_query("asset.originalPath\nuser.profileImagePath\n", &sql));
    assert_string_equal(sb_str(&sql),
                        "select \"originalPath\"::text from public.\"asset\" where \"originalPath\" <> ''"
                        " union all select \"profileImagePath\"::text from public.\"user\" where "
                        "\"profileImagePath\" <> ''");
    sb_free(&sql);
}

static void test_journal_lines(void **state)
{
    (void)state;
    assert_true(journal_line_is_error(
        "[Nest] 7  - 11/25/2026, 4:31:17 PM   ERROR [Api:Bootstrap] Detected an inconsistent media location"));
    assert_true(journal_line_is_error("Error: corrupted migrations"));
    assert_true(journal_line_is_error("immich-server.service: Failed with result 'exit-code'."));
    assert_false(journal_line_is_error(
        "[Nest] 7  - 11/25/2026, 4:31:17 PM     LOG [Api:Bootstrap] Immich Server is listening"));
    assert_false(journal_line_is_error(
        "[Nest] 7  - 11/25/2026, 4:31:17 PM    WARN [Api:Http] malformed request"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_escapes), cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_container_info), cmocka_unit_test(test_image_tags_and_versions),
        cmocka_unit_test(test_unit_show),      cmocka_unit_test(test_urls),
        cmocka_unit_test(test_source_paths),   cmocka_unit_test(test_path_query),
        cmocka_unit_test(test_journal_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
