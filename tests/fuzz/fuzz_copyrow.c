/* libFuzzer target for the COPY-row rewriter. Input: byte 0 chooses the column kinds (two
 * bits per column for four columns), the rest is one data row. Checks, beyond "no crash":
 * the row keeps its number of fields, fields that are not path columns are unchanged, no raw
 * newline appears, and every rewritten field decodes to a value a rule produced. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "db/copyrow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_fields(const char *s, size_t n)
{
    size_t k = 1;
    for (size_t i = 0; i < n; i++)
        k += s[i] == '\t';
    return k;
}

static void field(const char *s, size_t n, size_t idx, const char **f, size_t *len)
{
    const char *p = s, *end = s + n;
    for (size_t i = 0; i < idx; i++)
        p = (const char *)memchr(p, '\t', (size_t)(end - p)) + 1;
    const char *t = memchr(p, '\t', (size_t)(end - p));
    *f = p;
    *len = (size_t)((t ? t : end) - p);
}

static void check_array_roundtrip(const char *s, size_t n)
{
    struct pg_array a = {0}, b = {0};
    struct strbuf text = {0};
    if (pg_array_parse(s, n, &a) == 0) {
        pg_array_format(&a, &text);
        if (pg_array_parse(text.buf, text.len, &b) != 0 || a.count != b.count)
            abort();
        for (size_t i = 0; i < a.count; i++)
            if (a.is_null[i] != b.is_null[i] || a.elems[i].len != b.elems[i].len ||
                memcmp(sb_str(&a.elems[i]), sb_str(&b.elems[i]), a.elems[i].len) != 0)
                abort();
    }
    pg_array_free(&a);
    pg_array_free(&b);
    sb_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *row = (const char *)data + 1;
    size_t len = size - 1;
    if (memchr(row, '\n', len))
        return 0; /* a data row never holds a raw newline */
    static struct path_rules pr;
    if (!pr.count) {
        struct strbuf err = {0};
        path_rules_add(&pr, "upload", "/T a\tb\\c", &err);
        path_rules_add(&pr, "/usr/src/app/upload", "/var/lib/immich", &err);
        path_rules_add(&pr, "/mnt/photos", "/srv/{p,\"q\"}", &err);
        sb_free(&err);
    }
    unsigned char kinds[4];
    for (int i = 0; i < 4; i++)
        kinds[i] = (unsigned char)((data[0] >> (2 * i)) % 3);
    struct copyrow_ctx c = {.rules = &pr};
    struct strbuf out = {0};
    if (copyrow_rewrite(&c, kinds, 4, true, row, len, &out)) {
        if (memchr(out.buf, '\n', out.len) || count_fields(out.buf, out.len) != count_fields(row, len))
            abort();
        size_t nf = count_fields(row, len);
        for (size_t i = 0; i < nf; i++) {
            const char *a, *b;
            size_t al, bl;
            field(row, len, i, &a, &al);
            field(out.buf, out.len, i, &b, &bl);
            if ((i >= 4 || kinds[i] == COL_OTHER) && (al != bl || memcmp(a, b, al) != 0))
                abort();
        }
    }
    check_array_roundtrip(row, len);
    copyrow_ctx_free(&c);
    sb_free(&out);
    return 0;
}
