/* What Start and discovery take from `systemctl show`, which is outside input: the
 * Environment= words (systemd's quoting, and what it never writes), immich_url from
 * IMMICH_HOST/IMMICH_PORT and who wins over it, the unit state polled while waiting; and the
 * escaping of outside text for the screen. */
#include "common.h"
#include "discover/discover.h"
#include "discover/inspect.h"
#include "discover/systemd.h"
#include "textesc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void parse_env(struct unit_info *ui, const char *environment)
{
    char *text = xasprintf("LoadState=loaded\nEnvironment=%s\n", environment);
    unit_info_parse(ui, text);
    free(text);
}

static void test_environment_words(void **state)
{
    (void)state;
    struct unit_info ui;
    /* What systemd writes: quoted words with C and shell escapes. */
    parse_env(&ui, "A=1 \"B=two words\" \"C=q\\\"\\\\\\$\\`x\" \"D=a\\tb\\x41\" \"E=\"  F=");
    assert_string_equal(unit_env(&ui, "A"), "1");
    assert_string_equal(unit_env(&ui, "B"), "two words");
    assert_string_equal(unit_env(&ui, "C"), "q\"\\$`x");
    assert_string_equal(unit_env(&ui, "D"), "a\tbA");
    assert_string_equal(unit_env(&ui, "E"), "");
    assert_string_equal(unit_env(&ui, "F"), "");
    unit_info_free(&ui);
    /* The last assignment of a name counts, as in systemd. */
    parse_env(&ui, "IMMICH_PORT=1 IMMICH_PORT=2");
    assert_string_equal(unit_env(&ui, "IMMICH_PORT"), "2");
    unit_info_free(&ui);
    /* Malformed words stay as written, quotes and all, so their readers reject them. */
    parse_env(&ui, "IMMICH_PORT=\"3001");
    assert_string_equal(unit_env(&ui, "IMMICH_PORT"), "\"3001");
    unit_info_free(&ui);
    parse_env(&ui, "\"IMMICH_HOST=a\\qb\" X=1");
    assert_null(unit_env(&ui, "IMMICH_HOST"));
    assert_string_equal(ui.env[0], "\"IMMICH_HOST=a\\qb\"");
    assert_string_equal(unit_env(&ui, "X"), "1");
    unit_info_free(&ui);
    parse_env(&ui, "\"IMMICH_PORT=30\\x0001\" \"Y=\\");
    assert_null(unit_env(&ui, "IMMICH_PORT"));
    assert_null(unit_env(&ui, "Y"));
    unit_info_free(&ui);
}

/* immich_url for an Environment= value; NULL when rejected (then why names the reason). */
static char *url_for(const char *environment, struct strbuf *why)
{
    struct unit_info ui;
    parse_env(&ui, environment);
    sb_reset(why);
    char *url = unit_immich_url(&ui, why);
    if (url)
        assert_int_equal(why->len, 0);
    else
        assert_true(why->len > 0);
    unit_info_free(&ui);
    return url;
}

static void expect_url(const char *environment, const char *want)
{
    struct strbuf why = {0};
    char *url = url_for(environment, &why);
    if (!url)
        fail_msg("%s: rejected: %s", environment, sb_str(&why));
    assert_string_equal(url, want);
    free(url);
    sb_free(&why);
}

static void expect_rejected(const char *environment, const char *reason)
{
    struct strbuf why = {0};
    char *url = url_for(environment, &why);
    if (url)
        fail_msg("%s: accepted as %s", environment, url);
    if (!strstr(sb_str(&why), reason))
        fail_msg("%s: \"%s\" lacks \"%s\"", environment, sb_str(&why), reason);
    sb_free(&why);
}

