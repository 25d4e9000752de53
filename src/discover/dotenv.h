/* A reader for docker compose's `.env` files, so we see the values Docker saw.
 * Rules (those of compose's dotenv parser): blank and `#` lines are ignored; `KEY=value` with
 * an optional `export ` prefix; 'single quotes' are literal; "double quotes" take backslash
 * escapes (\n \t \r \\ \" \$) and interpolation; unquoted values are trimmed, end at ` #`
 * (a # after a blank), and take interpolation. Quoted values may span lines.
 * Interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt}, ${VAR+alt},
 * ${VAR:?msg}, ${VAR?msg}, and $$ for a literal $. Variables come from earlier keys of the
 * same file only (not our own environment: root's SSH shell is not what compose ran with). */
#ifndef IM_DOTENV_H
#define IM_DOTENV_H

#include "common.h"

struct dotenv_entry {
    char *key;
    char *value;
    int line; /* where the assignment starts */
};

struct dotenv {
    struct dotenv_entry *v;
    size_t n, cap;
};

/* Parses text (len bytes, NUL bytes are errors). A key set twice keeps the last value.
 * Returns 0, or -1 with "LINE: reason" (first error only) in err; env then holds the keys
 * read before the error. */
int dotenv_parse(struct dotenv *env, const char *text, size_t len, struct strbuf *err);
/* Reads a file (at most 1 MiB) and parses it; errors are "PATH:LINE: reason". */
int dotenv_load_file(struct dotenv *env, const char *path, struct strbuf *err);
const char *dotenv_get(const struct dotenv *env, const char *key); /* NULL if unset */
void dotenv_free(struct dotenv *env);

#endif
