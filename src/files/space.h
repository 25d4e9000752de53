/* Free space, checked before backup and copy write gigabytes: refusing at the start is better
 * than a full disk hours later. */
#ifndef IM_FILES_SPACE_H
#define IM_FILES_SPACE_H

#include "common.h"

/* Bytes available to us in the file system holding dir. 0, or -1 with a message in err. */
int space_available(const char *dir, uint64_t *avail, struct strbuf *err);

/* The size of the regular files under root, a file with several names counted once; 0 when
 * root does not exist. Never follows symlinks; unreadable parts are left out quietly (this
 * is an estimate for the space check, not a listing). */
uint64_t space_tree_bytes(const char *root);

/* What a library holds, for the space each library_backup strategy needs (files/select.h). */
struct library_size {
    uint64_t files;     /* regular files (each name counts) */
    uint64_t bytes;     /* their sizes, a file with several names once */
    uint64_t originals; /* the same for what library_backup = originals keeps */
};
/* Measures the library under root like space_tree_bytes. Returns 0, or -1 when root is not
 * a readable directory (or the walk failed at the root). */
int space_library(const char *root, struct library_size *out);

#endif
