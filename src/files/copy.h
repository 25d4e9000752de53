/* copy SRC DST: an exact copy of the library (what backup keeps: content, modes, owners when
 * run as root, times with nanoseconds, symlinks as symlinks, hard links, dot-files, empty
 * directories; not extended attributes or ACLs). The source is only read (O_NOATIME).
 *
 * Resumable: each file is written under a fresh temporary name
 * (.immich-migrate.XXXXXXXXXXXX.partial, never an existing one) in its directory and renamed
 * when complete, so a name in DST always holds a whole file; a rerun skips files whose size
 * and mtime already match and re-copies the interrupted one. Afterwards everything is synced
 * and verified: every entry compared with the source (metadata and content byte for byte);
 * entries only in DST are reported as warnings. SRC and DST the same directory: nothing to do.
 * Before it starts, DST's file system must have room for the source's files less what an
 * earlier run already copied. */
#ifndef IM_FILES_COPY_H
#define IM_FILES_COPY_H

#include "common.h"
#include "report.h"
#include "files/fsutil.h"

struct copy_options {
    bool verify;      /* compare DST with SRC afterwards (default) */
    bool space_check; /* refuse to start without room for what is not copied yet (default) */
};

struct copy_stats {
    uint64_t copied;  /* files written */
    uint64_t skipped; /* files already complete from an earlier run */
    uint64_t bytes;   /* bytes written */
    bool same_dir;    /* SRC and DST were the same directory */
};

enum files_result copy_library(const char *src, const char *dst, const struct copy_options *o,
                               const struct reporter *rep, struct copy_stats *stats,
                               struct strbuf *err);

/* Compares DST with SRC as copy promises. FILES_OK, FILES_DIFFERENT, FILES_FAILED, ...
 * compare_owner: owners are compared (they can only be kept by root). */
enum files_result copy_verify(const char *src, const char *dst, bool compare_owner,
                              const struct reporter *rep, struct strbuf *err);

#endif
