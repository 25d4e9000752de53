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
            c->on_path(c->ud, col, sb_str(e), e->len, hit ? sb_str(&c->mapped) : NULL,
                       c->mapped.len);
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

/* Returns true and leaves the new decoded value in c->mapped when the field changes. */
static bool rewrite_field(struct copyrow_ctx *c, enum column_kind kind, size_t col,
                          const char *raw, size_t len)
{
    if (len == 0 || copy_field_is_null(raw, len))
        return false; /* no path: not counted */
    const char *value = raw;
    size_t vlen = len;
    if (memchr(raw, '\\', len)) {
        sb_reset(&c->decoded);
        copy_field_decode(raw, len, &c->decoded);
        value = sb_str(&c->decoded);
        vlen = c->decoded.len;
    }
    return kind == COL_PATH ? map_plain(c, col, value, vlen) : map_array(c, col, value, vlen);
}

bool copyrow_rewrite(struct copyrow_ctx *c, const unsigned char *kinds, size_t nkinds,
                     bool watch_other, const char *row, size_t len, struct strbuf *out)
{
    const char *end = row + len;
    const char *field = row;
    const char *copied = row; /* row bytes up to here are already in out */
    bool changed = false;
    for (size_t col = 0;; col++) {
        const char *tab = memchr(field, '\t', (size_t)(end - field));
        const char *fend = tab ? tab : end;
        size_t flen = (size_t)(fend - field);
        enum column_kind kind = col < nkinds ? (enum column_kind)kinds[col] : COL_OTHER;
        if (kind != COL_OTHER) {
            if (rewrite_field(c, kind, col, field, flen)) {
                if (!changed)
                    sb_grow(out, len + 256);
                changed = true;
                sb_append_len(out, copied, (size_t)(field - copied));
                copy_field_encode(sb_str(&c->mapped), c->mapped.len, out);
                copied = fend;
            }
        } else if (watch_other && flen && c->on_other &&
                   path_rules_match(c->rules, field, flen)) {
            c->on_other(c->ud, col, field, flen);
        }
        if (!tab)
            break;
        if (!watch_other && col + 1 >= nkinds)
            break; /* nothing more to look at in this row */
        field = tab + 1;
    }
    if (changed)
        sb_append_len(out, copied, (size_t)(end - copied));
    return changed;
}
