/* copy SRC DST: an exact copy of the library (what backup keeps: content, modes, owners when
 * run as root, times with nanoseconds, symlinks as symlinks, hard links, dot-files, empty
 * directories; not extended attributes or ACLs). The source is only read (O_NOATIME).
 *
 * Resumable: each file is written under a fresh temporary name
 * (.immich-migrate.XXXXXXXXXXXX.partial, never an existing one) in its directory and renamed
 * when complete, so a name in DST always holds a whole file; a rerun skips files whose size
 * and mtime already match and re-copies the interrupted one. Each regular file is first cloned
 * (ioctl FICLONE: btrfs, XFS with reflink=1, shares the source's blocks), else copied with
 * copy_file_range (a file whose extents are then all shared, FIEMAP, was cloned by it: XFS
 * does so), else by read/write. Afterwards everything is synced and verified: every
 * entry compared with the source (metadata, and content byte for byte except for files this
 * run cloned, whose content is the source's by construction); entries only in DST are
 * reported as warnings. SRC and DST the same directory: nothing to do.
 * Before it starts, DST's file system must have room for the source's files less what an
 * earlier run already copied. */
#ifndef IM_FILES_COPY_H
#define IM_FILES_COPY_H

#include "common.h"
#include "report.h"
#include "files/fsutil.h"
#include "files/select.h"

struct copy_options {
    /* Afterwards, compare DST with SRC (default); when live, instead read DST's copies back
     * from the disk against the record's hashes (copy_readback). */
    bool verify;
    bool space_check; /* refuse to start without room for what is not copied yet (default) */
    /* The copy record (files/copy_record.h) to follow and renew, NULL for none. With one, a
     * file is skipped only when the record says this very source state (size, mtime, ctime)
     * was copied and DST still holds that copy; entries the record names whose source
     * vanished are removed from DST; nothing else in DST is removed. Without one, a file is
     * skipped when DST has one of the same size and mtime. */
    const char *record;
    /* The source is in use (Immich runs): a file that changes while read is copied as read
     * and recorded as untrusted, one that vanishes is passed over, so a later run with the
     * record (the catch-up, after the stop) makes DST exact. With verify, the copies are
     * read back against the record (copy_readback), not compared with the moving source. */
    bool live;
    /* Also write ARCHIVE (a backup archive with ARCHIVE.manifest, as backup writes, NULL for
     * none) from the very bytes the copy reads: the source is read once. A file's header is
     * written once it is open; files the copy does not read (cloned, or already copied by an
     * earlier run) are read for the archive alone; a file that grows or shrinks while read
     * keeps its header's size (cut, or padded with zeros: its record ctime is then
     * untrusted, so the catch-up archives it again). archive_strategy's exclusions apply to
     * the archive only. With a record, ARCHIVE.record (0600) keeps the record as it was when
     * the archive was completed: `backup --since` takes it for the catch-up. A killed run
     * writes the whole archive again. */
    const char *archive;
    enum backup_strategy archive_strategy;
    int archive_level, archive_threads; /* zstd level, workers (backup_options_init's) */
};

/* The DST files (device, inode) a run cloned (FICLONE, or shared extents after
 * copy_file_range), for copy_verify to trust. */
struct clone_set {
    struct clone_id {
        dev_t dev;
        ino_t ino;
        bool seen; /* copy_verify: counted once, whatever its number of names */
    } * ids;
    size_t count, cap;
    bool sorted;
};

void clone_set_add(struct clone_set *s, dev_t dev, ino_t ino);
/* The entry of (dev, ino), or NULL when that file was not cloned. */
struct clone_id *clone_set_find(struct clone_set *s, dev_t dev, ino_t ino);
void clone_set_free(struct clone_set *s);

struct copy_stats {
    uint64_t copied;       /* files written */
    uint64_t skipped;      /* files already complete from an earlier run */
    uint64_t bytes;        /* bytes copied (cloned + written) */
    uint64_t cloned;       /* files cloned, part of copied */
    uint64_t cloned_bytes; /* their bytes, part of bytes: no new space, nothing read */
    uint64_t removed;      /* our earlier copies removed (record: gone from the source) */
    bool same_dir;         /* SRC and DST were the same directory */
};

enum files_result copy_library(const char *src, const char *dst, const struct copy_options *o,
                               const struct reporter *rep, struct copy_stats *stats,
                               struct strbuf *err);

struct copy_record_reader;

/* Compares DST with SRC as copy promises. FILES_OK, FILES_DIFFERENT, FILES_FAILED, ...
 * compare_owner: owners are compared (they can only be kept by root). clones (NULL: none):
 * DST files whose content is not re-read (their metadata still is compared); how many were
 * trusted so is reported. record (NULL: none): the copy record, fresh from the copy; a file
 * whose source still has the recorded size, mtime and ctime is checked by reading only its
 * copy against the recorded hash (the source's content is not read), or not read at all when
 * the record marks it read back (copy_readback) and the copy still has the inode and ctime it
 * had then; files without a usable hash are compared byte for byte. */
enum files_result copy_verify(const char *src, const char *dst, bool compare_owner,
                              struct clone_set *clones, struct copy_record_reader *record,
                              const struct reporter *rep, struct strbuf *err);

/* Reads back from the disk (not the page cache) every copy the record (at record, a copy from
 * rsrc to rdst, both resolved) names with a hash and a trusted source state, unless an earlier
 * read-back marked it and it is untouched since (same inode and ctime); compares it with the
 * hash and marks it in the record (inode and ctime) when it matches, so that copy_verify, in
 * the catch-up, reads it no more. The source is not read. FILES_DIFFERENT when a copy does not
 * match (each reported, the first named in err; the record then lets the next run copy them
 * again), FILES_OK, FILES_FAILED, FILES_CANCELLED (the marks made so far are kept). */
enum files_result copy_readback(const char *record, const char *rsrc, const char *rdst,
                                const struct reporter *rep, struct strbuf *err);

#endif