static void test_immich_url(void **state)
{
    (void)state;
    expect_url("NODE_ENV=production", "http://127.0.0.1:2283");
    expect_url("IMMICH_HOST=127.0.0.1 IMMICH_PORT=3001", "http://127.0.0.1:3001");
    expect_url("IMMICH_HOST=0.0.0.0 IMMICH_PORT=3001", "http://127.0.0.1:3001");
    expect_url("IMMICH_HOST=localhost IMMICH_PORT=65535", "http://localhost:65535");
    expect_url("IMMICH_HOST=:: IMMICH_PORT=1", "http://[::1]:1");
    expect_url("IMMICH_HOST=0:0::0", "http://[::1]:2283");
    expect_url("IMMICH_HOST=::1 IMMICH_PORT=02283", "http://[::1]:2283");
    expect_url("IMMICH_HOST=fd00::5", "http://[fd00::5]:2283");
    expect_url("IMMICH_HOST=192.168.1.20 IMMICH_PORT=8080", "http://192.168.1.20:8080");
    expect_url("IMMICH_HOST=photos.example.org", "http://photos.example.org:2283");
    expect_url("IMMICH_HOST= IMMICH_PORT=", "http://127.0.0.1:2283");
    expect_url("\"IMMICH_PORT=4000\"", "http://127.0.0.1:4000");

    expect_rejected("IMMICH_PORT=0", "IMMICH_PORT=0 is no port number");
    expect_rejected("IMMICH_PORT=65536", "IMMICH_PORT=65536 is no port");
    expect_rejected("IMMICH_PORT=99999999", "is no port");
    expect_rejected("IMMICH_PORT=-1", "is no port");
    expect_rejected("IMMICH_PORT=+3001", "is no port");
    expect_rejected("IMMICH_PORT=3001x", "is no port");
    expect_rejected("IMMICH_PORT=0x10", "is no port");
    expect_rejected("\"IMMICH_PORT= 3001\"", "is no port");
    expect_rejected("IMMICH_PORT=\"3001", "IMMICH_PORT=\"3001 is no port");
    expect_rejected("\"IMMICH_PORT=3001\\n\"", "IMMICH_PORT=3001\\x0a is no port");
    expect_rejected("IMMICH_HOST=127.1", "IMMICH_HOST=127.1 is no IP address");
    expect_rejected("IMMICH_HOST=fe80::1%eth0", "is no IP address");
    expect_rejected("IMMICH_HOST=[::1]", "is no IP address");
    expect_rejected("IMMICH_HOST=-x", "is no IP address");
    expect_rejected("IMMICH_HOST=a/b", "is no IP address");
    expect_rejected("IMMICH_HOST=h@evil", "is no IP address");
    expect_rejected("\"IMMICH_HOST=a b\"", "IMMICH_HOST=a b is no IP address");
    expect_rejected("\"IMMICH_HOST=\\x1b[2J\"", "IMMICH_HOST=\\x1b[2J is no");
    expect_rejected("IMMICH_HOST=x: IMMICH_PORT=0", "host name; IMMICH_PORT=0 is no port");
}

/* The plan's immich_url after discovery from an Environment= value, and the note. */
static void discover_into(struct plan *p, const char *environment, int want_rc,
                          const char *want_url, enum plan_source want_src, const char *note_has)
{
    struct unit_info ui;
    parse_env(&ui, environment);
    struct strbuf note = {0};
    assert_int_equal(discover_immich_url(p, &ui, &note), want_rc);
    assert_string_equal(plan_get(p, PLAN_immich_url), want_url);
    assert_int_equal(p->v[PLAN_immich_url].source, want_src);
    if (note_has && !strstr(sb_str(&note), note_has))
        fail_msg("note \"%s\" lacks \"%s\"", sb_str(&note), note_has);
    if (!note_has)
        assert_int_equal(note.len, 0);
    sb_free(&note);
    unit_info_free(&ui);
}

