/* Splits a stream of SQL into statements the way psql does, incrementally: feed it bytes as
 * they arrive; it says when a statement (or a backslash command line) is complete.
 * It follows quotes ('', E'', U&'', B'', X'', ""), dollar quotes, nested comments,
 * parentheses, CREATE FUNCTION … BEGIN ATOMIC … END bodies (opened only by BEGIN ATOMIC, so
 * a body reading a column named "begin" is not mis-split as in psql), and steps over
 * multibyte characters of the client encoding so their trailing bytes are never taken for a
 * quote or a backslash. It never interprets psql variables. */
#ifndef IM_SQL_LEXER_H
#define IM_SQL_LEXER_H

#include "common.h"

enum sql_lex_result {
    SQL_LEX_NEED_MORE,  /* everything usable was consumed; give more bytes (or eof) */
    SQL_LEX_STATEMENT,  /* stmt holds a complete statement ending in ';' */
    SQL_LEX_META,       /* meta holds a backslash command line (without its line end) */
    SQL_LEX_END,        /* eof and nothing pending */
    SQL_LEX_INCOMPLETE, /* eof inside a statement: stmt holds it, error says why */
    SQL_LEX_ERROR,      /* a backslash inside a statement or after other text on its line */
};

enum sql_lex_state {
    LX_NORMAL,
    LX_LINE_COMMENT,
    LX_BLOCK_COMMENT,
    LX_SQUOTE,
    LX_SQUOTE_END, /* after a closing quote: '' or a continuation may follow */
    LX_DQUOTE,
    LX_DQUOTE_END,
    LX_DOLLAR,
    LX_META,
};

struct sql_lexer {
    /* Inputs: change them between statements (psql re-reads them after each one). */
    bool std_strings; /* standard_conforming_strings */
    int encoding;     /* client encoding id (pg_char_to_encoding) */

    /* Outputs. */
    struct strbuf stmt;   /* statement text, without leading blanks and -- comments */
    struct strbuf meta;   /* backslash command line */
    struct strbuf object; /* last "Name: …; Type: …" comment pg_dump wrote */
    struct strbuf error;  /* why SQL_LEX_ERROR / SQL_LEX_INCOMPLETE */
    uint64_t line;        /* line of the next byte, 1-based */
    uint64_t first_line;  /* first and last line of stmt / meta */
    uint64_t last_line;
    bool copy_from_stdin; /* stmt is COPY … FROM stdin: data follows */
    /* "-- PostgreSQL database [cluster] dump" comments and their "… complete" partners: a
     * dump with more openings than closings was cut short */
    unsigned dump_headers, dump_trailers;

    /* Private state. */
    enum sql_lex_state state;
    bool line_blank;  /* nothing but blanks on this line so far */
    bool escapes;     /* inside an E'' style string: backslash escapes */
    bool escape_next; /* the previous byte was that backslash */
    bool quote_saw_space, quote_saw_newline;
    int comment_depth;
    int paren_depth;
    int begin_depth;
    unsigned skip; /* trailing bytes of a multibyte character still to copy */
    char tag[64];  /* dollar-quote tag, without the dollars */
    size_t tag_len;
    struct strbuf comment; /* leading -- comment being read (bounded) */
    /* the word (identifier or number) being read */
    bool in_word, word_is_ident, u_amp;
    char word[16];
    size_t word_len;
    /* keyword tracking */
    unsigned ident_count;
    char idents[4];
    bool pending_begin, prev_was_from, is_copy;
};

void sql_lexer_init(struct sql_lexer *lx);
void sql_lexer_free(struct sql_lexer *lx);
/* Forgets the statement or meta line just returned, ready for the next one. */
void sql_lexer_next(struct sql_lexer *lx);

/* Scans data[0..len). *consumed says how many bytes were taken (they are part of stmt, a
 * comment or meta now); the caller must present the rest again, with more bytes after it.
 * eof = no more bytes will come after data. */
enum sql_lex_result sql_lexer_scan(struct sql_lexer *lx, const char *data, size_t len, bool eof,
                                   size_t *consumed);

/* The statement text without its trailing ';' and blanks, shortened to about max bytes with
 * "…" (never cutting a UTF-8 character) and newlines folded to spaces; appended to out. */
void sql_shorten(const char *stmt, size_t max, struct strbuf *out);

#endif
