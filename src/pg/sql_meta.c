#include "common.h"
#include "pg/sql_meta.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

/* Splits a psql option list: blanks separate words; '…' (with '' and \-escapes) and "…"
 * (with "") quote. Backticks and :variables are refused: we never expand anything. */
static int split_words(const char *s, char ***words, size_t *count, struct strbuf *err)
{
    *words = NULL;
    *count = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            return 0;
        if (*s == '`' || *s == ':') {
            sb_append(err, _("psql variables and backtick commands are not allowed"));
            return -1;
        }
        struct strbuf w = {0};
        while (*s && *s != ' ' && *s != '\t') {
            char q = *s;
            if (q == '\'' || q == '"') {
                s++;
                for (;;) {
                    if (!*s) {
                        sb_free(&w);
                        sb_append(err, _("unterminated quote"));
                        return -1;
                    }
                    if (*s == q && s[1] == q) {
                        sb_append_char(&w, q);
                        s += 2;
                    } else if (*s == q) {
                        s++;
                        break;
                    } else if (q == '\'' && *s == '\\' && s[1]) {
                        sb_append_char(&w, s[1]);
                        s += 2;
                    } else {
                        sb_append_char(&w, *s++);
                    }
                }
            } else if (q == '`') {
                sb_free(&w);
                sb_append(err, _("psql variables and backtick commands are not allowed"));
                return -1;
            } else {
                sb_append_char(&w, *s++);
            }
        }
        *words = xrealloc(*words, (*count + 1) * sizeof **words);
        (*words)[(*count)++] = sb_detach(&w);
    }
}

static void free_words(char **words, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(words[i]);
    free(words);
}

/* The database a \connect argument names: a plain name, or a conninfo string/URI that may
 * hold nothing but dbname (pg_dump writes -reuse-previous=on "dbname='…'"). */
static char *connect_target(const char *arg, struct strbuf *err)
{
    if (!strchr(arg, '=') && strncmp(arg, "postgres://", 11) != 0 &&
        strncmp(arg, "postgresql://", 13) != 0)
        return xstrdup(arg);
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(arg, &perr);
    if (!opts) {
        sb_printf(err, _("cannot parse the connection string: %s"), perr ? perr : "?");
        PQfreemem(perr);
        return NULL;
    }
    char *db = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val)
            continue;
        if (strcmp(o->keyword, "dbname") == 0) {
            db = xstrdup(o->val);
        } else {
            sb_printf(err, _("\\connect may only name a database, not %s"), o->keyword);
            free(db);
            db = NULL;
            break;
        }
    }
    PQconninfoFree(opts);
    if (!db && !err->len)
        sb_append(err, _("\\connect names no database"));
    return db;
}

static int accept_connect(char **words, size_t count, const char *current_db, const char *target_db,
                          struct meta_cmd *out, struct strbuf *err)
{
    size_t i = 1;
    if (i < count && strncmp(words[i], "-reuse-previous=", 16) == 0)
        i++;
    if (i >= count) {
        sb_append(err, _("\\connect without a database name is not allowed"));
        return -1;
    }
    if (count > i + 1) {
        sb_append(err, _("\\connect with a user, host or port is not allowed"));
        return -1;
    }
    char *db = strcmp(words[i], "-") == 0 ? xstrdup(current_db) : connect_target(words[i], err);
    if (!db)
        return -1;
    if (strcmp(db, target_db) != 0) {
        sb_printf(err,
                  _("\\connect to database \"%s\" refused: this import may only connect to "
                    "\"%s\""),
                  db, target_db);
        free(db);
        return -1;
    }
    out->kind = META_CONNECT;
    out->arg = db;
    return 0;
}

static int accept_words(struct meta_rules *rules, char **words, size_t count, const char *current_db,
                        const char *target_db, struct meta_cmd *out, struct strbuf *err)
{
    const char *cmd = words[0];
    if (rules->restricted && strcmp(cmd, "unrestrict") != 0) {
        sb_printf(err, _("\\%s while restricted: only \\unrestrict is allowed here"), cmd);
        return -1;
    }
    if (strcmp(cmd, "restrict") == 0 || strcmp(cmd, "unrestrict") == 0) {
        if (count != 2 || !*words[1]) {
            sb_printf(err, _("\\%s needs exactly one key"), cmd);
            return -1;
        }
        if (cmd[0] == 'r') {
            free(rules->key);
            rules->key = xstrdup(words[1]);
            rules->restricted = true;
            out->kind = META_RESTRICT;
        } else {
            if (!rules->restricted) {
                sb_append(err, _("\\unrestrict without a preceding \\restrict"));
                return -1;
            }
            if (strcmp(rules->key, words[1]) != 0) {
                sb_append(err, _("\\unrestrict with the wrong key: the file was altered"));
                return -1;
            }
            rules->restricted = false;
            out->kind = META_UNRESTRICT;
        }
        out->arg = xstrdup(words[1]);
        return 0;
    }
    if (strcmp(cmd, "connect") == 0 || strcmp(cmd, "c") == 0)
        return accept_connect(words, count, current_db, target_db, out, err);
    if (strcmp(cmd, "encoding") == 0) {
        if (count != 2 || pg_char_to_encoding(words[1]) < 0) {
            sb_append(err, _("\\encoding needs one known encoding name"));
            return -1;
        }
        out->kind = META_ENCODING;
        out->arg = xstrdup(words[1]);
        return 0;
    }
    sb_printf(err,
              _("the backslash command \\%s is not allowed in a dump (only \\connect, "
                "\\encoding, \\restrict and \\unrestrict are)"),
              cmd);
    return -1;
}

int meta_accept(struct meta_rules *rules, const char *line, uint64_t lineno, const char *current_db,
                const char *target_db, struct meta_cmd *out, struct strbuf *err)
{
    memset(out, 0, sizeof *out);
    while (*line == ' ' || *line == '\t')
        line++;
    struct strbuf why = {0};
    char **words = NULL;
    size_t count = 0;
    int rc = -1;
    if (*line != '\\') {
        sb_append(&why, _("not a backslash command"));
    } else if (split_words(line + 1, &words, &count, &why) == 0) {
        if (count == 0)
            sb_append(&why, _("an empty backslash command"));
        else
            rc = accept_words(rules, words, count, current_db, target_db, out, &why);
    }
    if (rc < 0) {
        sb_printf(err, _("line %llu: %s"), (unsigned long long)lineno, sb_str(&why));
        meta_cmd_free(out);
    }
    free_words(words, count);
    sb_free(&why);
    return rc;
}

void meta_cmd_free(struct meta_cmd *m)
{
    free(m->arg);
    m->arg = NULL;
}

void meta_rules_free(struct meta_rules *rules)
{
    free(rules->key);
    rules->key = NULL;
    rules->restricted = false;
}
