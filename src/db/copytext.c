#include "sys/fdio.h"
#include "db/copytext.h"

#include <strings.h>
#include <stdlib.h>
#include <string.h>

bool copy_field_is_null(const char *raw, size_t len)
{
    return len == 2 && raw[0] == '\\' && raw[1] == 'N';
}

/* Follows CopyReadAttributesText: \b \f \n \r \t \v, octal \ooo, hex \xhh, else the char. */
void copy_field_decode(const char *raw, size_t len, struct strbuf *out)
{
    sb_grow(out, len);
    size_t i = 0;
    while (i < len) {
        const char *bs = memchr(raw + i, '\\', len - i);
        size_t plain = bs ? (size_t)(bs - (raw + i)) : len - i;
        sb_append_len(out, raw + i, plain);
        i += plain;
        if (i >= len)
            break;
        i++; /* the backslash */
        if (i >= len) {
            sb_append_char(out, '\\'); /* a trailing lone backslash: keep it */
            break;
        }
        char c = raw[i++];
        switch (c) {
        case 'b': sb_append_char(out, '\b'); break;
        case 'f': sb_append_char(out, '\f'); break;
        case 'n': sb_append_char(out, '\n'); break;
        case 'r': sb_append_char(out, '\r'); break;
        case 't': sb_append_char(out, '\t'); break;
        case 'v': sb_append_char(out, '\v'); break;
        case 'x': {
            int v = 0, digits = 0, h;
            while (digits < 2 && i < len && (h = hex_digit_value(raw[i])) >= 0) {
                v = v * 16 + h;
                i++;
                digits++;
            }
            if (digits)
                sb_append_char(out, (char)v);
            else
                sb_append_char(out, 'x');
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                int v = c - '0', digits = 1;
                while (digits < 3 && i < len && raw[i] >= '0' && raw[i] <= '7') {
                    v = v * 8 + (raw[i++] - '0');
                    digits++;
                }
                sb_append_char(out, (char)(v & 0xff));
            } else {
                sb_append_char(out, c);
            }
        }
    }
}

/* Follows CopyAttributeOutText with a tab delimiter. */
void copy_field_encode(const char *value, size_t len, struct strbuf *out)
{
    sb_grow(out, len + 8);
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        char esc = 0;
        if (c == '\\')
            esc = '\\';
        else if (c < 0x20) {
            switch (c) {
            case '\b': esc = 'b'; break;
            case '\f': esc = 'f'; break;
            case '\n': esc = 'n'; break;
            case '\r': esc = 'r'; break;
            case '\t': esc = 't'; break;
            case '\v': esc = 'v'; break;
            default: break;
            }
        }
        if (!esc)
            continue;
        sb_append_len(out, value + start, i - start);
        sb_append_char(out, '\\');
        sb_append_char(out, esc);
        start = i + 1;
    }
    sb_append_len(out, value + start, len - start);
}

static struct strbuf *array_push(struct pg_array *arr, bool is_null)
{
    if (arr->count == arr->cap) {
        size_t ncap = arr->cap ? arr->cap * 2 : 8;
        arr->elems = xrealloc(arr->elems, ncap * sizeof *arr->elems);
        arr->is_null = xrealloc(arr->is_null, ncap * sizeof *arr->is_null);
        memset(arr->elems + arr->cap, 0, (ncap - arr->cap) * sizeof *arr->elems);
        arr->cap = ncap;
    }
    struct strbuf *e = &arr->elems[arr->count];
    sb_reset(e);
    arr->is_null[arr->count++] = is_null;
    return e;
}

