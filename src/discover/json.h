/* A small JSON reader for the output of `docker inspect`: a tree of values. Enough JSON for
 * that job (objects, arrays, strings with every escape including \uXXXX surrogate pairs,
 * numbers, true/false/null); not a general-purpose library. Input is limited in size and
 * nesting depth by the caller's capture limit and JSON_MAX_DEPTH. */
#ifndef IM_JSON_H
#define IM_JSON_H

#include "common.h"

#define JSON_MAX_DEPTH 64

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    bool boolean;
    double number;
    char *string;        /* JSON_STRING (UTF-8; may contain no NUL: \u0000 is refused) */
    struct json **items; /* JSON_ARRAY / JSON_OBJECT values */
    char **keys;         /* JSON_OBJECT keys, parallel to items */
    size_t count;
};

/* Parses one JSON text (surrounding whitespace allowed). Returns NULL with a reason and the
 * byte offset in err. */
struct json *json_parse(const char *text, size_t len, struct strbuf *err);
void json_free(struct json *j);

/* Lookups; all accept NULL and return NULL (or the fallback) on a type mismatch. */
const struct json *json_get(const struct json *obj, const char *key);
/* "State.Running": member names separated by dots. */
const struct json *json_path(const struct json *obj, const char *dotted);
const struct json *json_at(const struct json *arr, size_t i);
size_t json_count(const struct json *j); /* items of an array/object, else 0 */
const char *json_str(const struct json *j); /* NULL unless a string */
bool json_bool(const struct json *j, bool fallback);

#endif
