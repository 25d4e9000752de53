#include "common.h"
#include "pg/sql_policy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- whole words of the raw text: code, strings and function bodies alike ---- */

/* '$' separates words here: a dollar-quote tag must not hide the word right after it. */
static bool word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c >= 0x80;
}

/* The next word at or after *pos that starts with a letter or '_'; false at the end. */
static bool raw_word(const char *s, size_t *pos, size_t *start, size_t *len)
{
    size_t i = *pos;
    for (;;) {
        while (s[i] && !word_char((unsigned char)s[i]))
            i++;
        if (!s[i])
            return false;
        size_t b = i;
        while (word_char((unsigned char)s[i]))
            i++;
        if (!(s[b] >= '0' && s[b] <= '9')) {
            *start = b;
            *len = i - b;
            *pos = i;
            return true;
        }
    }
}

static bool word_is(const char *s, size_t start, size_t len, const char *w)
{
    return strlen(w) == len && strncasecmp(s + start, w, len) == 0;
}

/* Reach the server's files or programs (adminpack's too), or grant that right. */
static const char *const file_words[] = {
    "lo_import",
    "lo_export",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "pg_file_write",
    "pg_file_rename",
    "pg_file_unlink",
    "pg_execute_server_program",
    "pg_read_server_files",
    "pg_write_server_files",
};

/* Words a function body of Immich's never holds: dynamic SQL, COPY, role or system changes. */
static const char *const body_words[] = {"execute", "copy"};
static const char *const role_words[] = {"role", "user", "group", "system"};

static int refuse_at(size_t *at, size_t where, struct strbuf *why, const char *msg)
{
    *at = where;
    sb_append(why, msg);
    return -1;
}

static int check_words(const char *s, bool routine, size_t *at, struct strbuf *why)
{
    size_t pos = 0, b, len, prev_b = 0, prev_len = 0;
    while (raw_word(s, &pos, &b, &len)) {
        for (size_t k = 0; k < ARRAY_LEN(file_words); k++)
            if (word_is(s, b, len, file_words[k])) {
                *at = b;
                sb_printf(why,
                          _("%s reaches the server's files or programs: it is not allowed in "
                            "a dump"),
                          file_words[k]);
                return -1;
            }
        if (word_is(s, b, len, "set_config")) {
            /* only set_config('literal name', …): a computed name could hide a change of
             * standard_conforming_strings from the scan */
            const char *p = s + pos;
            while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
            if (*p == '(')
                p++;
            while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
            if (*p == '\'')
                for (p++; *p && !(*p == '\'' && p[1] != '\''); p++)
                    p += *p == '\'' ? 1 : 0; /* '' inside the name */
            if (*p == '\'')
                p++;
            while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                p++;
            if (s[pos] == '\0' || *p != ',')
                return refuse_at(at, b, why,
                                 _("set_config() must name its parameter as a plain "
                                   "string literal"));
        }
        if (routine) {
            for (size_t k = 0; k < ARRAY_LEN(body_words); k++)
                if (word_is(s, b, len, body_words[k])) {
                    *at = b;
                    sb_printf(why,
                              _("a function body using %s is not allowed: Immich's functions "
                                "never run dynamic SQL or COPY"),
                              body_words[k]);
                    return -1;
                }
            bool verb = prev_len && (word_is(s, prev_b, prev_len, "alter") ||
                                     word_is(s, prev_b, prev_len, "create") ||
                                     word_is(s, prev_b, prev_len, "drop"));
            for (size_t k = 0; verb && k < ARRAY_LEN(role_words); k++)
                if (word_is(s, b, len, role_words[k]))
                    return refuse_at(at, prev_b, why,
                                     _("a function body changing roles or the "
                                       "server's configuration is not allowed"));
        }
        prev_b = b;
        prev_len = len;
    }
    return 0;
}

/* ---- tokens (comments skipped, strings whole) ---- */

