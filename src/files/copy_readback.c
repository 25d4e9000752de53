/* The read-back (issue 12): the pre-copy checks its own copy while Immich still runs, so that
 * the catch-up after the stop reads only what changed since. Every copy the record names with
 * a hash is read from DST (never the source) and compared with the XXH64 taken while copying;
 * a match is marked in the record with the copy's inode and ctime, so that the catch-up can
 * tell the copy has not been touched since. A clone (btrfs, XFS with reflink) shares the
 * source's blocks and needs no reading, as in copy's own verification: it is marked the same
 * way when DST's file is still the clone, so the catch-up does not read it either. */
#include "common.h"
#include "files/copy.h"
#include "files/copy_record.h"
#include "files/meter.h"
#include "files/walk.h"
#include "files/xxh64.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READBACK_BUFFER (1u << 20)

struct readback_job {
    int dstfd;
    const struct reporter *rep;
    unsigned char *buf;
    struct meter meter;
    uint64_t read, read_bytes;     /* copies read back now and found right */
    uint64_t kept, kept_bytes;     /* read back by an earlier run, untouched since */
    uint64_t clones, clone_bytes;  /* clones marked without reading */
    uint64_t bad;                  /* copies that differ from their hash */
    struct strbuf first_bad;       /* the first of them, for the error */
    bool cancelled;
};

static bool same_time(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool is_zero(const struct timespec *t)
{
    return t->tv_sec == 0 && t->tv_nsec == 0;
}

/* Is st (DST's file) still the copy e describes (a regular file of its size and mtime)? */
static bool is_the_copy(const struct copy_record_entry *e, const struct stat *st)
{
    return S_ISREG(st->st_mode) && (uint64_t)st->st_size == e->size &&
           same_time(&st->st_mtim, &e->mtime);
}

/* Was the copy st read back by an earlier run and left untouched since (same inode, same
 * ctime: writing into it, or setting its times back, moves the ctime)? */
static bool still_verified(const struct copy_record_check *mark, const struct stat *st)
{
    return mark->done && mark->ino == (uint64_t)st->st_ino && same_time(&mark->ctime, &st->st_ctim);
}

/* Is ctime at least a whole second before t? A write within the clock tick that set the
 * ctime would not move it: only a copy whose ctime is older than the read can be marked. */
static bool older_than_a_second(const struct timespec *ctime, const struct timespec *t)
{
    return ctime->tv_sec < t->tv_sec - 1 ||
           (ctime->tv_sec == t->tv_sec - 1 && ctime->tv_nsec < t->tv_nsec);
}

/* Sets *now to the clock, first waiting (at most a second, and only for the copies this run
 * just wrote) until ctime is old enough for the copy to be marked (older_than_a_second). */
static void let_ctime_age(const struct timespec *ctime, struct timespec *now)
{
    clock_gettime(CLOCK_REALTIME, now);
    if (older_than_a_second(ctime, now))
        return;
    int64_t wait_ns = (int64_t)(ctime->tv_sec + 1 - now->tv_sec) * 1000000000 +
                      (ctime->tv_nsec - now->tv_nsec) + 10 * 1000 * 1000;
    if (wait_ns > 1100 * 1000 * 1000)
        wait_ns = 1100 * 1000 * 1000; /* a ctime in the future (the clock was set back) */
    struct timespec rest = {(time_t)(wait_ns / 1000000000), (long)(wait_ns % 1000000000)};
    while (nanosleep(&rest, &rest) != 0 && errno == EINTR)
        ;
    clock_gettime(CLOCK_REALTIME, now);
}

/* The XXH64 of fd's content, read from the disk. -1 with errno on a read error. */
static int hash_from_disk(struct readback_job *j, int fd, const char *path, uint64_t *hash)
{
    /* The copy's pages are still in the page cache, where the copy left them: reading them
     * would check memory, not what reached the disk. posix_fadvise(DONTNEED) drops only clean
     * pages, so the file is first written out (fdatasync, cheap after the syncfs); then the
     * read below comes from the disk. */
    if (fdatasync(fd) != 0)
        return -1;
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    struct xxh64_state h;
    xxh64_init(&h, 0);
    ssize_t n;
    while ((n = read(fd, j->buf, READBACK_BUFFER)) > 0 || (n < 0 && errno == EINTR)) {
        if (n <= 0)
            continue;
        xxh64_update(&h, j->buf, (size_t)n);
        j->meter.bytes_done += (uint64_t)n;
        meter_tick(&j->meter, path, false);
    }
    if (n < 0)
        return -1;
    /* what we read need not stay cached: the library is larger than the memory */
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    *hash = xxh64_final(&h);
    return 0;
}

/* The copy of e differs from its hash: the error names it, and its record line loses its
 * trusted ctime and hash, so that the next run copies the file again. */
static void found_bad(struct readback_job *j, struct copy_record_entry *e, const char *why)
{
    struct strbuf shown = {0};
    display_path("", sb_str(&e->path), &shown);
    report_msg(j->rep, REC_ERROR, _("the copy of %s does not match what was copied (%s)"),
               sb_str(&shown), why);
    if (!j->bad++)
        sb_append(&j->first_bad, sb_str(&shown));
    sb_free(&shown);
    e->ctime = (struct timespec){0, 0};
    e->hashed = false;
}

/* A clone (st: DST's file, still the copy of e): marked with its inode and ctime once the
 * ctime is old enough that a later change would move it; nothing is read. */
static void mark_clone(struct readback_job *j, struct copy_record_entry *e, const struct stat *st)
{
    struct timespec now;
    let_ctime_age(&st->st_ctim, &now);
    struct stat after;
    if (lstat_beneath(j->dstfd, sb_str(&e->path), &after) != 0 || after.st_ino != st->st_ino ||
        !is_the_copy(e, &after) || !same_time(&after.st_ctim, &st->st_ctim) ||
        !older_than_a_second(&after.st_ctim, &now))
        return; /* touched meanwhile: the catch-up compares it with the source */
    e->verified = (struct copy_record_check){
        .done = true, .ino = (uint64_t)after.st_ino, .ctime = after.st_ctim};
    j->clones++;
    j->clone_bytes += e->size;
    j->meter.files_done++;
    j->meter.bytes_done += e->size;
}

/* Reads back the copy of one entry (copy_record_fn). */
static bool readback_entry(void *ud, struct copy_record_entry *e)
{
    struct readback_job *j = ud;
    if (report_cancelled(j->rep)) {
        j->cancelled = true;
        return false;
    }
    struct copy_record_check mark = e->verified;
    e->verified = (struct copy_record_check){0};
    /* Not read: entries without a hash (the catch-up compares them with the source) and
     * files whose source changed while copied (untrusted ctime: the catch-up copies them). */
    if (e->type != 'f' || !(e->hashed || e->cloned) || is_zero(&e->ctime))
        return true;
    struct stat before, after;
    if (lstat_beneath(j->dstfd, sb_str(&e->path), &before) != 0 || !is_the_copy(e, &before))
        return true; /* gone or changed in DST: the catch-up copies it again */
    if (still_verified(&mark, &before)) { /* not even opened */
        e->verified = mark;
        j->kept++;
        j->kept_bytes += e->size;
        return true;
    }
    if (e->cloned) {
        mark_clone(j, e, &before);
        return true;
    }
    int fd = open_beneath(j->dstfd, sb_str(&e->path), O_RDONLY | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &before) != 0 || !is_the_copy(e, &before)) {
        if (fd >= 0)
            close(fd);
        return true;
    }
    struct timespec started;
    let_ctime_age(&before.st_ctim, &started);
    uint64_t hash;
    if (hash_from_disk(j, fd, sb_str(&e->path), &hash) != 0) {
        found_bad(j, e, strerror(errno));
    } else if (hash != e->hash) {
        found_bad(j, e, _("content"));
    } else if (fstat(fd, &after) == 0 && after.st_ino == before.st_ino &&
               is_the_copy(e, &after) && same_time(&after.st_ctim, &before.st_ctim) &&
               older_than_a_second(&after.st_ctim, &started)) {
        e->verified = (struct copy_record_check){
            .done = true, .ino = (uint64_t)after.st_ino, .ctime = after.st_ctim};
    }
    if (e->hashed) {
        j->read++;
        j->read_bytes += e->size;
    }
    j->meter.files_done++;
    close(fd);
    return true;
}

