/* The dump walker over real files: COPY blocks whose \. marker straddles the 1 MiB read
 * buffer, \r\n line ends, a BOM, gzip and zstd input, the refusals of archives. */
#include "common.h"
#include "pg/dump_walker.h"
#include "pg/sql_input.h"

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

static char *write_temp(const void *data, size_t len)
{
    char *path = xstrdup("/tmp/test-sql-walker.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

struct walk {
    int statements, copies;
    uint64_t rows, bytes;
    char last_stmt[128];
    uint64_t last_line;
    bool failed;
    char error[256];
};

static void walk_file(const char *path, struct walk *w)
{
    memset(w, 0, sizeof *w);
    struct sql_input in;
    struct strbuf err = {0};
    if (sql_input_open(&in, path, &err) < 0) {
        w->failed = true;
        snprintf(w->error, sizeof w->error, "%s", sb_str(&err));
        sb_free(&err);
        return;
    }
    struct dump_walker dw;
    dump_walker_init(&dw, &in);
    for (;;) {
        enum dump_event ev = dump_next(&dw, &err);
        if (ev == DUMP_END)
            break;
        if (ev == DUMP_FAIL) {
            w->failed = true;
            snprintf(w->error, sizeof w->error, "%s", sb_str(&err));
            break;
        }
        if (ev == DUMP_STATEMENT) {
            w->statements++;
            snprintf(w->last_stmt, sizeof w->last_stmt, "%s", sb_str(&dw.lx.stmt));
            w->last_line = dw.lx.first_line;
        } else if (ev == DUMP_COPY_DATA) {
            w->bytes += dw.chunk_len;
        } else if (ev == DUMP_COPY_END) {
            w->copies++;
            w->rows += dw.copy_rows;
        }
    }
    dump_walker_free(&dw);
    sql_input_close(&in);
    sb_free(&err);
}

/* A COPY block whose data is `data_len` bytes of 100-byte rows, then \.<eol>, then a statement. */
static char *make_copy_dump(size_t data_len, const char *eol, bool bom, size_t *len, uint64_t *rows)
{
    struct strbuf sb = {0};
    if (bom)
        sb_append(&sb, "\xEF\xBB\xBF");
    sb_printf(&sb, "COPY t (a) FROM stdin;%s", eol);
    size_t start = sb.len;
    *rows = 0;
    while (sb.len - start < data_len) {
        size_t left = data_len - (sb.len - start);
        size_t n = left < 100 ? left : 100;
        for (size_t i = 0; i + 1 < n; i++)
            sb_append_char(&sb, i == 0 ? '\\' : (i == 1 ? '\\' : 'x'));
        sb_append_char(&sb, '\n');
        (*rows)++;
    }
    sb_printf(&sb, "\\.%sSELECT 'after';%s", eol, eol);
    *len = sb.len;
    return sb_detach(&sb);
}

static void test_marker_straddles_buffer(void **state)
{
    /* put the marker at every offset around the 1 MiB boundary */
    for (size_t shift = 0; shift < 6; shift++) {
        size_t len;
        uint64_t rows;
        size_t data = (1u << 20) - 23 - 2 + shift; /* header is 23 bytes */
        char *dump = make_copy_dump(data, "\n", false, &len, &rows);
        char *path = write_temp(dump, len);
        struct walk w;
        walk_file(path, &w);
        assert_false(w.failed);
        assert_int_equal(w.copies, 1);
        assert_int_equal(w.rows, rows);
        assert_int_equal(w.bytes, data);
        assert_int_equal(w.statements, 2);
        assert_string_equal(w.last_stmt, "SELECT 'after';");
        assert_int_equal(w.last_line, rows + 3);
        unlink(path);
        free(path);
        free(dump);
    }
}

static void test_crlf_and_bom(void **state)
{
    size_t len;
    uint64_t rows;
    char *dump = make_copy_dump(1000, "\r\n", true, &len, &rows);
    char *path = write_temp(dump, len);
    struct walk w;
    walk_file(path, &w);
    assert_false(w.failed);
    assert_int_equal(w.copies, 1);
    assert_string_equal(w.last_stmt, "SELECT 'after';");
    unlink(path);
    free(path);
    free(dump);
}

static void test_compressed(void **state)
{
    size_t len;
    uint64_t rows;
    char *dump = make_copy_dump(300000, "\n", false, &len, &rows);
    /* gzip */
    uLongf gz_cap = compressBound(len) + 64;
    char *gzpath = xstrdup("/tmp/test-sql-walker-gz.XXXXXX");
    int fd = mkstemp(gzpath);
    gzFile gz = gzdopen(fd, "wb");
    assert_int_equal(gzwrite(gz, dump, (unsigned)len), (int)len);
    gzclose(gz);
    (void)gz_cap;
    struct walk w;
    walk_file(gzpath, &w);
    assert_false(w.failed);
    assert_int_equal(w.rows, rows);
    assert_string_equal(w.last_stmt, "SELECT 'after';");
    /* zstd */
    size_t cap = ZSTD_compressBound(len);
    char *z = xmalloc(cap);
    size_t zlen = ZSTD_compress(z, cap, dump, len, 3);
    assert_false(ZSTD_isError(zlen));
    char *zpath = write_temp(z, zlen);
    walk_file(zpath, &w);
    assert_false(w.failed);
    assert_int_equal(w.rows, rows);
    /* a truncated zstd stream is an error, not a short dump */
    char *cut = write_temp(z, zlen / 2);
    walk_file(cut, &w);
    assert_true(w.failed);
    unlink(gzpath);
    unlink(zpath);
    unlink(cut);
    free(gzpath);
    free(zpath);
    free(cut);
    free(z);
    free(dump);
}

static void test_archives_refused(void **state)
{
    char *path = write_temp("PGDMP\x01\x0e\x00", 8);
    struct walk w;
    walk_file(path, &w);
    assert_true(w.failed);
    assert_non_null(strstr(w.error, "pg_restore"));
    unlink(path);
    free(path);
}

static void test_missing_end_marker(void **state)
{
    const char *dump = "COPY t (a) FROM stdin;\n1\n2\n";
    char *path = write_temp(dump, strlen(dump));
    struct walk w;
    walk_file(path, &w);
    assert_true(w.failed);
    assert_non_null(strstr(w.error, "no end marker"));
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marker_straddles_buffer),
        cmocka_unit_test(test_crlf_and_bom),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_archives_refused),
        cmocka_unit_test(test_missing_end_marker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
