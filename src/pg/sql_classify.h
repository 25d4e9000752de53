/* What a statement is, as far as the importer cares: from its first words only. */
#ifndef IM_SQL_CLASSIFY_H
#define IM_SQL_CLASSIFY_H

#include "common.h"

enum stmt_class {
    STMT_OTHER,
    STMT_SESSION,          /* SET / RESET / SELECT set_config(…): replayed on every connection */
    STMT_TXN_TIMEOUT,      /* SET transaction_timeout (PostgreSQL 17+) */
    STMT_NO_TRANSACTION,   /* cannot run inside BEGIN…COMMIT (CREATE DATABASE, VACUUM, BEGIN…) */
    STMT_COPY_IN,          /* COPY … FROM stdin */
    STMT_INDEX,            /* CREATE [UNIQUE] INDEX (not CONCURRENTLY) */
    STMT_ADD_KEY,          /* ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY | UNIQUE */
};

struct stmt_info {
    enum stmt_class cls;
    char table[256]; /* COPY / INDEX / ADD_KEY: the table as written, e.g. public.asset */
    char what[64];   /* for STMT_NO_TRANSACTION: the command, e.g. "CREATE DATABASE" */
    /* SET standard_conforming_strings / client_encoding seen textually (for the scan pass) */
    int sets_std_strings; /* -1 no, 0 off, 1 on */
    char sets_encoding[64];
};

void stmt_classify(const char *stmt, bool copy_from_stdin, struct stmt_info *info);

#endif
