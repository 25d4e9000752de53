#include "common.h"
#include "pg/dump_walker.h"

#include <string.h>

#define CHUNK_MAX (512u << 10)

void dump_walker_init(struct dump_walker *w, struct sql_input *in)
{
    memset(w, 0, sizeof *w);
    w->in = in;
    sql_lexer_init(&w->lx);
    w->last = DUMP_END;
}

void dump_walker_free(struct dump_walker *w)
{
    sql_lexer_free(&w->lx);
}

/* Makes at least `need` bytes available unless the input ends. Returns -1 on error. */
static int want(struct dump_walker *w, size_t need, struct strbuf *err)
{
    while (sql_input_avail(w->in) < need) {
        int r = sql_input_fill(w->in, err);
        if (r <= 0)
            return r;
    }
    return 1;
}

/* The rest of the COPY statement's line: blanks only (data starts on the next line). */
static enum dump_event skip_copy_line(struct dump_walker *w, struct strbuf *err)
{
    for (;;) {
        if (want(w, 1, err) < 0)
            return DUMP_FAIL;
        const char *d = sql_input_data(w->in);
        size_t n = sql_input_avail(w->in);
        if (n == 0)
            break;
        size_t i = 0;
        while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r'))
            i++;
        if (i < n && d[i] != '\n') {
            sb_printf(err, _("line %llu: text after COPY … FROM stdin on the same line"),
                      (unsigned long long)w->lx.line);
            return DUMP_FAIL;
        }
        sql_input_consume(w->in, i < n ? i + 1 : i);
        if (i < n) {
            w->lx.line++;
            break;
        }
    }
    w->skip_copy_line = false;
    w->copy_data_offset = sql_input_offset(w->in);
    return DUMP_COPY_DATA; /* means "continue" to the caller below */
}

/* Is there a \. end marker at d? Returns its length (with the line end), 0 if not. */
static size_t end_marker(const char *d, size_t n, bool eof)
{
    if (n < 2 || d[0] != '\\' || d[1] != '.')
        return 0;
    if (n == 2)
        return eof ? 2 : 0;
    if (d[2] == '\n')
        return 3;
    if (d[2] == '\r' && (n == 3 ? eof : d[3] == '\n'))
        return n == 3 ? 3 : 4;
    return 0;
}

static enum dump_event copy_step(struct dump_walker *w, struct strbuf *err)
{
    if (w->skip_copy_line && skip_copy_line(w, err) == DUMP_FAIL)
        return DUMP_FAIL;
    for (;;) {
        if (want(w, 4, err) < 0)
            return DUMP_FAIL;
        const char *d = sql_input_data(w->in);
        size_t n = sql_input_avail(w->in);
        bool eof = w->in->eof;
        if (n == 0) {
            sb_printf(err,
                      _("the COPY data after line %llu has no end marker \\. (the file is "
                        "truncated?)"),
                      (unsigned long long)w->copy_stmt_line);
            return DUMP_FAIL;
        }
        size_t i = 0;
        while (i < n && i < CHUNK_MAX) {
            if (w->copy_line_start) {
                if (n - i < 4 && !eof)
                    break; /* the marker may straddle buffers: read more first */
                size_t m = end_marker(d + i, n - i, eof);
                if (m) {
                    if (i > 0)
                        break; /* hand out the data before the marker first */
                    sql_input_consume(w->in, m);
                    w->lx.line++;
                    w->in_copy = false;
                    return DUMP_COPY_END;
                }
            }
            const char *nl = memchr(d + i, '\n', n - i);
            if (!nl) {
                i = n;
                w->copy_line_start = false;
                break;
            }
            i = (size_t)(nl - d) + 1;
            w->copy_rows++;
            w->lx.line++;
            w->copy_line_start = true;
        }
        if (i > 0) {
            w->chunk = d;
            w->chunk_len = i;
            w->pending = i;
            w->copy_bytes += i;
            return DUMP_COPY_DATA;
        }
        if (sql_input_fill(w->in, err) < 0)
            return DUMP_FAIL;
    }
}

static enum dump_event lex_step(struct dump_walker *w, struct strbuf *err)
{
    for (;;) {
        size_t used = 0;
        enum sql_lex_result r =
            sql_lexer_scan(&w->lx, sql_input_data(w->in), sql_input_avail(w->in), w->in->eof, &used);
        sql_input_consume(w->in, used);
        switch (r) {
        case SQL_LEX_STATEMENT:
            if (w->lx.copy_from_stdin) {
                w->in_copy = true;
                w->skip_copy_line = true;
                w->copy_line_start = true;
                w->copy_rows = w->copy_bytes = 0;
                w->copy_stmt_line = w->lx.last_line;
            }
            return DUMP_STATEMENT;
        case SQL_LEX_META: return DUMP_META;
        case SQL_LEX_END: return DUMP_END;
        case SQL_LEX_INCOMPLETE:
        case SQL_LEX_ERROR: sb_append(err, sb_str(&w->lx.error)); return DUMP_FAIL;
        case SQL_LEX_NEED_MORE: break;
        }
        if (w->in->eof)
            continue; /* the lexer sees eof on the next round */
        if (sql_input_fill(w->in, err) < 0)
            return DUMP_FAIL;
    }
}

enum dump_event dump_next(struct dump_walker *w, struct strbuf *err)
{
    if (w->pending) {
        sql_input_consume(w->in, w->pending);
        w->pending = 0;
    }
    if (w->last == DUMP_STATEMENT || w->last == DUMP_META)
        sql_lexer_next(&w->lx);
    if (!w->started) {
        w->started = true;
        if (want(w, 3, err) < 0)
            return w->last = DUMP_FAIL;
        if (sql_input_avail(w->in) >= 3 && memcmp(sql_input_data(w->in), "\xEF\xBB\xBF", 3) == 0)
            sql_input_consume(w->in, 3);
    }
    if (w->in_copy)
        return w->last = copy_step(w, err);
    return w->last = lex_step(w, err);
}
