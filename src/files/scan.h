/* The quick scan before a backup or a copy: totals for honest progress and the space check,
 * and every entry that cannot be read, found before hours of work rather than after. */
#ifndef IM_FILES_SCAN_H
#define IM_FILES_SCAN_H

#include "common.h"
#include "report.h"
#include "files/select.h"

struct scan_totals {
    uint64_t entries;      /* everything but the root */
    uint64_t files;        /* regular files (each hard-linked name counts) */
    uint64_t bytes;        /* their sizes */
    uint64_t unique_bytes; /* their sizes, a file with several names once (the space needed) */
    uint64_t problems;     /* unreadable entries, errors (each reported as a REC_ERROR) */
};

/* Returns 0, or -1 when cancelled. */
int scan_tree(const char *root, const struct reporter *rep, struct scan_totals *t);
/* The same, counting only what a backup of strategy s holds (files/select.h). */
int scan_tree_selected(const char *root, enum backup_strategy s, const struct reporter *rep,
                       struct scan_totals *t);

#endif