struct toks {
    const char *stmt, *p;
    char w[128];
    enum sql_tok t;
    size_t at; /* offset of the token */
};

static enum sql_tok tok_next(struct toks *k)
{
    while (*k->p == ' ' || *k->p == '\t' || *k->p == '\n' || *k->p == '\r' || *k->p == '\f')
        k->p++;
    k->at = (size_t)(k->p - k->stmt);
    k->t = sql_next_token(&k->p, k->w, sizeof k->w);
    return k->t;
}

static bool tok_is(const struct toks *k, const char *word)
{
    return k->t == SQL_TOK_NAME && strcasecmp(k->w, word) == 0;
}

static bool tok_punct(const struct toks *k, char c)
{
    return k->t == SQL_TOK_PUNCT && k->w[0] == c;
}

/* COPY table [(columns)] FROM stdin; and nothing else. */
static bool copy_shape_ok(const char *stmt)
{
    struct toks k = {stmt, stmt, {0}, SQL_TOK_END, 0};
    if (tok_next(&k) != SQL_TOK_NAME || !tok_is(&k, "copy") || tok_next(&k) != SQL_TOK_NAME)
        return false;
    tok_next(&k);
    if (tok_punct(&k, '(')) {
        while (tok_next(&k) == SQL_TOK_NAME || tok_punct(&k, ','))
            ;
        if (!tok_punct(&k, ')'))
            return false;
        tok_next(&k);
    }
    if (!tok_is(&k, "from") || (tok_next(&k), !tok_is(&k, "stdin")))
        return false;
    tok_next(&k);
    if (tok_punct(&k, ';'))
        tok_next(&k);
    return k.t == SQL_TOK_END;
}

/* CREATE [OR REPLACE] FUNCTION|PROCEDURE: its LANGUAGE must be sql or plpgsql. */
static int check_routine(const char *stmt, size_t *at, struct strbuf *why)
{
    struct toks k = {stmt, stmt, {0}, SQL_TOK_END, 0};
    int depth = 0;
    while (tok_next(&k) != SQL_TOK_END) {
        if (tok_punct(&k, '('))
            depth++;
        else if (tok_punct(&k, ')') && depth > 0)
            depth--;
        if (depth > 0 || !tok_is(&k, "language"))
            continue;
        size_t lang_at = k.at;
        if (tok_next(&k) != SQL_TOK_NAME && k.t != SQL_TOK_STRING)
            break;
        char lang[64];
        snprintf(lang, sizeof lang, "%s", k.w);
        if (k.t == SQL_TOK_NAME && lang[0] == '"')
            snprintf(lang, sizeof lang, "%.*s", (int)strcspn(k.w + 1, "\""), k.w + 1);
        if (strcasecmp(lang, "sql") != 0 && strcasecmp(lang, "plpgsql") != 0) {
            *at = lang_at;
            sb_printf(why,
                      _("functions in language %s are not allowed: pg_dump writes Immich's "
                        "functions in sql and plpgsql only"),
                      lang);
            return -1;
        }
    }
    return 0;
}

#define NWORDS 6

/* The first words, lower case (names only; "" for strings and punctuation). */
static void first_words(const char *stmt, char w[NWORDS][32])
{
    struct toks k = {stmt, stmt, {0}, SQL_TOK_END, 0};
    for (int i = 0; i < NWORDS; i++) {
        w[i][0] = '\0';
        if (tok_next(&k) == SQL_TOK_END)
            continue;
        if (k.t == SQL_TOK_NAME)
            for (size_t j = 0; j < 31 && k.w[j]; j++) {
                char c = k.w[j];
                w[i][j] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
                w[i][j + 1] = '\0';
            }
    }
}

static bool is_routine(char w[NWORDS][32])
{
    int i = 1;
    if (strcmp(w[0], "create") != 0)
        return false;
    if (strcmp(w[1], "or") == 0 && strcmp(w[2], "replace") == 0)
        i = 3;
    return strcmp(w[i], "function") == 0 || strcmp(w[i], "procedure") == 0;
}

