#include "discover/json.h"

#include <stdlib.h>
#include <string.h>

struct jp {
    const char *s;
    size_t len, pos;
    int depth;
    struct strbuf *err;
    bool failed;
};

static struct json *jfail(struct jp *p, const char *why)
{
    if (!p->failed && p->err)
        sb_printf(p->err, _("JSON error at byte %zu: %s"), p->pos, why);
    p->failed = true;
    return NULL;
}

static void skip_ws(struct jp *p)
{
    while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
        p->pos++;
}

static struct json *new_value(enum json_type t)
{
    struct json *j = xcalloc(1, sizeof *j);
    j->type = t;
    return j;
}

void json_free(struct json *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->count; i++) {
        json_free(j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->string);
    free(j);
}

static int hex4(struct jp *p, unsigned *out)
{
    if (p->len - p->pos < 4)
        return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
    if (cp < 0x80) {
        sb_append_char(sb, (char)cp);
    } else if (cp < 0x800) {
        sb_append_char(sb, (char)(0xC0 | (cp >> 6)));
        sb_append_char(sb, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        sb_append_char(sb, (char)(0xE0 | (cp >> 12)));
        sb_append_char(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sb_append_char(sb, (char)(0x80 | (cp & 0x3F)));
    } else {
        sb_append_char(sb, (char)(0xF0 | (cp >> 18)));
        sb_append_char(sb, (char)(0x80 | ((cp >> 12) & 0x3F)));
        sb_append_char(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sb_append_char(sb, (char)(0x80 | (cp & 0x3F)));
    }
}

/* \uXXXX, with a following \uXXXX when it is a high surrogate. p->pos is after "\u". */
static int unicode_escape(struct jp *p, struct strbuf *out)
{
    unsigned cp;
    if (hex4(p, &cp) < 0)
        return -1;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned lo;
        if (p->len - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
            return -1;
        p->pos += 2;
        if (hex4(p, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
            return -1;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
        return -1;
    }
    put_utf8(out, cp);
    return 0;
}

static char *parse_string_raw(struct jp *p)
{
    struct strbuf sb = {0};
    p->pos++; /* opening quote */
    while (p->pos < p->len) {
        unsigned char c = (unsigned char)p->s[p->pos++];
        if (c == '"')
            return sb_detach(&sb);
        if (c < 0x20)
            break;
        if (c != '\\') {
            sb_append_char(&sb, (char)c);
            continue;
        }
        if (p->pos >= p->len)
            break;
        char e = p->s[p->pos++];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *hit = e ? strchr(from, e) : NULL;
        if (hit) {
            sb_append_char(&sb, to[hit - from]);
        } else if (e != 'u' || unicode_escape(p, &sb) < 0) {
            sb_free(&sb);
            jfail(p, _("bad escape in a string"));
            return NULL;
        }
    }
    sb_free(&sb);
    jfail(p, _("unterminated string"));
    return NULL;
}

static struct json *parse_value(struct jp *p);

static void add_item(struct json *j, char *key, struct json *v)
{
    if ((j->count & (j->count - 1)) == 0) { /* grow at powers of two */
        size_t cap = j->count ? j->count * 2 : 4;
        j->items = xrealloc(j->items, cap * sizeof *j->items);
        if (j->type == JSON_OBJECT)
            j->keys = xrealloc(j->keys, cap * sizeof *j->keys);
    }
    if (j->type == JSON_OBJECT)
        j->keys[j->count] = key;
    j->items[j->count++] = v;
}

static struct json *parse_container(struct jp *p, enum json_type t)
{
    char close = t == JSON_ARRAY ? ']' : '}';
    struct json *j = new_value(t);
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return j;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(p);
        if (t == JSON_OBJECT) {
            if (p->pos >= p->len || p->s[p->pos] != '"' || !(key = parse_string_raw(p)))
                goto bad;
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                free(key);
                goto bad;
            }
            p->pos++;
        }
        struct json *v = parse_value(p);
        if (!v) {
            free(key);
            goto bad;
        }
        add_item(j, key, v);
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            return j;
        }
        goto bad;
    }
bad:
    json_free(j);
    return jfail(p, t == JSON_ARRAY ? _("malformed array") : _("malformed object"));
}

static struct json *parse_number(struct jp *p)
{
    size_t start = p->pos;
    const char *s = p->s;
    if (p->pos < p->len && s[p->pos] == '-')
        p->pos++;
    size_t digits = p->pos;
    while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')
        p->pos++;
    if (p->pos == digits || (s[digits] == '0' && p->pos - digits > 1))
        return jfail(p, _("malformed number"));
    if (p->pos < p->len && s[p->pos] == '.') {
        size_t f = ++p->pos;
        while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')
            p->pos++;
        if (p->pos == f)
            return jfail(p, _("malformed number"));
    }
    if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-'))
            p->pos++;
        size_t e = p->pos;
        while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')
            p->pos++;
        if (p->pos == e)
            return jfail(p, _("malformed number"));
    }
    char *copy = xstrndup(s + start, p->pos - start);
    struct json *j = new_value(JSON_NUMBER);
    j->number = strtod(copy, NULL);
    free(copy);
    return j;
}

static struct json *parse_word(struct jp *p, const char *word, enum json_type t, bool b)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return jfail(p, _("unexpected character"));
    p->pos += n;
    struct json *j = new_value(t);
    j->boolean = b;
    return j;
}

