#include "common.h"
#include "pg/sql_classify.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}

static void skip_blank(const char **s)
{
    const char *p = *s;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            int depth = 0;
            do {
                if (p[0] == '/' && p[1] == '*') {
                    depth++;
                    p += 2;
                } else if (p[0] == '*' && p[1] == '/') {
                    depth--;
                    p += 2;
                } else {
                    p++;
                }
            } while (*p && depth > 0);
        } else {
            break;
        }
    }
    *s = p;
}

/* One token: a (possibly qualified, possibly quoted) name copied raw into out, a string, or
 * one punctuation byte. */
enum sql_tok sql_next_token(const char **s, char *out, size_t outsz)
{
    skip_blank(s);
    const char *p = *s;
    size_t n = 0;
    out[0] = '\0';
    if (!*p)
        return SQL_TOK_END;
    if (*p == '\'') {
        /* the text, '' undoubled (backslashes left as they are), cut to outsz */
        for (p++; *p; p++) {
            if (*p == '\'' && *++p != '\'')
                break;
            if (n + 1 < outsz)
                out[n++] = *p;
        }
        out[n] = '\0';
        *s = p;
        return SQL_TOK_STRING;
    }
    if (!name_char((unsigned char)*p) && *p != '"') {
        out[0] = *p;
        out[1] = '\0';
        *s = p + 1;
        return SQL_TOK_PUNCT;
    }
    for (;;) {
        if (*p == '"') {
            do {
                if (n + 1 < outsz)
                    out[n++] = *p;
                p++;
                if (*p == '"' && p[1] == '"') {
                    if (n + 1 < outsz)
                        out[n++] = *p;
                    p++;
                    if (n + 1 < outsz)
                        out[n++] = *p;
                    p++;
                }
            } while (*p && *p != '"');
            if (*p) {
                if (n + 1 < outsz)
                    out[n++] = *p;
                p++;
            }
        } else {
            while (name_char((unsigned char)*p)) {
                if (n + 1 < outsz)
                    out[n++] = *p;
                p++;
            }
        }
        if (*p == '.' && (name_char((unsigned char)p[1]) || p[1] == '"')) {
            if (n + 1 < outsz)
                out[n++] = '.';
            p++;
            continue;
        }
        break;
    }
    out[n] = '\0';
    *s = p;
    return SQL_TOK_NAME;
}

#define WORDS 12

struct words {
    char w[WORDS][256];
    enum sql_tok t[WORDS];
    int n;
};

static void read_words(const char *stmt, struct words *ws)
{
    const char *p = stmt;
    ws->n = 0;
    while (ws->n < WORDS) {
        enum sql_tok t = sql_next_token(&p, ws->w[ws->n], sizeof ws->w[0]);
        if (t == SQL_TOK_END)
            break;
        ws->t[ws->n++] = t;
    }
}

static bool is(const struct words *ws, int i, const char *kw)
{
    return i < ws->n && ws->t[i] == SQL_TOK_NAME && strcasecmp(ws->w[i], kw) == 0;
}

static void set_table(struct stmt_info *info, const struct words *ws, int i)
{
    if (i < ws->n && ws->t[i] == SQL_TOK_NAME)
        snprintf(info->table, sizeof info->table, "%s", ws->w[i]);
}

/* on/off/true/false: 1 or 0; -1 for anything else */
static int bool_value(const char *v)
{
    if (strcasecmp(v, "on") == 0 || strcasecmp(v, "true") == 0)
        return 1;
    if (strcasecmp(v, "off") == 0 || strcasecmp(v, "false") == 0)
        return 0;
    return -1;
}

