/* The copy record: which entries of DST a copy wrote, and the state of the source file each
 * was copied from. It lets a copy taken while Immich still runs be brought up to date after
 * the stop (the catch-up) by copying only what changed and removing only our own earlier
 * copies of what vanished from the source: an entry of DST that the record does not name is
 * never removed, the source is never written.
 *
 * A text file (0600), one line per entry in walk order (walk_path_cmp), so a copy walking the
 * source merges it in one pass with memory flat in the library's size:
 *     immich-migrate copy record 4 SRC DST          (header: resolved paths, %XX-escaped)
 *     TYPE SIZE MTIME CTIME HASH VERIFIED PATH      (TYPE f, l, d or s; times SEC.NSEC)
 * HASH is the XXH64 (16 hex digits) of the file's content as the copy read it, "-" when not
 * known (not a file, a clone, a hard link's later name, a file taken from an earlier run's
 * DST by size and mtime): it lets the verification read only the copy, never the source.
 * HASH is "=" for a file cloned from the source (FICLONE: DST's file shares the source's
 * blocks as they were in the state the line records), which needs no reading to verify.
 * VERIFIED is "-", or "INO:SEC.NSEC" when the copy was read back from the disk after it was
 * written and matched HASH: DST's file's inode and ctime then (copy_record_check), so that a
 * later verification reads again only copies touched since; for a clone, DST's file's inode
 * and ctime when the read-back found it still the clone (nothing is read). Version 1 (no
 * HASH, no VERIFIED), 2 (no VERIFIED) and 3 (no "=") records are still read, as ones without.
 * SIZE and MTIME are the copy's (the source's when it was read); CTIME the source's, 0 when
 * it cannot be trusted (the file changed while read, or so recently that a change within the
 * same clock tick would not show): such a file is copied again by the next run.
 *
 * A run reads the record at PATH and writes the new one to PATH.partial, renamed over PATH
 * when the run completes. A killed run leaves PATH.partial: the next run first merges it
 * with PATH (its lines, then PATH's lines beyond its last one), so nothing we copied is ever
 * forgotten. A record whose header names other directories is ignored. */
#ifndef IM_FILES_COPY_RECORD_H
#define IM_FILES_COPY_RECORD_H

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "common.h"
#include "report.h"

/* The copy's own state when its content was read back from the disk and matched the hash
 * (the pre-copy does so while Immich runs): a copy that still has this inode, and so this
 * ctime (which no one can set back), has not been touched since. */
struct copy_record_check {
    bool done; /* read back and matched */
    uint64_t ino;
    struct timespec ctime;
};

struct copy_record_entry {
    char type; /* 'f' regular file, 'l' symlink, 'd' directory, 's' device or FIFO */
    uint64_t size;
    struct timespec mtime, ctime; /* ctime {0, 0}: not to be trusted */
    bool hashed;                  /* hash is known (a file read by a version 2 copy) */
    bool cloned;                  /* DST's file was cloned from the source (version 4 "=") */
    uint64_t hash;                /* XXH64 of the content copied */
    struct copy_record_check verified; /* version 3; DST's file when read back */
    struct strbuf path;           /* relative to the roots, as the walk gives it */
};

struct copy_record {
    char *path, *partial;
    FILE *in;       /* the old record, NULL when there is none */
    int in_version; /* its version (1: no hashes) */
    FILE *out;      /* the new one (path.partial) */
    int srcfd, dstfd;
    struct copy_record_entry cur; /* the old record's next entry (valid while has_cur) */
    bool has_cur;
    bool handed; /* cur was handed out by copy_record_reach */
    char *line;  /* getline's buffer */
    size_t line_cap;
    struct strbuf dirs; /* vanished directories of ours waiting to be removed, '\0'-separated */
    const struct reporter *rep;
    uint64_t removed; /* our earlier copies removed */
};

/* The file name of the library's copy record in the state directory. */
#define COPY_RECORD_NAME "library-copy.record"

/* Does the record at path, or the partial one a killed run left beside it, name a copy from
 * src to dst (both resolved)? Only a regular file is read (symlinks are not followed). Lets
 * the checks accept a target that holds our own earlier (pre-)copy. */
bool copy_record_names(const char *path, const char *src, const char *dst);

