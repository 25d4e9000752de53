#include "db/copyrow.h"

#include <string.h>

void copyrow_ctx_free(struct copyrow_ctx *c)
{
    sb_free(&c->decoded);
    sb_free(&c->mapped);
    sb_free(&c->array_text);
    pg_array_free(&c->array);
}

/* Maps one decoded path into c->mapped; returns true when a rule applied. */
static bool map_plain(struct copyrow_ctx *c, size_t col, const char *value, size_t len)
{
    sb_reset(&c->mapped);
    bool hit = path_rules_apply(c->rules, value, len, &c->mapped) != NULL;
    if (c->on_path)
        c->on_path(c->ud, col, value, len, hit ? sb_str(&c->mapped) : NULL, c->mapped.len);
    return hit;
}

/* Maps each element of a decoded array literal into c->mapped; true when one changed. */
static bool map_array(struct copyrow_ctx *c, size_t col, const char *value, size_t len)
{
    if (pg_array_parse(value, len, &c->array) < 0) {
        if (c->on_path)
            c->on_path(c->ud, col, value, len, NULL, 0);
        return false;
    }
    bool any = false;
    for (size_t i = 0; i < c->array.count; i++) {
        if (c->array.is_null[i])
            continue;
        struct strbuf *e = &c->array.elems[i];
        sb_reset(&c->mapped);
        bool hit = path_rules_apply(c->rules, sb_str(e), e->len, &c->mapped) != NULL;
        if (c->on_path)
            c->on_path(c->ud, col, sb_str(e), e->len, hit ? sb_str(&c->mapped) : NULL, c->mapped.len);
        if (hit) {
            sb_reset(e);
            sb_append_len(e, sb_str(&c->mapped), c->mapped.len);
            any = true;
        }
    }
    if (!any)
        return false;
    sb_reset(&c->mapped);
    pg_array_format(&c->array, &c->mapped);
    return true;
}

/* Appends the rewritten, escaped field to out and returns true, or returns false (out may
 * then hold garbage past its old length: the caller truncates). */
static bool emit_field(struct copyrow_ctx *c, enum column_kind kind, size_t col, const char *raw,
                       size_t len, struct strbuf *out)
{
    if (len == 0 || copy_field_is_null(raw, len))
        return false; /* no path: not counted */
    bool escaped = memchr(raw, '\\', len) != NULL;
    if (kind == COL_PATH) {
        /* Fast path: a rule whose FROM needs no escaping matches the raw text exactly where
         * it matches the decoded value, and the rest of the raw field is already escaped. */
        const struct path_rule *r = path_rules_match(c->rules, raw, len);
        if (r && r->from_plain) {
            size_t start = out->len;
            sb_append_len(out, r->to_copy, r->to_copy_len);
            sb_append_len(out, raw + r->from_len, len - r->from_len);
            if (c->on_path)
                c->on_path(c->ud, col, raw, len, out->buf + start, out->len - start);
            return true;
        }
        if (!escaped) {
            if (c->on_path)
                c->on_path(c->ud, col, raw, len, NULL, 0);
            return false;
        }
    }
    const char *value = raw;
    size_t vlen = len;
    if (escaped) {
        sb_reset(&c->decoded);
        copy_field_decode(raw, len, &c->decoded);
        value = sb_str(&c->decoded);
        vlen = c->decoded.len;
    }
    bool hit = kind == COL_PATH ? map_plain(c, col, value, vlen) : map_array(c, col, value, vlen);
    if (hit)
        copy_field_encode(sb_str(&c->mapped), c->mapped.len, out);
    return hit;
}

static void check_other(struct copyrow_ctx *c, size_t col, const char *field, const char *end)
{
    const char *tab = memchr(field, '\t', (size_t)(end - field));
    size_t flen = (size_t)((tab ? tab : end) - field);
    if (flen && path_rules_match(c->rules, field, flen))
        c->on_other(c->ud, col, field, flen);
}

/* Looks at fields col.. (starting at p) for values that start with a mapped prefix: memchr
 * for each rule's first byte, kept when a tab precedes it, so fields are not split one by one. */
static void watch_rest(struct copyrow_ctx *c, size_t col, const char *p, const char *end)
{
    const struct path_rules *pr = c->rules;
    if (p < end && pr->first_byte[(unsigned char)*p])
        check_other(c, col, p, end);
    for (size_t k = 0; k < pr->nfirsts; k++) {
        const char *q = p + 1, *counted = p;
        size_t qcol = col;
        while (q < end && (q = memchr(q, pr->firsts[k], (size_t)(end - q))) != NULL) {
            if (q[-1] == '\t') {
                for (const char *t = counted; t < q; t++)
                    qcol += *t == '\t';
                counted = q;
                check_other(c, qcol, q, end);
            }
            q++;
        }
    }
}

bool copyrow_rewrite(struct copyrow_ctx *c, const unsigned char *kinds, size_t nkinds,
                     bool watch_other, const char *row, size_t len, struct strbuf *out)
{
    const char *end = row + len;
    const char *field = row;
    const char *copied = row; /* row bytes up to here are already in out */
    size_t row_mark = out->len;
    bool changed = false;
    watch_other = watch_other && c->on_other;
    for (size_t col = 0;; col++) {
        if (col >= nkinds) {
            if (watch_other)
                watch_rest(c, col, field, end);
            break;
        }
        const char *tab = memchr(field, '\t', (size_t)(end - field));
        const char *fend = tab ? tab : end;
        size_t flen = (size_t)(fend - field);
        enum column_kind kind = (enum column_kind)kinds[col];
        if (kind != COL_OTHER) {
            size_t mark = out->len;
            sb_append_len(out, copied, (size_t)(field - copied));
            if (emit_field(c, kind, col, field, flen, out)) {
                changed = true;
                copied = fend;
            } else {
                out->len = mark;
            }
        } else if (watch_other && flen && path_rules_match(c->rules, field, flen)) {
            c->on_other(c->ud, col, field, flen);
        }
        if (!tab)
            break;
        field = tab + 1;
    }
    if (changed) {
        sb_append_len(out, copied, (size_t)(end - copied));
    } else {
        out->len = row_mark;
        if (out->buf)
            out->buf[out->len] = '\0';
    }
    return changed;
}
