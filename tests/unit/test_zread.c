/* sys/zread: the one decoder under the SQL dump readers. Plain, gzip and zstd files decode to
 * what was written, read in any block size (a tiny one makes zstd hold output back); a
 * compressed file cut short is reported as truncated, not as a clean end. */
#include "common.h"
#include "sys/zread.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <cmocka.h>

static struct strbuf sample(void)
{
    struct strbuf sb = {0};
    for (unsigned i = 0; i < 20000; i++)
        sb_printf(&sb, "%u\t/data/upload/%08x.jpg\t%u\n", i, i * 2654435761u, i % 97);
    return sb;
}

/* A temporary file holding data, opened for reading at offset 0. */
static int temp_file(const void *data, size_t len)
{
    char path[] = "/tmp/test_zread.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static struct strbuf gzip_of(const struct strbuf *in)
{
    uLongf cap = compressBound(in->len) + 64;
    struct strbuf out = {0};
    sb_grow(&out, cap);
    z_stream zs = {0};
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)in->buf;
    zs.avail_in = (uInt)in->len;
    zs.next_out = (Bytef *)out.buf;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static struct strbuf zstd_of(const struct strbuf *in)
{
    size_t cap = ZSTD_compressBound(in->len);
    struct strbuf out = {0};
    sb_grow(&out, cap);
    size_t n = ZSTD_compress(out.buf, cap, in->buf, in->len, 3);
    assert_false(ZSTD_isError(n));
    out.len = n;
    return out;
}

/* Decodes fd in blocks of cap; returns the last zread_read result (0 at a clean end). */
static ssize_t decode(int fd, enum zread_kind kind, size_t cap, struct strbuf *out)
{
    struct zread *z = zread_open(fd, kind, NULL, 0);
    assert_non_null(z);
    char *buf = xmalloc(cap);
    ssize_t n;
    while ((n = zread_read(z, buf, cap)) > 0)
        sb_append_len(out, buf, (size_t)n);
    if (n < 0)
        assert_int_equal(zread_error(z), ZREAD_TRUNCATED);
    free(buf);
    zread_close(z);
    return n;
}

static void check_round_trip(const struct strbuf *packed, enum zread_kind kind,
                             const struct strbuf *want)
{
    assert_int_equal(zread_sniff(packed->buf, packed->len), kind);
    const size_t caps[] = {1, 7, 4096, 1u << 21};
    for (size_t i = 0; i < ARRAY_LEN(caps); i++) {
        int fd = temp_file(packed->buf, packed->len);
        struct strbuf got = {0};
        assert_int_equal(decode(fd, kind, caps[i], &got), 0);
        assert_int_equal(got.len, want->len);
        assert_memory_equal(got.buf, want->buf, want->len);
        sb_free(&got);
        close(fd);
    }
    int fd = temp_file(packed->buf, packed->len - 9);
    struct strbuf got = {0};
    assert_int_equal(decode(fd, kind, 4096, &got), -1);
    sb_free(&got);
    close(fd);
}

static void test_sniff(void **state)
{
    (void)state;
    assert_int_equal(zread_sniff("\x1f\x8b", 2), ZREAD_GZIP);
    assert_int_equal(zread_sniff("\x28\xb5\x2f\xfd", 4), ZREAD_ZSTD);
    assert_int_equal(zread_sniff("\x28\xb5\x2f", 3), ZREAD_PLAIN);
    assert_int_equal(zread_sniff("\x1f", 1), ZREAD_PLAIN);
    assert_int_equal(zread_sniff("", 0), ZREAD_PLAIN);
    assert_int_equal(zread_sniff("-- SQL", 6), ZREAD_PLAIN);
}

static void test_plain_with_peek(void **state)
{
    (void)state;
    const char text[] = "SET statement_timeout = 0;\n";
    int fd = temp_file(text, sizeof text - 1);
    char peek[ZREAD_MAGIC_LEN];
    assert_int_equal(read(fd, peek, sizeof peek), (ssize_t)sizeof peek);
    struct zread *z = zread_open(fd, zread_sniff(peek, sizeof peek), peek, sizeof peek);
    assert_non_null(z);
    char buf[3];
    struct strbuf got = {0};
    ssize_t n;
    while ((n = zread_read(z, buf, sizeof buf)) > 0)
        sb_append_len(&got, buf, (size_t)n);
    assert_int_equal(n, 0);
    assert_string_equal(sb_str(&got), text);
    assert_int_equal(zread_raw_pos(z), sizeof text - 1);
    zread_close(z);
    sb_free(&got);
    /* gzip cannot take bytes already read: the caller seeks back instead */
    assert_null(zread_open(fd, ZREAD_GZIP, peek, sizeof peek));
    close(fd);
}

static void test_gzip(void **state)
{
    (void)state;
    struct strbuf text = sample(), packed = gzip_of(&text);
    check_round_trip(&packed, ZREAD_GZIP, &text);
    sb_free(&packed);
    sb_free(&text);
}

static void test_zstd(void **state)
{
    (void)state;
    struct strbuf text = sample(), packed = zstd_of(&text);
    check_round_trip(&packed, ZREAD_ZSTD, &text);
    /* damaged: the reserved bit of the frame header set */
    packed.buf[4] |= 0x08;
    int fd = temp_file(packed.buf, packed.len);
    struct zread *z = zread_open(fd, ZREAD_ZSTD, NULL, 0);
    char buf[64];
    assert_int_equal(zread_read(z, buf, sizeof buf), -1);
    assert_int_equal(zread_error(z), ZREAD_DAMAGED);
    assert_true(zread_detail(z)[0] != '\0');
    zread_close(z);
    close(fd);
    sb_free(&packed);
    sb_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_plain_with_peek),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_zstd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
