/* The fix-up's handling of COPY blocks: which table, which columns, and each data row. */
#ifndef IM_DB_FIXUP_ROWS_H
#define IM_DB_FIXUP_ROWS_H

#include "db/copyrow.h"
#include "db/fixup_types.h"

enum table_role { T_PLAIN, T_PATHS, T_SYSTEM_METADATA, T_VERSION_HISTORY, T_KYSELY };

struct copy_table {
    enum table_role role;
    char *name;
    char **colnames;
    size_t ncols;
    unsigned char *kinds; /* per column: enum column_kind */
    size_t nkinds;        /* columns up to the last path column */
    size_t *stats;        /* per column: index+1 into st->cols, 0 = none yet */
    size_t col_a, col_b;  /* special tables: key/value, version, name */
};

struct fixup_rows {
    const struct fixup_options *o;
    struct fixup_stats *st;
    struct copy_table t;
    struct copyrow_ctx row;
    struct strbuf scratch;
};

void fixup_rows_init(struct fixup_rows *fr, const struct fixup_options *o, struct fixup_stats *st);
void fixup_rows_free(struct fixup_rows *fr);
/* Starts a COPY block from its header line. Returns false when the header is not understood
 * (the block is then passed through untouched). */
bool fixup_rows_begin(struct fixup_rows *fr, const char *line, size_t len);
void fixup_rows_end(struct fixup_rows *fr);
/* True when rows of the current table need looking at (else they are copied blindly). */
bool fixup_rows_interesting(const struct fixup_rows *fr);
/* One data row (no newline). Returns true with the new row in out when it changed. */
bool fixup_rows_row(struct fixup_rows *fr, const char *row, size_t len, struct strbuf *out);

#endif
