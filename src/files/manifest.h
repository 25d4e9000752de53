/* The manifest written beside a backup archive (ARCHIVE.manifest): one line per entry, in
 * the archive's order, and an end line:
 *
 *   # immich-migrate manifest 2: xxh64 size mtime type mode uid gid path
 *   8b5c2a9e01f3d4c7 1048576 1700000000.123456789 f 644 1000 1000 upload/a b.jpg
 *   # end 1 0c3e5a7b9d1f2e4a
 *
 * checksum: XXH64 (seed 0) of the content as 16 hex digits for regular files ('f'); of the
 * link target for symlinks ('l'); of the earlier name for 'h' (another name of an earlier
 * file, stored as a hard link); "-" otherwise: 'd' directory, 'p' fifo, 'c'/'b' devices.
 * size in bytes, mtime as seconds.nanoseconds, mode the permission bits in octal, uid and
 * gid numeric. path is relative to the library and is the rest of the line; a byte below
 * 0x20, 0x7f and the backslash are written as \xHH (so a newline in a name is \x0a), every
 * other byte as is (UTF-8 names stay readable). The end line gives the number of entries and
 * the XXH64 of every byte before it: a truncated or edited manifest is told from a good one.
 * Version 1 (before owners and the end line) had no mode, uid, gid, end line, nor checksum
 * for 'h'; the reader (manifest_read.h) still takes it. */
#ifndef IM_FILES_MANIFEST_H
#define IM_FILES_MANIFEST_H

#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common.h"
#include "files/xxh64.h"

/* The first line of a manifest of version 2 (without its newline). */
#define MANIFEST_HEADER_2 "# immich-migrate manifest 2: xxh64 size mtime type mode uid gid path"

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
    struct xxh64_state sum; /* of everything written, for the end line */
    uint64_t entries;
};

/* Creates FINAL.partial (O_EXCL, 0600; a stale one is replaced). 0, or -1 + message. */
int manifest_open(struct manifest *m, const char *final_path, struct strbuf *err);
/* Adds one entry: type as above, checksum as above (has_checksum false: "-"). */
void manifest_add(struct manifest *m, const char *path, const struct stat *st, char type,
                  bool has_checksum, uint64_t checksum);
/* Writes the end line, flushes, fsyncs and renames to the final name. 0, or -1 + message. */
int manifest_commit(struct manifest *m, struct strbuf *err);
/* Removes the partial file (after a failure). */
void manifest_abort(struct manifest *m);

/* The totals a manifest lists: regular files ('f' and their other names 'h') and the bytes of
 * the 'f' entries' content, for progress. 0, or -1 when it cannot be read (no message: the
 * totals are only a help). */
int manifest_totals(const char *path, uint64_t *files, uint64_t *bytes);

#endif
