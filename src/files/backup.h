/* Backing up the library: a pax tar compressed with zstd, readable by GNU tar and bsdtar.
 * Keeps modes, numeric owners, times with nanoseconds, symlinks, hard links, dot-files and
 * empty directories; the root directory itself is not an entry (extracting never changes the
 * directory extracted into). Written to ARCHIVE.partial, fsynced, renamed, directory fsynced;
 * a manifest (see manifest.h) goes to ARCHIVE.manifest. */
#ifndef IM_FILES_BACKUP_H
#define IM_FILES_BACKUP_H

#include "common.h"
#include "report.h"
#include "files/fsutil.h"
#include "files/select.h"

struct backup_options {
    int level;        /* zstd level, 1..19 */
    int threads;      /* zstd worker threads; 0 = compress in the calling thread */
    bool space_check; /* refuse to start when the free space is below the library's size */
    enum backup_strategy strategy; /* BACKUP_ARCHIVE (all) or BACKUP_ORIGINALS (files/select.h) */
    /* The catch-up after a base archive written by `copy --archive` (NULL: a full backup).
     * since: the base's copy record (BASE.record; the CLI's default for --base); a file it names with the same size,
     * mtime and trusted ctime is left out (files with several names never are; directories,
     * symlinks and the rest are always archived). base: the base archive; the paths of its
     * manifest that the library no longer has (or has as another type) are written to
     * ARCHIVE.removed, each followed by a NUL byte (0600, fsynced, before the archive is
     * renamed into place). Restore: extract the base, remove the listed paths, extract
     * the catch-up. */
    const char *since;
    const char *base;
};

void backup_options_init(struct backup_options *o);

/* Returns FILES_OK, FILES_FAILED (reason in err, one line) or FILES_CANCELLED. */
enum files_result backup_library(const char *src, const char *archive, const struct backup_options *o,
                                 const struct reporter *rep, struct strbuf *err);

#endif
