/* --report: a migration's journal and log as Markdown. */
#ifndef IM_REPORT_MD_H
#define IM_REPORT_MD_H

#include <stdio.h>

#include "common.h"

/* Returns 0, or -1 with a message (no log in dir). */
int report_markdown(const char *dir, FILE *out, struct strbuf *err);

#endif
