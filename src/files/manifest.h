/* The manifest written beside a backup archive (ARCHIVE.manifest): one line per entry,
 *
 *   # immich-migrate manifest 1: xxh64 size mtime type path
 *   8b5c2a9e01f3d4c7 1048576 1700000000.123456789 f upload/a b.jpg
 *
 * checksum: XXH64 (seed 0) of the content as 16 hex digits for regular files ('f'); of the
 * link target for symlinks ('l'); "-" otherwise: 'h' (another name of an earlier file, stored
 * as a hard link), 'd' directory, 'p' fifo, 'c'/'b' devices. size in bytes, mtime as seconds.nanoseconds.
 * path is relative to the library and is the rest of the line; a byte below 0x20, 0x7f and
 * the backslash are written as \xHH (so a newline in a name is \x0a), every other byte as is
 * (UTF-8 names stay readable). */
#ifndef IM_FILES_MANIFEST_H
#define IM_FILES_MANIFEST_H

#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common.h"

/* Appends path in the escaped form. */
void manifest_escape(const char *path, struct strbuf *out);
/* Reverses manifest_escape; returns 0, or -1 on a malformed escape. */
int manifest_unescape(const char *text, struct strbuf *out);

/* The type letter of a stat mode (see above; 's' for a socket). */
char manifest_type(mode_t mode);

struct manifest {
    FILE *f;
    char *partial_path;
    char *final_path;
};

/* Creates FINAL.partial (O_EXCL, 0600; a stale one is replaced). 0, or -1 + message. */
int manifest_open(struct manifest *m, const char *final_path, struct strbuf *err);
void manifest_add(struct manifest *m, const char *path, const struct stat *st, char type,
                  bool has_checksum, uint64_t checksum);
/* Flushes, fsyncs and renames to the final name. 0, or -1 + message. */
int manifest_commit(struct manifest *m, struct strbuf *err);
/* Removes the partial file (after a failure). */
void manifest_abort(struct manifest *m);

/* The totals a manifest lists: regular files ('f' and their other names 'h') and the bytes of
 * the 'f' entries' content, for progress. 0, or -1 when it cannot be read (no message: the
 * totals are only a help). */
int manifest_totals(const char *path, uint64_t *files, uint64_t *bytes);

#endif
