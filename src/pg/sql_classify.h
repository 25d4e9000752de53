/* What a statement is, as far as the importer cares: from its first words only. */
#ifndef IM_SQL_CLASSIFY_H
#define IM_SQL_CLASSIFY_H

#include "common.h"

enum stmt_class {
    STMT_OTHER,
    STMT_SESSION,        /* SET / RESET / SELECT set_config(…): replayed on every connection */
    STMT_TXN_TIMEOUT,    /* SET transaction_timeout (PostgreSQL 17+) */
    STMT_NO_TRANSACTION, /* cannot run inside BEGIN…COMMIT (CREATE DATABASE, VACUUM, BEGIN…) */
    STMT_COPY_IN,        /* COPY … FROM stdin */
    STMT_INDEX,          /* CREATE [UNIQUE] INDEX (not CONCURRENTLY) */
    STMT_ADD_KEY,        /* ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY | UNIQUE */
    STMT_BEGIN,          /* a bare BEGIN / START TRANSACTION (pg_dump's large-object section) */
    STMT_COMMIT,         /* a bare COMMIT / END closing it */
    STMT_CREATE_EXTENSION,  /* CREATE EXTENSION [IF NOT EXISTS] name: name set */
    STMT_COMMENT_EXTENSION, /* COMMENT ON EXTENSION name IS '…': name, comment, comment_ok set */
    STMT_DROP_EXTENSION,    /* DROP EXTENSION IF EXISTS name; (pg_dump --clean): name set */
};

struct stmt_info {
    enum stmt_class cls;
    char table[256]; /* COPY / INDEX / ADD_KEY: the table as written, e.g. public.asset */
    char what[64];   /* for STMT_NO_TRANSACTION: the command, e.g. "CREATE DATABASE" */
    /* pg_dump's own "SET standard_conforming_strings = on|off;" / "SET client_encoding =
     * 'NAME';" (plain value, no LOCAL or DEFAULT): the only statements allowed to change them */
    int sets_std_strings; /* -1 no, 0 off, 1 on */
    char sets_encoding[64];
    char name[128];     /* extension name, unquoted */
    bool if_not_exists; /* CREATE EXTENSION IF NOT EXISTS */
    char comment[256];  /* COMMENT ON EXTENSION: the literal's text ('' undoubled) */
    bool comment_ok;    /* comment holds the whole literal, a plain '…' (no E'', not cut) */
};

void stmt_classify(const char *stmt, bool copy_from_stdin, struct stmt_info *info);

enum sql_tok { SQL_TOK_END, SQL_TOK_NAME, SQL_TOK_STRING, SQL_TOK_PUNCT };

/* One token from *s (comments skipped): a possibly qualified, possibly quoted name copied raw
 * into out, a '…' string (its text, '' undoubled), or one punctuation byte; out is cut to
 * outsz. */
enum sql_tok sql_next_token(const char **s, char *out, size_t outsz);

#endif
