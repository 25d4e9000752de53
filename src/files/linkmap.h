/* Remembers the first path of every file with more than one name (dev, inode -> path), so
 * that copy makes the later names hard links. Holds only multi-link files. */
#ifndef IM_FILES_LINKMAP_H
#define IM_FILES_LINKMAP_H

#include <sys/types.h>

#include "common.h"

struct linkmap_slot {
    dev_t dev;
    ino_t ino;
    char *path; /* NULL = empty slot */
};

struct linkmap {
    struct linkmap_slot *slots;
    size_t cap;   /* a power of two */
    size_t count;
};

/* The first path seen for (dev, ino), or NULL after remembering path for it. */
const char *linkmap_first(struct linkmap *m, dev_t dev, ino_t ino, const char *path);
void linkmap_free(struct linkmap *m);

#endif
