/* PostgreSQL COPY text format, one field at a time, and the text[] array literal inside a field.
 * Decoding undoes COPY's backslash escapes; encoding writes what COPY TO would write. */
#ifndef IM_DB_COPYTEXT_H
#define IM_DB_COPYTEXT_H

#include "common.h"

/* True when the raw field is the NULL marker \N. */
bool copy_field_is_null(const char *raw, size_t len);
/* Appends the decoded value of a raw (escaped) field to out. */
void copy_field_decode(const char *raw, size_t len, struct strbuf *out);
/* Appends value escaped for COPY text format (tab delimiter) to out. */
void copy_field_encode(const char *value, size_t len, struct strbuf *out);

/* A one-dimensional text[] literal ({a,"b c",NULL}) split into elements. */
struct pg_array {
    struct strbuf *elems;
    bool *is_null;
    size_t count;
    size_t cap;
};

/* Parses a decoded array literal. Returns 0, or -1 when it is not a plain one-dimensional
 * array (nested, with bounds, malformed): callers then leave the field alone. */
int pg_array_parse(const char *text, size_t len, struct pg_array *arr);
/* Appends the literal array_out would print for arr. */
void pg_array_format(const struct pg_array *arr, struct strbuf *out);
void pg_array_free(struct pg_array *arr);

#endif
