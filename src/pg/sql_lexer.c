/* The statement splitter. Each call of step() looks at the byte under the cursor (and, where
 * psql's lexer would, a few bytes after it) and takes one or more bytes; when it needs bytes
 * that have not arrived yet it takes nothing and the caller comes back with more. */
#include "common.h"
#include "pg/sql_lexer.h"

#include <libpq-fe.h>
#include <string.h>

#define COMMENT_MAX 512

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_start(unsigned char c)
{
    return is_alpha(c) || c == '_' || c >= 0x80;
}

static bool is_ident_cont(unsigned char c)
{
    return is_ident_start(c) || is_digit(c) || c == '$';
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

void sql_lexer_init(struct sql_lexer *lx)
{
    memset(lx, 0, sizeof *lx);
    lx->std_strings = true;
    lx->encoding = pg_char_to_encoding("UTF8");
    lx->line = 1;
    lx->line_blank = true;
}

void sql_lexer_free(struct sql_lexer *lx)
{
    sb_free(&lx->stmt);
    sb_free(&lx->meta);
    sb_free(&lx->object);
    sb_free(&lx->error);
    sb_free(&lx->comment);
}

static void reset_statement_state(struct sql_lexer *lx)
{
    lx->paren_depth = 0;
    lx->begin_depth = 0;
    lx->ident_count = 0;
    memset(lx->idents, 0, sizeof lx->idents);
    lx->pending_begin = lx->prev_was_from = lx->is_copy = false;
    lx->copy_from_stdin = false;
    lx->in_word = false;
    lx->u_amp = false;
}

void sql_lexer_next(struct sql_lexer *lx)
{
    sb_reset(&lx->stmt);
    sb_reset(&lx->meta);
    sb_reset(&lx->error);
    reset_statement_state(lx);
    lx->first_line = lx->last_line = 0;
}

/* Counts lines and blanks for k consumed bytes. */
static void count_lines(struct sql_lexer *lx, const char *p, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        if (p[i] == '\n') {
            lx->line++;
            lx->line_blank = true;
        } else if (!is_space((unsigned char)p[i])) {
            lx->line_blank = false;
        }
    }
}

/* Consumes k bytes, storing them where the current state says they belong. */
static void take(struct sql_lexer *lx, const char *p, size_t k)
{
    if (lx->state == LX_META) {
        for (size_t i = 0; i < k; i++)
            if (p[i] != '\n' && p[i] != '\r')
                sb_append_char(&lx->meta, p[i]);
    } else if (lx->state == LX_LINE_COMMENT && lx->stmt.len == 0) {
        size_t room = lx->comment.len < COMMENT_MAX ? COMMENT_MAX - lx->comment.len : 0;
        sb_append_len(&lx->comment, p, k < room ? k : room);
    } else if (lx->stmt.len == 0 && lx->state == LX_NORMAL && is_space((unsigned char)p[0])) {
        /* blanks before a statement are not part of it */
    } else {
        if (lx->stmt.len == 0)
            lx->first_line = lx->line;
        sb_append_len(&lx->stmt, p, k);
        lx->last_line = lx->line;
    }
    count_lines(lx, p, k);
}

static bool word_is(const struct sql_lexer *lx, const char *kw)
{
    return lx->word_len < sizeof lx->word && strcmp(lx->word, kw) == 0;
}