/* The type letter of a stat mode ('f', 'l', 'd', 's'; '?' for a socket). */
char copy_record_type(mode_t mode);

/* Opens the record at path for a copy from src to dst (both resolved; srcfd and dstfd their
 * open roots, borrowed): makes its directory (0700) when missing, merges a killed run's partial record into it, opens it for reading
 * and starts the new partial one. 0, or -1 with err. */
int copy_record_open(struct copy_record *r, const char *path, const char *src, const char *dst,
                     int srcfd, int dstfd, const struct reporter *rep, struct strbuf *err);

/* The walk reached rel (NULL: the end). Every old entry before it that the walk did not meet
 * is settled: when the source no longer has it and DST still holds our copy (same type; for
 * files and symlinks the recorded size and mtime), the copy is removed (a directory only once
 * empty), else its line is kept. Returns the old entry for rel (valid until the next call),
 * or NULL. 0 on success, -1 with err when the new record cannot be written. */
int copy_record_reach(struct copy_record *r, const char *rel, const struct copy_record_entry **old,
                      struct strbuf *err);

/* The walk is done with the directory dir ("" the root): settles the old entries below it
 * that it did not meet, as copy_record_reach does, before the directory gets its mtime. */
int copy_record_settle_within(struct copy_record *r, const char *dir, struct strbuf *err);

/* Removes DST's entry at rel when it is our copy as old describes (used when the source's
 * entry there changed type). */
void copy_record_remove_ours(struct copy_record *r, const struct copy_record_entry *old);

/* Appends an entry to the new record; hash: the content's XXH64, NULL when unknown; flush:
 * write it out now (after a file was copied, so that a kill right after cannot lose it). 0
 * or -1 with err. */
int copy_record_put(struct copy_record *r, char type, const char *rel, uint64_t size,
                    const struct timespec *mtime, const struct timespec *ctime,
                    const uint64_t *hash, bool flush, struct strbuf *err);
/* The same for a regular file; cloned: DST's file is a clone of the source (hash NULL). */
int copy_record_put_file(struct copy_record *r, char type, const char *rel, uint64_t size,
                         const struct timespec *mtime, const struct timespec *ctime,
                         const uint64_t *hash, bool cloned, bool flush, struct strbuf *err);
/* Appends old (the entry copy_record_reach returned) unchanged. */
int copy_record_keep(struct copy_record *r, const struct copy_record_entry *old, struct strbuf *err);

/* The walk is complete: settles the rest of the old record, syncs the new one and puts it in
 * place. 0 or -1 with err. */
int copy_record_commit(struct copy_record *r, struct strbuf *err);

/* Frees r; a new record not committed stays as path.partial for the next run. */
void copy_record_close(struct copy_record *r);

/* Hands an entry of a committed record to the read-back, which may mark it verified (or
 * clear the mark, or make its ctime untrusted so the next run copies the file again). false:
 * no more (cancelled), the remaining entries are kept as they are. */
typedef bool (*copy_record_fn)(void *ud, struct copy_record_entry *e);

/* Rewrites the committed record at path (a copy from src to dst, both resolved) as the
 * current version, each entry through fn, and puts it in place (through path.readback, synced
 * and renamed). 0, or -1 with err (the record is then left as it was). */
int copy_record_rewrite(const char *path, const char *src, const char *dst, copy_record_fn fn,
                        void *ud, struct strbuf *err);

/* Reads a committed record in walk order, beside a walk of the source (the verification). */
struct copy_record_reader {
    FILE *in;
    int version;
    struct copy_record_entry cur;
    bool has_cur;
    char *line;
    size_t line_cap;
};

/* Opens the record at path when its header names a copy from src to dst (both resolved;
 * dst NULL: to any DST). 0; -1 when there is no such record (r then finds nothing). */
int copy_record_reader_open(struct copy_record_reader *r, const char *path, const char *src,
                            const char *dst);

/* The record's entry for rel, or NULL; rel must come in walk order (walk_path_cmp). Valid
 * until the next call. A damaged line ends the reading (nothing more is found). */
const struct copy_record_entry *copy_record_lookup(struct copy_record_reader *r, const char *rel);

void copy_record_reader_close(struct copy_record_reader *r);

#endif