static int check_commands(const char *stmt, const struct stmt_info *info, char w[NWORDS][32],
                          size_t *at, struct strbuf *why)
{
    *at = 0;
    if (strcmp(w[0], "do") == 0)
        return refuse_at(at, 0, why, _("DO blocks are not allowed: pg_dump never writes them"));
    if (strcmp(w[0], "load") == 0)
        return refuse_at(at, 0, why, _("LOAD is not allowed: pg_dump never writes it"));
    if (strcmp(w[0], "discard") == 0 || (strcmp(w[0], "reset") == 0 && strcmp(w[1], "all") == 0))
        return refuse_at(at, 0, why,
                         _("RESET ALL and DISCARD are not allowed: they would change "
                           "how the rest of the file is read"));
    bool verb = strcmp(w[0], "create") == 0 || strcmp(w[0], "alter") == 0 || strcmp(w[0], "drop") == 0;
    if (verb && (strcmp(w[1], "role") == 0 || strcmp(w[1], "user") == 0 || strcmp(w[1], "group") == 0)) {
        sb_printf(why, _("%s %s is not allowed: a dump of one database never changes roles"), w[0],
                  w[1]);
        return -1;
    }
    if (strcmp(w[0], "alter") == 0 && strcmp(w[1], "system") == 0)
        return refuse_at(at, 0, why, _("ALTER SYSTEM is not allowed: pg_dump never writes it"));
    int i = 1; /* CREATE [OR REPLACE] [TRUSTED] [PROCEDURAL] LANGUAGE */
    if (strcmp(w[1], "or") == 0 && strcmp(w[2], "replace") == 0)
        i = 3;
    i += strcmp(w[i], "trusted") == 0;
    i += strcmp(w[i], "procedural") == 0;
    if (strcmp(w[0], "create") == 0 && strcmp(w[i], "language") == 0)
        return refuse_at(at, 0, why,
                         _("CREATE LANGUAGE is not allowed: pg_dump never writes it "
                           "for Immich's database"));
    if (strcmp(w[0], "copy") == 0 && (info->cls != STMT_COPY_IN || !copy_shape_ok(stmt)))
        return refuse_at(at, 0, why,
                         _("only COPY table (columns) FROM stdin is allowed, as "
                           "pg_dump writes it: not COPY to or from a program or a "
                           "server file"));
    return 0;
}

/* Only pg_dump's own SET lines may change how the rest of the file is split. */
static int check_session(const char *stmt, const struct stmt_info *info, size_t *at, struct strbuf *why)
{
    if (info->sets_std_strings >= 0 || info->sets_encoding[0])
        return 0;
    static const char *const params[] = {"standard_conforming_strings", "client_encoding"};
    for (size_t k = 0; k < ARRAY_LEN(params); k++) {
        const char *hit = strcasestr(stmt, params[k]);
        if (hit) {
            *at = (size_t)(hit - stmt);
            sb_printf(why,
                      _("only pg_dump's own \"SET %s = …;\" line may touch %s (not "
                        "set_config, SET LOCAL, SET … TO DEFAULT, RESET or ALTER … SET): the "
                        "safety scan and the load must read the file the same way"),
                      params[k], params[k]);
            return -1;
        }
    }
    return 0;
}

int sql_policy_check(const char *stmt, const struct stmt_info *info, size_t *at, struct strbuf *why)
{
    char w[NWORDS][32];
    first_words(stmt, w);
    if (check_commands(stmt, info, w, at, why) < 0 || check_session(stmt, info, at, why) < 0)
        return -1;
    bool routine = is_routine(w);
    if (routine && check_routine(stmt, at, why) < 0)
        return -1;
    return check_words(stmt, routine, at, why);
}
