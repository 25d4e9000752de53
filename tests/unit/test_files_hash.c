/* XXH64 against published vectors, streaming against one-shot; the manifest's path escape. */
#include "common.h"
#include "files/manifest.h"
#include "files/xxh64.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Vectors from the xxHash project's documentation and its Python binding's README. */
static void test_xxh64_vectors(void **state)
{
    (void)state;
    assert_true(xxh64("", 0, 0) == 0xEF46DB3751D8E999ULL);
    assert_true(xxh64("a", 1, 0) == 0xD24EC4F1A98C6E5BULL);
    assert_true(xxh64("abc", 3, 0) == 0x44BC2CF5AD770999ULL);
    const char *s = "Nobody inspects the spammish repetition";
    assert_true(xxh64(s, strlen(s), 0) == 0xFBCEA83C8A378BF1ULL);
}

static void test_xxh64_streaming(void **state)
{
    (void)state;
    size_t n = 100003;
    unsigned char *data = xmalloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 7919u >> 3);
    uint64_t whole = xxh64(data, n, 0);
    static const size_t steps[] = {1, 3, 31, 32, 33, 4096, 65537};
    for (size_t k = 0; k < ARRAY_LEN(steps); k++) {
        struct xxh64_state st;
        xxh64_init(&st, 0);
        for (size_t off = 0; off < n; off += steps[k])
            xxh64_update(&st, data + off, off + steps[k] > n ? n - off : steps[k]);
        assert_true(xxh64_final(&st) == whole);
    }
    data[n / 2] ^= 1;
    assert_true(xxh64(data, n, 0) != whole);
    free(data);
}

static void test_escape(void **state)
{
    (void)state;
    struct strbuf out = {0};
    manifest_escape("a b\nc\\d\xff\x7f\xc3\xa4", &out);
    assert_string_equal(sb_str(&out), "a b\\x0ac\\x5cd\xff\\x7f\xc3\xa4");
    sb_free(&out);
}

static void test_escape_roundtrip(void **state)
{
    (void)state;
    char all[256];
    for (int i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    struct strbuf esc = {0}, back = {0};
    manifest_escape(all, &esc);
    assert_null(strchr(sb_str(&esc), '\n'));
    assert_int_equal(manifest_unescape(sb_str(&esc), &back), 0);
    assert_string_equal(sb_str(&back), all);
    sb_reset(&back);
    assert_int_equal(manifest_unescape("bad\\x", &back), -1);
    sb_reset(&back);
    assert_int_equal(manifest_unescape("nul\\x00", &back), -1);
    sb_free(&esc);
    sb_free(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xxh64_vectors),
        cmocka_unit_test(test_xxh64_streaming),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_escape_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