static void classify_set(const struct words *ws, struct stmt_info *info)
{
    info->cls = STMT_SESSION;
    int i = is(ws, 1, "session") ? 2 : 1;
    if (is(ws, i, "transaction_timeout")) {
        info->cls = STMT_TXN_TIMEOUT;
        return;
    }
    /* pg_dump's shape only: SET name = value; (or TO) with one plain value, never DEFAULT */
    int v = i + 2;
    bool eq = i + 1 < ws->n &&
              ((ws->t[i + 1] == SQL_TOK_PUNCT && ws->w[i + 1][0] == '=') || is(ws, i + 1, "to"));
    bool ends = ws->n == v + 1 ||
                (ws->n == v + 2 && ws->t[v + 1] == SQL_TOK_PUNCT && ws->w[v + 1][0] == ';');
    if (!eq || !ends || (ws->t[v] != SQL_TOK_NAME && ws->t[v] != SQL_TOK_STRING) ||
        (ws->t[v] == SQL_TOK_NAME && strcasecmp(ws->w[v], "default") == 0))
        return;
    if (is(ws, i, "standard_conforming_strings"))
        info->sets_std_strings = bool_value(ws->w[v]);
    else if (is(ws, i, "client_encoding") && pg_char_to_encoding(ws->w[v]) >= 0)
        snprintf(info->sets_encoding, sizeof info->sets_encoding, "%.60s", ws->w[v]);
}

/* BEGIN [WORK|TRANSACTION]; START TRANSACTION; COMMIT|END [WORK|TRANSACTION]; with nothing
 * else (options such as ISOLATION LEVEL or AND CHAIN make them something else). */
static bool bare(const struct words *ws, const char *first, bool need_transaction)
{
    if (!is(ws, 0, first))
        return false;
    int i = 1;
    if (is(ws, 1, "transaction") || (!need_transaction && is(ws, 1, "work")))
        i = 2;
    else if (need_transaction)
        return false;
    return ws->n == i || (ws->n == i + 1 && ws->t[i] == SQL_TOK_PUNCT && ws->w[i][0] == ';');
}

