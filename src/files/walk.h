/* The one tree walker behind backup, verify-backup, copy and chown.
 *
 * It never follows a symlink (fstatat with AT_SYMLINK_NOFOLLOW, subdirectories opened with
 * O_NOFOLLOW|O_DIRECTORY and checked to be the directory that was stat'ed), so it never leaves
 * the root. Names may hold any byte but '/' and NUL. Children of a directory are visited in
 * byte order of their names (strcmp), so two walks of equal trees meet entries in the same
 * order (verify-backup relies on that). Memory grows with the largest directory and the depth,
 * never with the size of the tree. Every error is reported with its path; the walk goes on. */
#ifndef IM_FILES_WALK_H
#define IM_FILES_WALK_H

#include <sys/stat.h>

#include "common.h"

struct walk_entry {
    int dirfd;        /* the parent directory (open); for the root: AT_FDCWD */
    const char *name; /* name inside dirfd; for the root: the root path as given */
    const char *path; /* relative to the root ("a/b/c"); "" for the root */
    struct stat st;   /* lstat of the entry */
    int depth;        /* 0 for the root */
    int fd;           /* directories: the opened directory (valid in both callbacks), else -1 */
};

enum walk_verdict {
    WALK_CONTINUE = 0, /* go on (and descend into a directory) */
    WALK_PRUNE = 1,    /* from a pre callback on a directory: do not descend */
    WALK_STOP = 2,     /* end the walk now (cancel or fatal error) */
};

struct walk_ops {
    /* Called for every entry, the root first; for a directory before its children. */
    enum walk_verdict (*pre)(void *ud, const struct walk_entry *e);
    /* Called for a directory after its children (may be NULL). */
    enum walk_verdict (*post)(void *ud, const struct walk_entry *e);
    /* Called for every error (path relative to the root, "" = the root; err = errno);
     * may be NULL. Return WALK_STOP to end the walk. */
    enum walk_verdict (*error)(void *ud, const char *path, const char *what, int err);
    void *ud;
    /* Only the type bits of st_mode are needed for entries that are not directories: their
     * stat is skipped when readdir tells the type (st is then zero but for st_mode). */
    bool type_only;
};

/* Walks root (which may itself be reached through a symlink given on the command line: only
 * the root path is resolved). Returns the number of errors reported, or -1 when the walk was
 * stopped by a callback. */
long walk_tree(const char *root, const struct walk_ops *ops);

/* Compares two relative paths in walk order (component by component, a directory before its
 * contents). Returns <0, 0, >0. */
int walk_path_cmp(const char *a, const char *b);

/* Opens relpath beneath rootfd without following any symlink on the way; the last component
 * is opened with flags | O_NOFOLLOW. Returns an fd or -1 with errno. */
int open_beneath(int rootfd, const char *relpath, int flags);
/* lstat of relpath beneath rootfd, never following a symlink on the way. 0 or -1 with errno. */
int lstat_beneath(int rootfd, const char *relpath, struct stat *st);

#endif
