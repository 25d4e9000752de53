/* verify-backup: reads an archive back and compares every entry with its manifest
 * (verify_backup_manifest: the archive only, never the library again) or, for an archive
 * without one (written by another tool, or before manifests), with the library
 * (verify_backup: reads the library again). Both compare type, mode, owner, mtime, size,
 * content, symlink target and hard links, and report each entry only on one side or
 * different (REC_ERROR records).
 *
 * Memory stays flat: the archive is read in the order backup writes it (walk order), the
 * order of the manifest and of the walk, so a comparison is a merge of two sorted streams.
 * An archive in another order is refused. */
#ifndef IM_FILES_VERIFY_H
#define IM_FILES_VERIFY_H

#include "common.h"
#include "report.h"
#include "files/fsutil.h"
#include "files/select.h"

struct verify_counts {
    uint64_t compared;
    uint64_t only_in_archive;
    uint64_t only_in_library; /* or, against the manifest: listed there, not in the archive */
    uint64_t different;
};

/* FILES_OK (equal), FILES_DIFFERENT (err says how many), FILES_FAILED (also: ARCHIVE.manifest
 * missing, truncated, damaged or edited), FILES_CANCELLED. Reads ARCHIVE and ARCHIVE.manifest
 * only. A manifest of version 1 (no owners, no end line) is taken with a warning. */
enum files_result verify_backup_manifest(const char *archive, const struct reporter *rep,
                                         struct verify_counts *counts, struct strbuf *err);

/* "./a/b/" -> "a/b" (out replaced): an archive's path as walk.h gives it. */
void verify_normalise_path(const char *raw, struct strbuf *out);

/* FILES_OK (equal), FILES_DIFFERENT (err says how many), FILES_FAILED, FILES_CANCELLED.
 * strategy is the one the archive was written with: the library's entries it leaves out
 * (files/select.h) are not compared. */
enum files_result verify_backup(const char *archive, const char *src, enum backup_strategy strategy,
                                const struct reporter *rep, struct verify_counts *counts,
                                struct strbuf *err);

#endif
