/* One-line escaping for tab-separated files (journal, log): backslash, tab, newline, CR. */
#ifndef IM_TEXTESC_H
#define IM_TEXTESC_H

#include "common.h"

void tsv_escape(const char *in, struct strbuf *out);
/* Unescapes n bytes of in. */
void tsv_unescape(const char *in, size_t n, struct strbuf *out);
/* Splits line (no newline) at tabs into at most max fields, unescaped. Returns the count.
 * fields[i] are malloc'd. */
size_t tsv_split(const char *line, char **fields, size_t max);

/* Outside text (a journal line, a unit's setting) made safe to show on one line: control
 * bytes, C1 controls and bytes that are not UTF-8 become \xNN, a backslash \\. */
void text_escape_line(const char *in, struct strbuf *out);

#endif