static void test_discover_precedence(void **state)
{
    (void)state;
    struct plan p;
    plan_init(&p);
    /* No IMMICH_* at all: the default stays the default. */
    discover_into(&p, "NODE_ENV=production", 0, "http://127.0.0.1:2283", SRC_DEFAULT, NULL);
    discover_into(&p, "IMMICH_PORT=3001", 0, "http://127.0.0.1:3001", SRC_DISCOVERED, NULL);
    /* Discovered again after the unit changed: brought up to date. */
    discover_into(&p, "IMMICH_HOST=:: IMMICH_PORT=3002", 0, "http://[::1]:3002", SRC_DISCOVERED, NULL);
    /* Malformed: ignored, the value stays, a warning. */
    discover_into(&p, "IMMICH_PORT=70000", -1, "http://[::1]:3002", SRC_DISCOVERED,
                  "IMMICH_PORT=70000 is no port number (1-65535): ignored, immich_url stays "
                  "http://[::1]:3002");
    /* The user's value wins; a warning only when it is another address. */
    plan_set(&p, PLAN_immich_url, "http://localhost:3001/", SRC_CONFIG, "f:1");
    discover_into(&p, "IMMICH_HOST=0.0.0.0 IMMICH_PORT=3001", 0, "http://localhost:3001/",
                  SRC_CONFIG, NULL);
    discover_into(&p, "IMMICH_PORT=3002", -1, "http://localhost:3001/", SRC_CONFIG,
                  "immich-server.service listens at http://127.0.0.1:3002 (IMMICH_HOST/IMMICH_PORT), "
                  "but immich_url (config file) is http://localhost:3001/");
    plan_set(&p, PLAN_immich_url, "http://10.0.0.2:3001", SRC_TYPED, NULL);
    discover_into(&p, "IMMICH_HOST=10.0.0.3 IMMICH_PORT=3001", -1, "http://10.0.0.2:3001",
                  SRC_TYPED, "but immich_url (typed) is");
    plan_set(&p, PLAN_immich_url, "http://127.0.0.1:9", SRC_COMMAND_LINE, NULL);
    discover_into(&p, "IMMICH_PORT=3001", -1, "http://127.0.0.1:9", SRC_COMMAND_LINE, "listens at");
    plan_free(&p);
}

static void test_unit_state(void **state)
{
    (void)state;
    struct unit_state st;
    unit_state_parse(&st, "ActiveState=activating\nSubState=auto-restart\nNRestarts=7\n");
    assert_string_equal(st.active, "activating");
    assert_string_equal(st.sub, "auto-restart");
    assert_int_equal(st.restarts, 7);
    /* Older systemd has no NRestarts; odd values are left unknown. */
    unit_state_parse(&st, "ActiveState=failed\nSubState=failed");
    assert_string_equal(st.active, "failed");
    assert_int_equal(st.restarts, -1);
    unit_state_parse(&st, "ActiveState=FAILED\x1b\nSubState=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
                          "NRestarts=-1\nNRestarts=99999999999\n");
    assert_string_equal(st.active, "");
    assert_string_equal(st.sub, "");
    assert_int_equal(st.restarts, -1);
    unit_state_parse(&st, "NRestarts=\nActiveStateX=failed\nActiveState\n");
    assert_string_equal(st.active, "");
    assert_int_equal(st.restarts, -1);
}

static void test_escape_line(void **state)
{
    (void)state;
    struct strbuf out = {0};
    text_escape_line("a\x1b[31mb\\c\td\r\x7f"
                     "\xc3\xa4"
                     "\xc2\x9b"
                     "\xff"
                     "\xe2\x82",
                     &out);
    assert_string_equal(sb_str(&out),
                        "a\\x1b[31mb\\\\c\\x09d\\x0d\\x7f\xc3\xa4\\xc2\\x9b\\xff\\xe2\\x82");
    sb_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_environment_words),   cmocka_unit_test(test_immich_url),
        cmocka_unit_test(test_discover_precedence), cmocka_unit_test(test_unit_state),
        cmocka_unit_test(test_escape_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
