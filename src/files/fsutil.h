/* Small file-system helpers shared by the library stages. */
#ifndef IM_FILES_FSUTIL_H
#define IM_FILES_FSUTIL_H

#include <sys/stat.h>

#include "common.h"

/* What the library stages return. */
enum files_result {
    FILES_OK = 0,
    FILES_FAILED = 1,
    FILES_CANCELLED = 2,
    FILES_DIFFERENT = 3, /* verify: the trees or the archive differ */
};

/* Appends root/rel for messages, control bytes and backslashes escaped as \xHH so that a
 * name with a newline stays on one line. */
void display_path(const char *root, const char *rel, struct strbuf *out);
/* libarchive's last message (it may quote file names) with control bytes escaped, kept in
 * buf (replaced). */
struct archive;
const char *archive_text(struct archive *a, struct strbuf *buf);
/* fsyncs the directory that holds path. 0, or -1 with errno. */
int fsync_parent_dir(const char *path);
/* Opens a regular file of the walk for reading without touching its atime where allowed.
 * Never blocks on a FIFO; fails with ESTALE unless it is a regular file and (want given)
 * the very file the walk stat'ed. */
int open_for_reading(int dirfd, const char *name, const struct stat *want);
/* readlinkat into out (replaced). 0 or -1 with errno. */
int read_link(int dirfd, const char *name, struct strbuf *out);
/* realpath() into a malloc'd string, or NULL with errno. */
char *resolve_path(const char *path);
/* Is inner equal to outer or below it (both resolved)? */
bool path_is_within(const char *inner, const char *outer);
/* Tests only: IMMICH_MIGRATE_TEST_FILES_DELAY_MS makes backup and copy sleep that long after
 * each chunk of at most test_chunk_limit() bytes, so a test can interrupt them mid-file. */
void test_pause(void);
size_t test_chunk_limit(size_t normal);
/* Tests only: IMMICH_MIGRATE_TEST_VERIFY_DELAY_MS makes an archive's verification sleep that
 * long after each entry, so a test can interrupt a verification that otherwise takes 1 ms. */
void test_pause_verify_entry(void);
/* The number of CPUs online (at least 1). */
int cpu_count(void);

#endif
