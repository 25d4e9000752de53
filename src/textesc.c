#include "textesc.h"

#include <string.h>

void tsv_escape(const char *in, struct strbuf *out)
{
    for (; *in; in++) {
        switch (*in) {
        case '\\': sb_append(out, "\\\\"); break;
        case '\t': sb_append(out, "\\t"); break;
        case '\n': sb_append(out, "\\n"); break;
        case '\r': sb_append(out, "\\r"); break;
        default: sb_append_char(out, *in);
        }
    }
}

/* Unescapes n bytes of in. */
static void tsv_unescape(const char *in, size_t n, struct strbuf *out)
{
    sb_grow(out, n);
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '\\' && i + 1 < n) {
            char c = in[++i];
            sb_append_char(out, c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c);
        } else {
            sb_append_char(out, in[i]);
        }
    }
}

size_t tsv_split(const char *line, char **fields, size_t max)
{
    size_t count = 0;
    const char *p = line;
    while (count < max) {
        size_t n = strcspn(p, "\t");
        struct strbuf f = {0};
        tsv_unescape(p, n, &f);
        fields[count++] = sb_detach(&f);
        if (p[n] != '\t')
            break;
        p += n + 1;
    }
    return count;
}

/* Length of the valid UTF-8 sequence at s that is no C1 control, or 0. */
static size_t utf8_printable_len(const unsigned char *s)
{
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
        return 0;
    return n;
}

void text_escape(const char *in, unsigned flags, struct strbuf *out)
{
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    while (*s) {
        size_t n = *s >= 0x80 ? utf8_printable_len(s) : 1;
        bool kept = (flags & TEXT_ESC_KEEP_NEWLINES) && (*s == '\n' || *s == '\t');
        if (*s == '\\' && (flags & TEXT_ESC_BACKSLASH)) {
            sb_append(out, "\\\\");
        } else if (n == 0 || (*s < 0x20 && !kept) || *s == 0x7f) {
            sb_printf(out, "\\x%02x", *s);
            n = 1;
        } else {
            sb_append_len(out, (const char *)s, n);
        }
        s += n;
    }
}

void text_escape_line(const char *in, struct strbuf *out)
{
    text_escape(in, TEXT_ESC_BACKSLASH, out);
}

void ctl_escape(const char *in, bool keep_newlines, struct strbuf *out)
{
    text_escape(in, keep_newlines ? TEXT_ESC_KEEP_NEWLINES : 0, out);
}

char *ctl_escape_dup(const char *in, bool keep_newlines)
{
    struct strbuf out = {0};
    ctl_escape(in, keep_newlines, &out);
    return sb_detach(&out);
}
