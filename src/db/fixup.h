/* The dump fix-up: a streaming, column-aware rewrite of a plain SQL dump.
 * - the search_path line is fixed as the guide does (earthdistance needs public in the path);
 * - the path columns of both Immich schema generations get their prefixes mapped;
 * - system_metadata MediaLocation becomes the target location;
 * - owners and grantees are mapped from the source role to the target role;
 * - a pg_dumpall cluster dump is reduced to the one database's part.
 * It also learns what the dump is: Immich version, extensions, vector extension. */
#ifndef IM_DB_FIXUP_H
#define IM_DB_FIXUP_H

#include "common.h"
#include "report.h"
#include "db/dumpio.h"
#include "db/fixup_types.h"

/* Reads in, writes out (NULL = only learn about the dump). Returns 0, or -1 with a
 * translated reason in err. Progress in bytes of the input file. */
int fixup_run(const struct fixup_options *o, struct dump_reader *in, struct dump_writer *out,
              const struct reporter *rep, struct fixup_stats *st, struct strbuf *err);

/* The human-readable report. */
void fixup_report_text(const struct fixup_options *o, const struct fixup_stats *st, struct strbuf *out);

/* Convenience: scan a dump file and return what it is (no output). */
int fixup_scan_file(const char *path, const char *cluster_database, struct fixup_stats *st,
                    struct strbuf *err);

#endif