/* A (possibly "quoted") name as PostgreSQL reads it: quotes removed, otherwise lower case. */
static void unquote_name(const char *raw, char *out, size_t outsz)
{
    size_t n = 0;
    if (*raw == '"') {
        for (const char *p = raw + 1; *p && n + 1 < outsz; p++) {
            if (*p == '"' && *++p != '"')
                break;
            out[n++] = *p;
        }
    } else {
        for (const char *p = raw; *p && n + 1 < outsz; p++)
            out[n++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
    }
    out[n] = '\0';
}

static bool classify_extension(const struct words *ws, struct stmt_info *info)
{
    if (is(ws, 0, "create") && is(ws, 1, "extension")) {
        int i = is(ws, 2, "if") ? 5 : 2;
        if (i >= ws->n || ws->t[i] != SQL_TOK_NAME)
            return false;
        info->cls = STMT_CREATE_EXTENSION;
        info->if_not_exists = i == 5 && is(ws, 3, "not") && is(ws, 4, "exists");
        unquote_name(ws->w[i], info->name, sizeof info->name);
        return true;
    }
    if (is(ws, 0, "drop") && is(ws, 1, "extension") && is(ws, 2, "if") && is(ws, 3, "exists") &&
        ws->n == 6 && ws->t[4] == SQL_TOK_NAME && ws->t[5] == SQL_TOK_PUNCT && ws->w[5][0] == ';') {
        info->cls = STMT_DROP_EXTENSION;
        unquote_name(ws->w[4], info->name, sizeof info->name);
        return true;
    }
    if (!(is(ws, 0, "comment") && is(ws, 1, "on") && is(ws, 2, "extension") && is(ws, 4, "is")))
        return false;
    if (ws->t[3] != SQL_TOK_NAME || 5 >= ws->n || ws->t[5] != SQL_TOK_STRING)
        return false;
    info->cls = STMT_COMMENT_EXTENSION;
    unquote_name(ws->w[3], info->name, sizeof info->name);
    snprintf(info->comment, sizeof info->comment, "%s", ws->w[5]);
    /* plain '…' (not E'' or a continuation) that fit, and nothing after it but ';' */
    bool cut = strlen(ws->w[5]) + 1 >= sizeof ws->w[0];
    info->comment_ok = !cut && ws->n == 7 && ws->t[6] == SQL_TOK_PUNCT && ws->w[6][0] == ';' &&
                       !strchr(info->comment, '\\');
    return true;
}

static bool no_transaction(const struct words *ws, struct stmt_info *info)
{
    static const char *const single[] = {"begin", "start",  "commit",     "end",       "rollback",
                                         "abort", "vacuum", "checkpoint", "savepoint", "release"};
    if (bare(ws, "begin", false) || bare(ws, "start", true)) {
        info->cls = STMT_BEGIN;
        return false;
    }
    if (bare(ws, "commit", false) || bare(ws, "end", false)) {
        info->cls = STMT_COMMIT;
        return false;
    }
    for (size_t k = 0; k < ARRAY_LEN(single); k++)
        if (is(ws, 0, single[k])) {
            snprintf(info->what, sizeof info->what, "%.40s", ws->w[0]);
            return true;
        }
    static const char *const pairs[][2] = {
        {"create", "database"},   {"drop", "database"},     {"alter", "system"},
        {"create", "tablespace"}, {"drop", "tablespace"},   {"prepare", "transaction"},
        {"commit", "prepared"},   {"rollback", "prepared"},
    };
    for (size_t k = 0; k < ARRAY_LEN(pairs); k++)
        if (is(ws, 0, pairs[k][0]) && is(ws, 1, pairs[k][1])) {
            snprintf(info->what, sizeof info->what, "%.20s %.20s", ws->w[0], ws->w[1]);
            return true;
        }
    bool concurrently = false;
    for (int i = 0; i < 5; i++)
        concurrently |= is(ws, i, "concurrently");
    if (concurrently && (is(ws, 0, "create") || is(ws, 0, "reindex") || is(ws, 0, "drop"))) {
        snprintf(info->what, sizeof info->what, "%.20s … CONCURRENTLY", ws->w[0]);
        return true;
    }
    return false;
}

void stmt_classify(const char *stmt, bool copy_from_stdin, struct stmt_info *info)
{
    memset(info, 0, sizeof *info);
    info->sets_std_strings = -1;
    struct words *ws = xmalloc(sizeof *ws);
    read_words(stmt, ws);
    if (copy_from_stdin) {
        info->cls = STMT_COPY_IN;
        set_table(info, ws, 1);
    } else if (is(ws, 0, "set") && !is(ws, 1, "local") && !is(ws, 1, "transaction") &&
               !is(ws, 1, "constraints")) {
        classify_set(ws, info);
    } else if (is(ws, 0, "reset") || (is(ws, 0, "select") && ws->n > 2 && ws->t[2] == SQL_TOK_PUNCT &&
                                      (strcasecmp(ws->w[1], "pg_catalog.set_config") == 0 ||
                                       strcasecmp(ws->w[1], "set_config") == 0))) {
        info->cls = STMT_SESSION;
    } else if (no_transaction(ws, info)) {
        info->cls = STMT_NO_TRANSACTION;
    } else if (info->cls == STMT_BEGIN || info->cls == STMT_COMMIT || classify_extension(ws, info)) {
        /* classified */
    } else if (is(ws, 0, "create") &&
               (is(ws, 1, "index") || (is(ws, 1, "unique") && is(ws, 2, "index")))) {
        int i = is(ws, 1, "index") ? 2 : 3;
        if (is(ws, i, "if"))
            i += 3;
        if (!is(ws, i, "on"))
            i++; /* the index name */
        if (is(ws, i, "on")) {
            i++;
            if (is(ws, i, "only"))
                i++;
            info->cls = STMT_INDEX;
            set_table(info, ws, i);
        }
    } else if (is(ws, 0, "alter") && is(ws, 1, "table")) {
        int i = 2;
        if (is(ws, i, "if"))
            i += 2;
        if (is(ws, i, "only"))
            i++;
        int t = i++;
        if (is(ws, i, "add") && is(ws, i + 1, "constraint") &&
            (is(ws, i + 3, "primary") || is(ws, i + 3, "unique")) && !strchr(stmt, ',')) {
            info->cls = STMT_ADD_KEY;
            set_table(info, ws, t);
        } else if (is(ws, i, "add") && is(ws, i + 1, "constraint") &&
                   (is(ws, i + 3, "primary") || is(ws, i + 3, "unique"))) {
            /* a multi-column key: commas inside its column list are fine, an extra action is
             * not; pg_dump writes one action per statement, so look for a second ADD */
            const char *p = strcasestr(stmt, "constraint");
            if (p && !strcasestr(p + 10, " add ")) {
                info->cls = STMT_ADD_KEY;
                set_table(info, ws, t);
            }
        }
    }
    free(ws);
}
