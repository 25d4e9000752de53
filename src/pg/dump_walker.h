/* Walks a plain SQL dump: statements, backslash command lines and COPY data, in file order.
 * Both passes of the importer (the safety scan and the load) use it, so they see the same
 * thing. COPY data is handed out in large chunks pointing into the input buffer; it is never
 * collected in memory. */
#ifndef IM_DUMP_WALKER_H
#define IM_DUMP_WALKER_H

#include "common.h"
#include "pg/sql_input.h"
#include "pg/sql_lexer.h"

enum dump_event {
    DUMP_END,       /* the input ended cleanly */
    DUMP_STATEMENT, /* w->lx.stmt, lines w->lx.first_line..last_line */
    DUMP_META,      /* w->lx.meta, line w->lx.first_line */
    DUMP_COPY_DATA, /* w->chunk / chunk_len (rows counted in copy_rows) */
    DUMP_COPY_END,  /* the \. line of the current COPY block was read */
    DUMP_FAIL,      /* err says why (unterminated statement, missing \., read error) */
};

struct dump_walker {
    struct sql_input *in;
    struct sql_lexer lx;
    enum dump_event last;
    bool started;
    bool in_copy, copy_line_start, skip_copy_line;
    uint64_t copy_stmt_line; /* last line of the COPY statement */
    uint64_t copy_rows;      /* data lines so far in this block */
    uint64_t copy_bytes;
    uint64_t copy_data_offset; /* stream offset of the block's first data byte */
    const char *chunk;
    size_t chunk_len;
    size_t pending; /* bytes of the last chunk to consume on the next call */
};

void dump_walker_init(struct dump_walker *w, struct sql_input *in);
void dump_walker_free(struct dump_walker *w);
enum dump_event dump_next(struct dump_walker *w, struct strbuf *err);

#endif
