#include "db/fixup_rows.h"
#include "db/fixup_internal.h"
#include "db/fixup_tables.h"
#include "db/sqlline.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Stats entries move when the array grows: tables keep indexes, not pointers. */
static size_t stats_index(const struct fixup_stats *st, const struct fixup_column_stats *c)
{
    return (size_t)(c - st->cols) + 1;
}

static void on_path(void *ud, size_t col, const char *value, size_t len, const char *mapped,
                    size_t mapped_len)
{
    struct fixup_rows *fr = ud;
    struct fixup_column_stats *c = &fr->st->cols[fr->t.stats[col] - 1];
    if (mapped) {
        c->rewritten++;
        fixup_stats_first(c, value, len, mapped, mapped_len);
    } else {
        c->left++;
        fixup_stats_sample(c, value, len);
    }
}

static void on_other(void *ud, size_t col, const char *raw, size_t len)
{
    struct fixup_rows *fr = ud;
    if (col >= fr->t.ncols)
        return;
    size_t *slot = &fr->t.stats[col];
    if (!*slot)
        *slot =
            stats_index(fr->st, fixup_stats_column(fr->st, fr->t.name, fr->t.colnames[col], false));
    struct fixup_column_stats *c = &fr->st->cols[*slot - 1];
    c->left++;
    fixup_stats_sample(c, raw, len);
}

void fixup_rows_init(struct fixup_rows *fr, const struct fixup_options *o, struct fixup_stats *st)
{
    memset(fr, 0, sizeof *fr);
    fr->o = o;
    fr->st = st;
    fr->row.rules = &o->rules;
    fr->row.on_path = on_path;
    fr->row.on_other = on_other;
    fr->row.ud = fr;
}

void fixup_rows_end(struct fixup_rows *fr)
{
    struct copy_table *t = &fr->t;
    free(t->name);
    for (size_t i = 0; i < t->ncols; i++)
        free(t->colnames[i]);
    free(t->colnames);
    free(t->kinds);
    free(t->stats);
    memset(t, 0, sizeof *t);
}

void fixup_rows_free(struct fixup_rows *fr)
{
    fixup_rows_end(fr);
    copyrow_ctx_free(&fr->row);
    sb_free(&fr->scratch);
}

static size_t column_index(const struct copy_header *h, const char *name)
{
    for (size_t i = 0; i < h->ncols; i++)
        if (strcmp(h->cols[i], name) == 0)
            return i;
    return (size_t)-1;
}

static void setup_special(struct copy_table *t, const struct copy_header *h)
{
    if (strcmp(h->table, "system_metadata") == 0) {
        t->col_a = column_index(h, "key");
        t->col_b = column_index(h, "value");
        if (t->col_a != (size_t)-1 && t->col_b != (size_t)-1)
            t->role = T_SYSTEM_METADATA;
    } else if (strcmp(h->table, "version_history") == 0) {
        t->col_a = column_index(h, "version");
        if (t->col_a != (size_t)-1)
            t->role = T_VERSION_HISTORY;
    } else if (strcmp(h->table, "kysely_migrations") == 0) {
        t->col_a = column_index(h, "name");
        if (t->col_a != (size_t)-1)
            t->role = T_KYSELY;
    }
}

bool fixup_rows_begin(struct fixup_rows *fr, const char *line, size_t len)
{
    struct copy_header h;
    fixup_rows_end(fr);
    if (copy_header_parse(line, len, &h) < 0)
        return false;
    struct copy_table *t = &fr->t;
    t->name = *h.schema ? xasprintf("%s.%s", h.schema, h.table) : xstrdup(h.table);
    t->ncols = h.ncols;
    t->colnames = h.cols; /* taken over */
    h.cols = NULL;
    h.ncols = 0;
    t->kinds = xcalloc(t->ncols ? t->ncols : 1, 1);
    t->stats = xcalloc(t->ncols ? t->ncols : 1, sizeof *t->stats);
    t->role = T_PLAIN;
    if (strcmp(h.schema, "public") == 0) {
        for (size_t i = 0; i < t->ncols; i++) {
            enum column_kind k = immich_column_kind(h.table, t->colnames[i]);
            if (k == COL_OTHER)
                continue;
            t->kinds[i] = (unsigned char)k;
            t->nkinds = i + 1;
            t->role = T_PATHS;
            t->stats[i] =
                stats_index(fr->st, fixup_stats_column(fr->st, t->name, t->colnames[i], true));
        }
        if (t->role == T_PLAIN) {
            struct copy_header view = h;
            view.cols = t->colnames;
            view.ncols = t->ncols;
            setup_special(t, &view);
        }
    }
    copy_header_free(&h);
    return true;
}