static void report_readback(const struct readback_job *j)
{
    struct strbuf read = {0}, kept = {0}, clones = {0};
    format_bytes(j->read_bytes, &read);
    format_bytes(j->kept_bytes, &kept);
    report_msg(j->rep, REC_MESSAGE,
               _("read back %llu copied files (%s) from the disk: each matches the hash taken "
                 "while copying it; %llu (%s) read back earlier and untouched since"),
               (unsigned long long)j->read, sb_str(&read), (unsigned long long)j->kept,
               sb_str(&kept));
    if (j->clones) {
        format_bytes(j->clone_bytes, &clones);
        report_msg(j->rep, REC_MESSAGE,
                   _("%llu files (%s) are clones of the source (they share its blocks): not read, "
                     "marked as they are now"),
                   (unsigned long long)j->clones, sb_str(&clones));
    }
    sb_free(&read);
    sb_free(&kept);
    sb_free(&clones);
}

enum files_result copy_readback(const char *record, const char *rsrc, const char *rdst,
                                const struct reporter *rep, struct strbuf *err)
{
    struct readback_job j = {.rep = rep};
    j.dstfd = open(rdst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (j.dstfd < 0) {
        sb_printf(err, _("cannot open %s: %s"), rdst, strerror(errno));
        return FILES_FAILED;
    }
    report_msg(rep, REC_MESSAGE, _("Reading back the copy %s from the disk against its record ..."),
               rdst);
    j.buf = xmalloc(READBACK_BUFFER);
    meter_start(&j.meter, rep, "bytes", 0, 0);
    int rc = copy_record_rewrite(record, rsrc, rdst, readback_entry, &j, err);
    meter_tick(&j.meter, NULL, true);
    close(j.dstfd);
    enum files_result r = FILES_OK;
    if (rc != 0) {
        r = FILES_FAILED;
    } else if (j.cancelled) {
        r = FILES_CANCELLED;
    } else if (j.bad) {
        sb_printf(err,
                  ngettext("the copy of %s does not match what was copied (%llu file in all); "
                           "the next run copies it again",
                           "the copy of %s does not match what was copied (%llu files in all); "
                           "the next run copies them again",
                           (unsigned long)j.bad),
                  sb_str(&j.first_bad), (unsigned long long)j.bad);
        r = FILES_DIFFERENT;
    } else {
        report_readback(&j);
    }
    sb_free(&j.first_bad);
    meter_free(&j.meter);
    free(j.buf);
    return r;
}
