/* Comparing two entries' metadata: what backup and copy promise to keep. */
#ifndef IM_FILES_COMPARE_H
#define IM_FILES_COMPARE_H

#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "sys/fdio.h"
#include "common.h"

struct entry_meta {
    mode_t mode; /* type and permission bits */
    uid_t uid;
    gid_t gid;
    int64_t size; /* regular files only */
    struct timespec mtime;
    const char *link; /* symlink target, else NULL */
};

void meta_from_stat(struct entry_meta *m, const struct stat *st, const char *link);
/* Appends the names of the differing fields ("type", "mode", "owner", "size", "mtime",
 * "link target"), comma separated; appends nothing when equal. Directory sizes and symlink
 * modes are not compared (they depend on the file system). */
void meta_compare(const struct entry_meta *want, const struct entry_meta *have, struct strbuf *why);
/* Reads up to len bytes, fewer only at the end of the file. -1 with errno on error. */

/* Reads both fds to the end and compares the bytes. 1 equal, 0 different, -1 error (errno). */
int content_equal(int fd_a, int fd_b, unsigned char *buf_a, unsigned char *buf_b, size_t buflen);

#endif