static struct json *parse_value(struct jp *p)
{
    skip_ws(p);
    if (p->pos >= p->len)
        return jfail(p, _("unexpected end of input"));
    if (++p->depth > JSON_MAX_DEPTH)
        return jfail(p, _("nested too deeply"));
    struct json *j;
    char c = p->s[p->pos];
    switch (c) {
    case '{': j = parse_container(p, JSON_OBJECT); break;
    case '[': j = parse_container(p, JSON_ARRAY); break;
    case '"': {
        char *s = parse_string_raw(p);
        j = s ? new_value(JSON_STRING) : NULL;
        if (j)
            j->string = s;
        break;
    }
    case 't': j = parse_word(p, "true", JSON_BOOL, true); break;
    case 'f': j = parse_word(p, "false", JSON_BOOL, false); break;
    case 'n': j = parse_word(p, "null", JSON_NULL, false); break;
    default: j = parse_number(p); break;
    }
    p->depth--;
    return j;
}

struct json *json_parse(const char *text, size_t len, struct strbuf *err)
{
    struct jp p = {.s = text, .len = len, .err = err};
    struct json *j = parse_value(&p);
    if (!j)
        return NULL;
    skip_ws(&p);
    if (p.pos != p.len) {
        json_free(j);
        return jfail(&p, _("trailing characters"));
    }
    return j;
}

const struct json *json_get(const struct json *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}

const struct json *json_path(const struct json *obj, const char *dotted)
{
    char *copy = xstrdup(dotted);
    const struct json *j = obj;
    char *save = NULL;
    for (char *part = strtok_r(copy, ".", &save); part && j; part = strtok_r(NULL, ".", &save))
        j = json_get(j, part);
    free(copy);
    return j;
}

const struct json *json_at(const struct json *arr, size_t i)
{
    if (!arr || (arr->type != JSON_ARRAY && arr->type != JSON_OBJECT) || i >= arr->count)
        return NULL;
    return arr->items[i];
}

size_t json_count(const struct json *j)
{
    return j && (j->type == JSON_ARRAY || j->type == JSON_OBJECT) ? j->count : 0;
}

const char *json_str(const struct json *j)
{
    return j && j->type == JSON_STRING ? j->string : NULL;
}

bool json_bool(const struct json *j, bool fallback)
{
    return j && j->type == JSON_BOOL ? j->boolean : fallback;
}
