/* One-line escaping for tab-separated files (journal, log): backslash, tab, newline, CR. */
#ifndef IM_TEXTESC_H
#define IM_TEXTESC_H

#include "common.h"

void tsv_escape(const char *in, struct strbuf *out);
/* Splits line (no newline) at tabs into at most max fields, unescaped. Returns the count.
 * fields[i] are malloc'd. */
size_t tsv_split(const char *line, char **fields, size_t max);

/* Outside text made safe to show: C0 control bytes, DEL, the UTF-8 C1 controls
 * U+0080..U+009F and bytes that are not UTF-8 become \xhh, so "ESC[31m" or a carriage return
 * cannot act. flags: TEXT_ESC_BACKSLASH also writes a backslash as \\ (the result can be told
 * from text that spells \x1b); TEXT_ESC_KEEP_NEWLINES keeps newline and tab. in may be NULL. */
enum { TEXT_ESC_BACKSLASH = 1u << 0, TEXT_ESC_KEEP_NEWLINES = 1u << 1 };
void text_escape(const char *in, unsigned flags, struct strbuf *out);

/* One line of outside text (a journal line, a unit's setting): text_escape with
 * TEXT_ESC_BACKSLASH. */
void text_escape_line(const char *in, struct strbuf *out);

/* Outside text (file names, libarchive's and other programs' messages) for a terminal:
 * text_escape without TEXT_ESC_BACKSLASH; newline and tab kept when keep_newlines. */
void ctl_escape(const char *in, bool keep_newlines, struct strbuf *out);
/* The same into a malloc'd string. */
char *ctl_escape_dup(const char *in, bool keep_newlines);

#endif
