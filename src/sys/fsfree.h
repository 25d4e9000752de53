/* Free space of a file system. */
#ifndef IM_SYS_FSFREE_H
#define IM_SYS_FSFREE_H

#include <stdint.h>

/* Bytes available to us (not root's reserve) in the file system holding path. Returns 0, or
 * -1 with errno set. */
int fs_available(const char *path, uint64_t *avail);

#endif
