/* One-line escaping for tab-separated files (journal, log): backslash, tab, newline, CR. */
#ifndef IM_TEXTESC_H
#define IM_TEXTESC_H

#include "common.h"

void tsv_escape(const char *in, struct strbuf *out);
/* Splits line (no newline) at tabs into at most max fields, unescaped. Returns the count.
 * fields[i] are malloc'd. */
size_t tsv_split(const char *line, char **fields, size_t max);

/* Outside text (a journal line, a unit's setting) made safe to show on one line: control
 * bytes, C1 controls and bytes that are not UTF-8 become \xNN, a backslash \\. */
void text_escape_line(const char *in, struct strbuf *out);

/* Outside text (file names, libarchive's and other programs' messages) made safe for a
 * terminal: C0 control bytes (but newline and tab when keep_newlines), DEL and the UTF-8 C1
 * controls U+0080..U+009F become \xHH, so "ESC[31m" or a carriage return cannot act. */
void ctl_escape(const char *in, bool keep_newlines, struct strbuf *out);
/* The same into a malloc'd string. */
char *ctl_escape_dup(const char *in, bool keep_newlines);

#endif