static bool is_create_routine(const struct sql_lexer *lx)
{
    const char *id = lx->idents;
    return id[0] == 'c' && (id[1] == 'f' || id[1] == 'p' ||
                            (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p')));
}

/* An identifier ended: the keyword bookkeeping psql does, plus BEGIN ATOMIC and COPY. */
static void finish_word(struct sql_lexer *lx)
{
    if (!lx->in_word)
        return;
    lx->in_word = false;
    lx->word[lx->word_len < sizeof lx->word ? lx->word_len : sizeof lx->word - 1] = '\0';
    if (!lx->word_is_ident) {
        lx->pending_begin = lx->prev_was_from = false;
        return;
    }
    if (lx->ident_count == 0) {
        memset(lx->idents, 0, sizeof lx->idents);
        lx->is_copy = word_is(lx, "copy");
    }
    if (lx->ident_count < sizeof lx->idents &&
        (word_is(lx, "create") || word_is(lx, "function") || word_is(lx, "procedure") ||
         word_is(lx, "or") || word_is(lx, "replace")))
        lx->idents[lx->ident_count] = lx->word[0];
    lx->ident_count++;

    if (is_create_routine(lx) && lx->paren_depth == 0) {
        if (lx->begin_depth == 0) {
            if (lx->pending_begin && word_is(lx, "atomic"))
                lx->begin_depth = 1;
            lx->pending_begin = word_is(lx, "begin");
        } else if (word_is(lx, "case")) {
            lx->begin_depth++;
        } else if (word_is(lx, "end")) {
            lx->begin_depth--;
        }
    }
    if (lx->is_copy && lx->paren_depth == 0) {
        if (lx->prev_was_from && word_is(lx, "stdin"))
            lx->copy_from_stdin = true;
        lx->prev_was_from = word_is(lx, "from");
    }
}

static void capture_object_comment(struct sql_lexer *lx)
{
    const char *c = sb_str(&lx->comment);
    size_t n = lx->comment.len;
    while (n && (c[n - 1] == '\r' || c[n - 1] == '\n'))
        n--;
    if (n >= 36 && (strncmp(c, "-- PostgreSQL database dump complete", 36) == 0 ||
                    strncmp(c, "-- PostgreSQL database cluster dump complete", 44) == 0))
        lx->dump_trailers++;
    else if (strncmp(c, "-- PostgreSQL database dump", 27) == 0 ||
             strncmp(c, "-- PostgreSQL database cluster dump", 35) == 0)
        lx->dump_headers++;
    if (n > 3 && (strncmp(c, "-- Name: ", 9) == 0 || strncmp(c, "-- Data for Name: ", 18) == 0)) {
        sb_reset(&lx->object);
        sb_append_len(&lx->object, c + 3, n - 3);
    }
    sb_reset(&lx->comment);
}

#define NEED(k) \
    do { \
        if (n < (k) && !eof) \
            return 0; \
    } while (0)

static size_t step_normal(struct sql_lexer *lx, const char *p, size_t n, bool eof,
                          enum sql_lex_result *res)
{
    unsigned char c = (unsigned char)p[0];
    if (lx->in_word) {
        bool cont = lx->word_is_ident ? is_ident_cont(c) : (is_ident_cont(c) && c != '$') || c == '.';
        if (cont) {
            if (lx->word_len < sizeof lx->word)
                lx->word[lx->word_len] = (char)lower(c);
            lx->word_len++;
            take(lx, p, 1);
            return 1;
        }
        finish_word(lx);
    }
    /* A one-letter identifier right before this byte may prefix a quote (E'', B'', U&''). */
    char prefix = 0;
    if (lx->word_len == 1 && lx->word_is_ident)
        prefix = lx->word[0];
    bool u_amp = lx->u_amp;
    size_t prev_word_len = lx->word_len;
    lx->word_len = 0;
    lx->u_amp = false;

    if (is_ident_start(c) || is_digit(c)) {
        lx->in_word = true;
        lx->word_is_ident = !is_digit(c);
        lx->word[0] = (char)lower(c);
        lx->word_len = 1;
        take(lx, p, 1);
        return 1;
    }
    if (is_space(c)) {
        take(lx, p, 1);
        return 1;
    }
    if (c != '-' && c != '/')
        lx->pending_begin = lx->prev_was_from = false;
    switch (c) {
    case '-':
    case '/':
        NEED(2);
        if (n >= 2 && p[1] == (c == '-' ? '-' : '*')) {
            if (c == '-') {
                lx->state = LX_LINE_COMMENT;
                if (lx->stmt.len == 0)
                    sb_reset(&lx->comment);
            } else {
                lx->state = LX_BLOCK_COMMENT;
                lx->comment_depth = 1;
            }
            take(lx, p, 2);
            return 2;
        }
        lx->pending_begin = lx->prev_was_from = false;
        take(lx, p, 1);
        return 1;
    case '\'':
        if (u_amp || prefix == 'b' || prefix == 'x')
            lx->escapes = false;
        else if (prefix == 'e')
            lx->escapes = true;
        else
            lx->escapes = !lx->std_strings;
        lx->escape_next = false;
        lx->state = LX_SQUOTE;
        take(lx, p, 1);
        return 1;
    case '"':
        lx->state = LX_DQUOTE;
        take(lx, p, 1);
        return 1;
    case '$': {
        NEED(2);
        size_t j = 1;
        if (n >= 2 && is_ident_start((unsigned char)p[1])) {
            j = 2;
            while (j < n && (is_ident_start((unsigned char)p[j]) || is_digit((unsigned char)p[j])))
                j++;
        }
        if (j >= n && !eof)
            return 0;
        if (j < n && p[j] == '$') {
            if (j - 1 >= sizeof lx->tag) {
                sb_printf(&lx->error, _("dollar-quote tag too long on line %llu"),
                          (unsigned long long)lx->line);
                *res = SQL_LEX_ERROR;
                return 1;
            }
            memcpy(lx->tag, p + 1, j - 1);
            lx->tag_len = j - 1;
            lx->state = LX_DOLLAR;
            take(lx, p, j + 1);
            return j + 1;
        }
        take(lx, p, 1);
        return 1;
    }
    case '(': lx->paren_depth++; break;
    case ')':
        if (lx->paren_depth > 0)
            lx->paren_depth--;
        break;
    case '&':
        if (prefix == 'u' && prev_word_len == 1)
            lx->u_amp = true;
        break;
    case ';':
        if (lx->paren_depth == 0 && lx->begin_depth <= 0) {
            take(lx, p, 1);
            *res = SQL_LEX_STATEMENT;
            return 1;
        }
        break;
    case '\\':
        if (lx->stmt.len == 0 && lx->line_blank) {
            lx->state = LX_META;
            sb_reset(&lx->meta);
            lx->first_line = lx->last_line = lx->line;
            take(lx, p, 1);
            return 1;
        }
        sb_printf(&lx->error,
                  lx->stmt.len ? _("line %llu: a backslash inside a statement (psql would run it "
                                   "as a command)")
                               : _("line %llu: a backslash command after other text on its line"),
                  (unsigned long long)lx->line);
        *res = SQL_LEX_ERROR;
        return 1;
    default: break;
    }
    take(lx, p, 1);
    return 1;
}

static size_t step_quote(struct sql_lexer *lx, const char *p, size_t n)
{
    if (lx->escape_next) {
        lx->escape_next = false;
        take(lx, p, 1);
        return 1;
    }
    /* Take a run of ordinary bytes at once. */
    size_t k = 0;
    while (k < n) {
        unsigned char c = (unsigned char)p[k];
        if (c == '\'' || c >= 0x80 || (c == '\\' && lx->escapes))
            break;
        k++;
    }
    if (k > 0) {
        take(lx, p, k);
        return k;
    }
    if (p[0] == '\\') {
        lx->escape_next = true;
    } else if (p[0] == '\'') {
        lx->state = LX_SQUOTE_END;
        lx->quote_saw_space = lx->quote_saw_newline = false;
    }
    take(lx, p, 1);
    return 1;
}

/* After a closing quote: '' continues the string; blanks with a newline and another quote
 * continue it too (SQL string continuation, same escape rules). */
static size_t step_quote_end(struct sql_lexer *lx, const char *p, size_t n, bool eof,
                             enum sql_lex_result *res)
{
    unsigned char c = (unsigned char)p[0];
    if (c == '\'') {
        if (lx->quote_saw_space && !lx->quote_saw_newline)
            lx->escapes = !lx->std_strings; /* a new string, not a continuation */
        lx->state = LX_SQUOTE;
        take(lx, p, 1);
        return 1;
    }
    if (is_space(c)) {
        lx->quote_saw_space = true;
        if (c == '\n')
            lx->quote_saw_newline = true;
        take(lx, p, 1);
        return 1;
    }
    lx->state = LX_NORMAL;
    return step_normal(lx, p, n, eof, res);
}

static size_t step_dollar(struct sql_lexer *lx, const char *p, size_t n, bool eof)
{
    if (p[0] != '$') {
        const char *d = memchr(p, '$', n);
        size_t k = d ? (size_t)(d - p) : n;
        /* stop before a high byte so multibyte characters are stepped over whole */
        for (size_t i = 0; i < k; i++)
            if ((unsigned char)p[i] >= 0x80) {
                k = i ? i : 1;
                break;
            }
        take(lx, p, k);
        return k;
    }
    NEED(lx->tag_len + 2);
    if (n >= lx->tag_len + 2 && memcmp(p + 1, lx->tag, lx->tag_len) == 0 && p[lx->tag_len + 1] == '$') {
        lx->state = LX_NORMAL;
        take(lx, p, lx->tag_len + 2);
        return lx->tag_len + 2;
    }
    take(lx, p, 1);
    return 1;
}

static size_t step_block_comment(struct sql_lexer *lx, const char *p, size_t n, bool eof)
{
    if (p[0] == '/' || p[0] == '*') {
        NEED(2);
        if (n >= 2 && p[0] == '/' && p[1] == '*') {
            lx->comment_depth++;
            take(lx, p, 2);
            return 2;
        }
        if (n >= 2 && p[0] == '*' && p[1] == '/') {
            if (--lx->comment_depth == 0)
                lx->state = LX_NORMAL;
            take(lx, p, 2);
            return 2;
        }
    }
    take(lx, p, 1);
    return 1;
}

static size_t step_to_line_end(struct sql_lexer *lx, const char *p, size_t n, enum sql_lex_result *res)
{
    const char *nl = memchr(p, '\n', n);
    size_t k = nl ? (size_t)(nl - p) + 1 : n;
    /* multibyte: step over characters whole only when the encoding needs it; a newline is
     * never a trailing byte in the client encodings PostgreSQL allows. */
    take(lx, p, k);
    if (!nl)
        return k;
    if (lx->state == LX_META) {
        lx->state = LX_NORMAL;
        *res = SQL_LEX_META;
    } else {
        bool leading = lx->stmt.len == 0;
        lx->state = LX_NORMAL;
        if (leading)
            capture_object_comment(lx);
    }
    return k;
}

/* One step: returns the bytes taken, 0 when more input is needed first. */
static size_t step(struct sql_lexer *lx, const char *p, size_t n, bool eof, enum sql_lex_result *res)
{
    unsigned char c = (unsigned char)p[0];
    if (lx->skip) {
        lx->skip--;
        if (lx->state == LX_NORMAL && lx->in_word)
            lx->word_len++;
        take(lx, p, 1);
        return 1;
    }
    if (c >= 0x80 && lx->state != LX_LINE_COMMENT && lx->state != LX_META) {
        NEED(2);
        char tmp[4] = {0};
        memcpy(tmp, p, n < sizeof tmp ? n : sizeof tmp);
        int len = PQmblen(tmp, lx->encoding);
        if (len > 1)
            lx->skip = (unsigned)len - 1;
        if (lx->state == LX_SQUOTE_END || lx->state == LX_DQUOTE_END)
            lx->state = LX_NORMAL; /* a character after a closing quote ends the literal */
        if (lx->state == LX_NORMAL)
            return step_normal(lx, p, n, eof, res);
        if (lx->state == LX_SQUOTE && lx->escape_next)
            lx->escape_next = false;
        take(lx, p, 1);
        return 1;
    }
    switch (lx->state) {
    case LX_NORMAL: return step_normal(lx, p, n, eof, res);
    case LX_LINE_COMMENT:
    case LX_META: return step_to_line_end(lx, p, n, res);
    case LX_BLOCK_COMMENT: return step_block_comment(lx, p, n, eof);
    case LX_SQUOTE: return step_quote(lx, p, n);
    case LX_SQUOTE_END: return step_quote_end(lx, p, n, eof, res);
    case LX_DQUOTE:
        if (c == '"')
            lx->state = LX_DQUOTE_END;
        take(lx, p, 1);
        return 1;
    case LX_DQUOTE_END:
        if (c == '"') {
            lx->state = LX_DQUOTE;
            take(lx, p, 1);
            return 1;
        }
        lx->state = LX_NORMAL;
        return step_normal(lx, p, n, eof, res);
    case LX_DOLLAR: return step_dollar(lx, p, n, eof);
    }
    take(lx, p, 1);
    return 1;
}

static bool only_blanks(const struct strbuf *sb)
{
    for (size_t i = 0; i < sb->len; i++)
        if (!is_space((unsigned char)sb->buf[i]))
            return false;
    return true;
}

static enum sql_lex_result at_eof(struct sql_lexer *lx)
{
    if (lx->state == LX_META) {
        lx->state = LX_NORMAL;
        return SQL_LEX_META;
    }
    finish_word(lx);
    if (lx->state == LX_LINE_COMMENT) {
        if (lx->stmt.len == 0)
            capture_object_comment(lx);
        lx->state = LX_NORMAL;
    }
    if (lx->stmt.len == 0 || only_blanks(&lx->stmt))
        return SQL_LEX_END;
    const char *why;
    switch (lx->state) {
    case LX_SQUOTE: why = _("inside a quoted string"); break;
    case LX_DQUOTE: why = _("inside a quoted identifier"); break;
    case LX_DOLLAR: why = _("inside a dollar-quoted string"); break;
    case LX_BLOCK_COMMENT: why = _("inside a /* comment */"); break;
    default: why = _("before the statement's closing semicolon"); break;
    }
    sb_reset(&lx->error);
    sb_printf(&lx->error, _("the input ends %s (statement from line %llu)"), why,
              (unsigned long long)lx->first_line);
    return SQL_LEX_INCOMPLETE;
}

enum sql_lex_result sql_lexer_scan(struct sql_lexer *lx, const char *data, size_t len, bool eof,
                                   size_t *consumed)
{
    size_t i = 0;
    while (i < len) {
        enum sql_lex_result res = SQL_LEX_NEED_MORE;
        size_t k = step(lx, data + i, len - i, eof, &res);
        if (k == 0)
            break;
        i += k;
        if (res != SQL_LEX_NEED_MORE) {
            *consumed = i;
            if (res == SQL_LEX_STATEMENT)
                finish_word(lx);
            return res;
        }
    }
    *consumed = i;
    if (i < len || !eof)
        return SQL_LEX_NEED_MORE;
    return at_eof(lx);
}

void sql_shorten(const char *stmt, size_t max, struct strbuf *out)
{
    size_t n = strlen(stmt);
    while (n && (is_space((unsigned char)stmt[n - 1]) || stmt[n - 1] == ';'))
        n--;
    size_t start = 0;
    while (start < n && is_space((unsigned char)stmt[start]))
        start++;
    bool cut = n - start > max;
    size_t end = cut ? start + max : n;
    while (cut && end > start && ((unsigned char)stmt[end] & 0xC0) == 0x80)
        end--;
    bool last_space = false;
    for (size_t i = start; i < end; i++) {
        char c = stmt[i];
        bool space = is_space((unsigned char)c);
        if (space && last_space)
            continue;
        sb_append_char(out, space ? ' ' : c);
        last_space = space;
    }
    if (cut)
        sb_append(out, "…");
}
