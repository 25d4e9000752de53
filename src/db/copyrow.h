/* Rewrites the path fields of one COPY data row (text format, tab-delimited), leaving every
 * other byte of the row as it was. */
#ifndef IM_DB_COPYROW_H
#define IM_DB_COPYROW_H

#include "common.h"
#include "db/copytext.h"
#include "db/pathmap.h"

enum column_kind {
    COL_OTHER = 0,  /* never changed; watched for values that start with a mapped prefix */
    COL_PATH,       /* a text path: its prefix is mapped */
    COL_PATH_ARRAY, /* a text[] of paths: each element's prefix is mapped */
};

struct copyrow_ctx {
    const struct path_rules *rules;
    /* A path value seen (decoded; for arrays each element); mapped is its new value, or
     * NULL when no rule matched and it is left as it was. */
    void (*on_path)(void *ud, size_t col, const char *value, size_t len, const char *mapped,
                    size_t mapped_len);
    /* A non-path field whose raw text starts with a mapped prefix. */
    void (*on_other)(void *ud, size_t col, const char *raw, size_t len);
    void *ud;
    /* scratch space, reused from row to row */
    struct strbuf decoded, mapped, array_text;
    struct pg_array array;
};

void copyrow_ctx_free(struct copyrow_ctx *c);

/* row: one data line without its newline. kinds[i] is the kind of column i (columns past
 * nkinds are COL_OTHER). When watch_other is false COL_OTHER fields are not looked at.
 * Returns true and appends the rewritten row to out when a field changed; otherwise returns
 * false and leaves out alone. */
bool copyrow_rewrite(struct copyrow_ctx *c, const unsigned char *kinds, size_t nkinds,
                     bool watch_other, const char *row, size_t len, struct strbuf *out);

#endif
