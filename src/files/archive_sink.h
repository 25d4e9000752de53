/* Writing a backup archive entry by entry (used by backup.c, which walks the library, and by
 * copy.c, which archives the very bytes it copies): a pax tar compressed with zstd, written to
 * ARCHIVE.partial on our own fd (errors keep their errno), with ARCHIVE.manifest
 * (files/manifest.h) beside it; on close the archive is fsynced, the manifest committed and
 * the archive renamed into place, its directory fsynced. Hard links are found by libarchive's
 * link resolver (the first name of a multi-link file holds the content, later ones are 'h'
 * entries), so entries must come in walk order, every name of a multi-link file included.
 *
 * A regular file's content is fed after its header; the header says the size the entry has,
 * whatever the file does meanwhile: bytes beyond it are dropped, missing ones are zeros
 * (archive_sink_end says so), so the archive stays readable and the manifest describes it. */
#ifndef IM_FILES_ARCHIVE_SINK_H
#define IM_FILES_ARCHIVE_SINK_H

#include "common.h"
#include "report.h"
#include "files/manifest.h"
#include "files/xxh64.h"

#include <sys/stat.h>

struct archive;
struct archive_entry_linkresolver;

struct archive_sink {
    const char *root; /* the library, for messages */
    char *archive, *partial;
    const struct reporter *rep;
    struct strbuf *err;
    struct strbuf said; /* libarchive's last message, control bytes escaped */
    struct archive *ar;
    struct archive_entry_linkresolver *links;
    struct manifest manifest;
    bool manifest_open;
    int out_fd;
    int write_errno;  /* errno of the first failed write to the archive */
    uint64_t written; /* bytes written to the archive */
    uint64_t flushed; /* bytes whose write-out to the disk was started */
    /* the regular file whose content is being fed */
    bool in_file;
    uint64_t left; /* bytes the header still promises */
    bool clamped;  /* more bytes were fed than the header said */
    struct xxh64_state h;
    char *path;
    struct stat st;
};

/* Refuses an archive that exists already or lies inside the library root. 0 or -1 + err. */
int archive_sink_check_path(const char *root, const char *archive, struct strbuf *err);

/* Starts ARCHIVE.partial and ARCHIVE.manifest.partial (stale ones of ours are replaced).
 * level: zstd 1..19; threads: zstd workers, 0 none. 0, or -1 with err (then call
 * archive_sink_abort). */
int archive_sink_open(struct archive_sink *s, const char *root, const char *archive, int level,
                      int threads, const struct reporter *rep, struct strbuf *err);

/* Writes the header of the entry path (relative to the root) with the stat st; link: the
 * symlink's target (symlinks only). Returns 1 when the content of a regular file must follow
 * (archive_sink_feed, then archive_sink_end), 0 when the entry is complete (the manifest has
 * its line), -1 with err. */
int archive_sink_begin(struct archive_sink *s, const char *path, const struct stat *st,
                       const char *link);

/* Content of the current file, as read; beyond the header's size it is dropped. 0 or -1. */
int archive_sink_feed(struct archive_sink *s, const void *buf, size_t n);

/* The current file's content is complete: missing bytes are written as zeros, the manifest
 * gets its line (hash of what the archive holds). *exact (may be NULL): the file gave exactly
 * the header's size. 0 or -1. */
int archive_sink_end(struct archive_sink *s, bool *exact);

/* Trailer, fsync, manifest, rename. 0 or -1 with err (then call archive_sink_abort). */
int archive_sink_close(struct archive_sink *s);

/* Removes the partial archive and manifest (after a failure or a cancel). */
void archive_sink_abort(struct archive_sink *s);

/* Frees everything (after close or abort). */
void archive_sink_free(struct archive_sink *s);

#endif
