/* Remembers the first path of every file with more than one name (dev, inode -> path), so
 * that copy makes the later names hard links, and chown sees whether all names of a file are
 * inside the tree. Holds only multi-link files. */
#ifndef IM_FILES_LINKMAP_H
#define IM_FILES_LINKMAP_H

#include <sys/types.h>

#include "common.h"

struct linkmap_slot {
    dev_t dev;
    ino_t ino;
    char *path;    /* NULL = empty slot */
    nlink_t nlink; /* linkmap_count: the link count stat gave */
    nlink_t seen;  /* linkmap_count: names seen so far */
};

struct linkmap {
    struct linkmap_slot *slots;
    size_t cap; /* a power of two */
    size_t count;
};

/* The first path seen for (dev, ino), or NULL after remembering path for it. */
const char *linkmap_first(struct linkmap *m, dev_t dev, ino_t ino, const char *path);
/* Counts one more name of (dev, ino), which has nlink names in all (the first path is
 * remembered). Returns the names seen so far, this one included. */
nlink_t linkmap_count(struct linkmap *m, dev_t dev, ino_t ino, nlink_t nlink, const char *path);
void linkmap_free(struct linkmap *m);

#endif