bool fixup_rows_interesting(const struct fixup_rows *fr)
{
    return fr->t.role != T_PLAIN || (fr->o->watch_other && fr->o->rules.count);
}

/* Field number col of a row (raw), or false when the row has fewer fields. */
static bool row_field(const char *row, size_t len, size_t col, const char **f, size_t *flen)
{
    const char *p = row, *end = row + len;
    for (size_t i = 0; i < col; i++) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        if (!tab)
            return false;
        p = tab + 1;
    }
    const char *tab = memchr(p, '\t', (size_t)(end - p));
    *f = p;
    *flen = (size_t)((tab ? tab : end) - p);
    return true;
}

/* Decoded field col into fr->scratch; false when missing or NULL. */
static bool decoded_field(struct fixup_rows *fr, const char *row, size_t len, size_t col)
{
    const char *f;
    size_t flen;
    if (!row_field(row, len, col, &f, &flen) || copy_field_is_null(f, flen))
        return false;
    sb_reset(&fr->scratch);
    copy_field_decode(f, flen, &fr->scratch);
    return true;
}

/* Compares dotted version numbers ("1.135.3" < "1.136.0"). */
static int version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        if (*a == 'v')
            a++;
        if (*b == 'v')
            b++;
        char *ea, *eb;
        unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if (ea == a || eb == b)
            return strcmp(a, b);
        a = *ea == '.' ? ea + 1 : ea;
        b = *eb == '.' ? eb + 1 : eb;
    }
    return 0;
}

static void json_quote(struct strbuf *out, const char *s)
{
    sb_append_char(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            sb_printf(out, "\\u%04x", *p);
        else
            sb_append_char(out, (char)*p);
    }
    sb_append_char(out, '"');
}

/* The "location" string of the MediaLocation value {"location": "..."}, malloc'd; NULL when
 * the value is no JSON object with a string "location" (jansson refuses a \u0000 in it). */
static char *json_location(const char *text)
{
    json_t *root = json_loads(text, 0, NULL);
    const char *loc = json_string_value(json_object_get(root, "location"));
    char *out = loc ? xstrdup(loc) : NULL;
    json_decref(root);
    return out;
}

static bool media_location_row(struct fixup_rows *fr, const char *row, size_t len, struct strbuf *out)
{
    if (!decoded_field(fr, row, len, fr->t.col_a) || strcmp(sb_str(&fr->scratch), "MediaLocation") != 0)
        return false;
    const char *f;
    size_t flen;
    if (!row_field(row, len, fr->t.col_b, &f, &flen))
        return false;
    if (decoded_field(fr, row, len, fr->t.col_b)) {
        free(fr->st->old_media_location);
        fr->st->old_media_location = json_location(sb_str(&fr->scratch));
        const char *old = fr->st->old_media_location;
        if (old && !path_rules_match(&fr->o->rules, old, strlen(old)))
            fr->st->media_location_unmapped = true;
    }
    if (!fr->o->target_location)
        return false;
    sb_reset(&fr->scratch);
    sb_append(&fr->scratch, "{\"location\": ");
    json_quote(&fr->scratch, fr->o->target_location);
    sb_append_char(&fr->scratch, '}');
    sb_append_len(out, row, (size_t)(f - row));
    copy_field_encode(sb_str(&fr->scratch), fr->scratch.len, out);
    sb_append_len(out, f + flen, len - (size_t)(f + flen - row));
    fr->st->media_location_set = true;
    return true;
}

bool fixup_rows_row(struct fixup_rows *fr, const char *row, size_t len, struct strbuf *out)
{
    struct copy_table *t = &fr->t;
    switch (t->role) {
    case T_SYSTEM_METADATA:
        if (media_location_row(fr, row, len, out))
            return true;
        break;
    case T_VERSION_HISTORY:
        if (decoded_field(fr, row, len, t->col_a) &&
            (!fr->st->immich_version || version_cmp(fr->st->immich_version, sb_str(&fr->scratch)) < 0)) {
            free(fr->st->immich_version);
            fr->st->immich_version = xstrdup(sb_str(&fr->scratch));
        }
        break;
    case T_KYSELY:
        if (decoded_field(fr, row, len, t->col_a) &&
            (!fr->st->newest_migration || strcmp(fr->st->newest_migration, sb_str(&fr->scratch)) < 0)) {
            free(fr->st->newest_migration);
            fr->st->newest_migration = xstrdup(sb_str(&fr->scratch));
        }
        break;
    default: break;
    }
    bool watch = fr->o->watch_other && fr->o->rules.count;
    if (t->role != T_PATHS && !watch)
        return false;
    return copyrow_rewrite(&fr->row, t->kinds, t->nkinds, watch, row, len, out);
}
