/* Reading a backup's manifest (files/manifest.h) back, one entry at a time, checking the
 * manifest itself on the way: its header, each line's fields, and (version 2) that the end
 * line is there and matches the entries and the checksum of what came before it. Memory is
 * one line. */
#ifndef IM_FILES_MANIFEST_READ_H
#define IM_FILES_MANIFEST_READ_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common.h"
#include "files/xxh64.h"

struct manifest_entry {
    char type;         /* 'f', 'h', 'l', 'd', 'p', 'c', 'b' */
    bool has_checksum; /* false for "-" */
    uint64_t checksum;
    uint64_t size;
    int64_t mtime_sec;
    long mtime_nsec;
    bool has_owner; /* version 2: mode, uid and gid are known */
    mode_t mode;    /* permission bits */
    uid_t uid;
    gid_t gid;
    const char *path; /* unescaped, valid until the next manifest_next() */
};

struct manifest_reader {
    FILE *f;
    char *path_shown; /* the manifest's file name, for messages */
    int version;      /* 1 or 2 */
    struct xxh64_state sum;
    uint64_t entries;
    unsigned long line_no;
    char *line;
    size_t cap;
    struct strbuf name;
};

/* Opens the manifest (a regular file, never through a symlink) and reads its header.
 * 0, or -1 + message (missing, unreadable, not a manifest). */
int manifest_reader_open(struct manifest_reader *r, const char *path, struct strbuf *err);
/* The next entry: 1 (e filled), 0 at a good end, -1 + message (a malformed line, no end
 * line, an end line that does not match). */
int manifest_next(struct manifest_reader *r, struct manifest_entry *e, struct strbuf *err);
void manifest_reader_close(struct manifest_reader *r);

#endif
