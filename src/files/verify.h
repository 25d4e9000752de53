/* verify-backup: reads an archive back and compares every entry with the library: type,
 * mode, owner, mtime, size, content (byte for byte), symlink target, hard links. Reports
 * each entry only in the archive, only in the library, or different (REC_ERROR records).
 *
 * Memory stays flat: the archive is read in the order backup writes it (walk order), so the
 * comparison is a merge of two sorted streams. An archive in another order is refused. */
#ifndef IM_FILES_VERIFY_H
#define IM_FILES_VERIFY_H

#include "common.h"
#include "report.h"
#include "files/fsutil.h"
#include "files/select.h"

struct verify_counts {
    uint64_t compared;
    uint64_t only_in_archive;
    uint64_t only_in_library;
    uint64_t different;
};

/* FILES_OK (equal), FILES_DIFFERENT (err says how many), FILES_FAILED, FILES_CANCELLED.
 * strategy is the one the archive was written with: the library's entries it leaves out
 * (files/select.h) are not compared. */
enum files_result verify_backup(const char *archive, const char *src, enum backup_strategy strategy,
                                const struct reporter *rep, struct verify_counts *counts,
                                struct strbuf *err);

#endif