static bool is_array_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads one element starting at *pos (after blanks). Returns 0 or -1. */
static int parse_element(const char *t, size_t len, size_t *pos, struct pg_array *arr)
{
    size_t i = *pos;
    if (i < len && t[i] == '"') {
        struct strbuf *e = array_push(arr, false);
        i++;
        for (;;) {
            if (i >= len)
                return -1;
            char c = t[i++];
            if (c == '"')
                break;
            if (c == '\\') {
                if (i >= len)
                    return -1;
                c = t[i++];
            }
            sb_append_char(e, c);
        }
    } else {
        struct strbuf tmp = {0};
        size_t last_kept = 0; /* length up to the last character that is not trailing blank */
        bool any_escaped = false;
        while (i < len && t[i] != ',' && t[i] != '}') {
            char c = t[i++];
            if (c == '{' || c == '"')
                goto bad;
            if (c == '\\') {
                if (i >= len)
                    goto bad;
                sb_append_char(&tmp, t[i++]);
                any_escaped = true;
                last_kept = tmp.len;
                continue;
            }
            sb_append_char(&tmp, c);
            if (!is_array_space(c))
                last_kept = tmp.len;
        }
        tmp.len = last_kept;
        if (tmp.buf)
            tmp.buf[tmp.len] = '\0';
        if (tmp.len == 0 && !any_escaped)
            goto bad; /* an empty unquoted element is invalid */
        bool is_null = !any_escaped && tmp.len == 4 && strncasecmp(tmp.buf, "NULL", 4) == 0;
        struct strbuf *e = array_push(arr, is_null);
        if (!is_null)
            sb_append_len(e, sb_str(&tmp), tmp.len);
        sb_free(&tmp);
        *pos = i;
        return 0;
    bad:
        sb_free(&tmp);
        return -1;
    }
    *pos = i;
    return 0;
}

/* Empties arr, keeping its buffers for the next parse. */
static void pg_array_clear(struct pg_array *arr)
{
    arr->count = 0;
}

int pg_array_parse(const char *t, size_t len, struct pg_array *arr)
{
    pg_array_clear(arr);
    size_t i = 0;
    while (i < len && is_array_space(t[i]))
        i++;
    if (i >= len || t[i] != '{')
        return -1;
    i++;
    while (i < len && is_array_space(t[i]))
        i++;
    if (i < len && t[i] == '}') {
        i++;
    } else {
        for (;;) {
            while (i < len && is_array_space(t[i]))
                i++;
            if (parse_element(t, len, &i, arr) < 0)
                return -1;
            while (i < len && is_array_space(t[i]))
                i++;
            if (i >= len)
                return -1;
            if (t[i] == '}') {
                i++;
                break;
            }
            if (t[i] != ',')
                return -1;
            i++;
        }
    }
    while (i < len && is_array_space(t[i]))
        i++;
    return i == len ? 0 : -1;
}

static bool element_needs_quotes(const char *s, size_t len)
{
    if (len == 0 || (len == 4 && strncasecmp(s, "NULL", 4) == 0))
        return true;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || is_array_space(c))
            return true;
    }
    return false;
}

void pg_array_format(const struct pg_array *arr, struct strbuf *out)
{
    sb_append_char(out, '{');
    for (size_t k = 0; k < arr->count; k++) {
        if (k)
            sb_append_char(out, ',');
        if (arr->is_null[k]) {
            sb_append(out, "NULL");
            continue;
        }
        const char *s = sb_str(&arr->elems[k]);
        size_t len = arr->elems[k].len;
        if (!element_needs_quotes(s, len)) {
            sb_append_len(out, s, len);
            continue;
        }
        sb_append_char(out, '"');
        for (size_t i = 0; i < len; i++) {
            if (s[i] == '"' || s[i] == '\\')
                sb_append_char(out, '\\');
            sb_append_char(out, s[i]);
        }
        sb_append_char(out, '"');
    }
    sb_append_char(out, '}');
}

void pg_array_free(struct pg_array *arr)
{
    for (size_t i = 0; i < arr->cap; i++)
        sb_free(&arr->elems[i]);
    free(arr->elems);
    free(arr->is_null);
    memset(arr, 0, sizeof *arr);
}
