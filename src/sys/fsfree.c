#include "sys/fsfree.h"

#include <sys/statvfs.h>

int fs_available(const char *path, uint64_t *avail)
{
    struct statvfs vfs;
    if (statvfs(path, &vfs) != 0)
        return -1;
    /* f_bavail, not f_bfree: the blocks reserved for root are a safety margin, not room. */
    *avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    return 0;
}
