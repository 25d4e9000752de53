/* What the library subcommands share: option parsing and the final line. */
#ifndef IM_CLI_CLI_UTIL_H
#define IM_CLI_CLI_UTIL_H

#include "common.h"
#include "files/fsutil.h"

/* Parses an integer in [min, max]; on error prints "immich-migrate CMD: ..." and returns -1. */
int parse_int_option(const char *cmd, const char *opt, const char *text, int min, int max, int *out);
/* Prints the reason on failure/cancel ("immich-migrate CMD: ..."), frees err, returns the
 * exit status: 0 ok, 1 failed, different or cancelled (130 after a signal). */
int finish_command(const char *cmd, enum files_result r, struct strbuf *err);

#endif
