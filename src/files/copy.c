#include "common.h"
#include "files/archive_sink.h"
#include "files/copy.h"
#include "files/copy_record.h"
#include "files/linkmap.h"
#include "files/meter.h"
#include "files/scan.h"
#include "files/space.h"
#include "files/walk.h"
#include "files/xxh64.h"
#include "sys/safepath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK (8u << 20)
#define COPY_BUFFER (1u << 20)

struct copy_job {
    const char *src, *dst;
    const struct reporter *rep;
    struct strbuf *err;
    struct copy_stats *stats;
    const struct copy_options *o;
    struct copy_record rec;              /* when o->record */
    const struct copy_record_entry *old; /* the record's entry for the current path, or NULL */
    int *dstfds; /* the DST directory matching the source directory at each depth */
    size_t dstfds_cap;
    struct linkmap links;
    struct clone_set clones; /* DST files cloned in this run */
    struct meter meter;
    unsigned char *buf;
    struct strbuf target;
    struct archive_sink sink; /* when o->archive */
    bool feeding;             /* copy_data feeds what it reads to the sink */
    bool cancelled;
    bool try_clone;   /* FICLONE (IMMICH_MIGRATE_TEST_NO_FICLONE=1 turns it off for tests) */
    bool owners_lost; /* not root: owners could not be kept (warned once) */
    size_t chunk;
};

static void fail_at(struct copy_job *j, const char *root, const char *path, const char *what, int errnum)
{
    if (j->err->len)
        return;
    struct strbuf shown = {0};
    display_path(root, path, &shown);
    sb_printf(j->err, "%s %s: %s", what, sb_str(&shown), strerror(errnum));
    sb_free(&shown);
}

/* ---- metadata ---- */

static int set_owner(struct copy_job *j, int dirfd, const char *name, int fd, const struct stat *st)
{
    int rc = fd >= 0 ? fchown(fd, st->st_uid, st->st_gid)
                     : fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);
    if (rc == 0)
        return 0;
    if (errno == EPERM && geteuid() != 0) {
        if (!j->owners_lost)
            report_msg(j->rep, REC_WARNING, _("not running as root: owners are not kept"));
        j->owners_lost = true;
        return 0;
    }
    return -1;
}

/* Owner, mode, times of an open fd (files, directories). Owner first: it clears set-id bits. */
static int set_meta_fd(struct copy_job *j, int fd, const struct stat *st)
{
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    if (set_owner(j, -1, NULL, fd, st) != 0 || fchmod(fd, st->st_mode & 07777) != 0 ||
        futimens(fd, times) != 0)
        return -1;
    return 0;
}

/* ---- temporary names ---- */

/* Files are written under a fresh random name ".immich-migrate.XXXXXXXXXXXX.partial" (created
 * with O_EXCL, so never an existing entry) and renamed when complete. A library file of that
 * form is copied like any other: leftovers are removed only when SRC has no such name. */
#define PARTIAL_PREFIX ".immich-migrate."
#define PARTIAL_SUFFIX ".partial"
#define PARTIAL_RANDOM 12
#define PARTIAL_SIZE (sizeof PARTIAL_PREFIX - 1 + PARTIAL_RANDOM + sizeof PARTIAL_SUFFIX)

static const char partial_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";

static void partial_name(char name[PARTIAL_SIZE])
{
    unsigned char r[PARTIAL_RANDOM];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        static unsigned long counter;
        unsigned long x = (unsigned long)getpid() * 2654435761u ^ (unsigned long)time(NULL) ^ ++counter;
        for (size_t i = 0; i < sizeof r; i++, x = x * 6364136223846793005u + 1442695040888963407u)
            r[i] = (unsigned char)(x >> 33);
    }
    char *p = name + sizeof PARTIAL_PREFIX - 1;
    memcpy(name, PARTIAL_PREFIX, sizeof PARTIAL_PREFIX - 1);
    for (size_t i = 0; i < PARTIAL_RANDOM; i++)
        *p++ = partial_chars[r[i] % (sizeof partial_chars - 1)];
    memcpy(p, PARTIAL_SUFFIX, sizeof PARTIAL_SUFFIX);
}

static bool is_partial_name(const char *name)
{
    size_t pre = sizeof PARTIAL_PREFIX - 1;
    if (strlen(name) != PARTIAL_SIZE - 1 || strncmp(name, PARTIAL_PREFIX, pre) != 0 ||
        strcmp(name + pre + PARTIAL_RANDOM, PARTIAL_SUFFIX) != 0)
        return false;
    return strspn(name + pre, partial_chars) >= PARTIAL_RANDOM;
}

/* Creates a new empty 0600 file under a fresh temporary name (in name). fd or -1. */
static int create_partial(int pfd, char name[PARTIAL_SIZE])
{
    for (int tries = 0; tries < 100; tries++) {
        partial_name(name);
        int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

/* Removes what an interrupted run left in the DST directory dstfd: entries named like our
 * temporaries that the SRC directory srcfd does not have. Never a directory. */
static void remove_stale_partials(int dstfd, int srcfd)
{
    int dup = fcntl(dstfd, F_DUPFD_CLOEXEC, 0);
    DIR *dir = dup >= 0 ? fdopendir(dup) : NULL;
    if (!dir) {
        if (dup >= 0)
            close(dup);
        return;
    }
    struct dirent *d;
    struct stat st;
    while ((d = readdir(dir)))
        if (is_partial_name(d->d_name) &&
            fstatat(srcfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT &&
            fstatat(dstfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
            unlinkat(dstfd, d->d_name, 0);
    closedir(dir);
}

/* ---- content ---- */

/* Clones in into out (FICLONE: out shares in's blocks, no data read or written). Returns the
 * size cloned, -1 when the file system cannot (another fs, no reflink, ...: out is left
 * empty for the copy), -2 with errno when out cannot be emptied again. */
static int64_t clone_data(struct copy_job *j, int in, int out, const char *path)
{
    struct stat st;
    if (!j->try_clone || ioctl(out, FICLONE, in) != 0 || fstat(out, &st) != 0) {
        if (ftruncate(out, 0) != 0) /* nothing should be there; never keep a part */
            return -2;
        return -1;
    }
    j->meter.bytes_done += (uint64_t)st.st_size;
    j->stats->bytes += (uint64_t)st.st_size;
    j->stats->cloned_bytes += (uint64_t)st.st_size;
    meter_tick(&j->meter, path, false);
    return st.st_size;
}

/* Copies in -> out. Returns bytes copied, or -1 with errno. Kernel copy where possible, but
 * when hash is given: then the data passes through our buffer and *hash gets its XXH64 (the
 * record keeps it, so that the verification reads the copy only, never the source again). */
static int64_t copy_data(struct copy_job *j, int in, int out, const char *path, uint64_t *hash)
{
    int64_t total = 0;
    bool kernel = !hash && !j->feeding;
    struct xxh64_state h;
    xxh64_init(&h, 0);
    for (;;) {
        ssize_t n;
        if (kernel) {
            n = copy_file_range(in, NULL, out, NULL, j->chunk, 0);
            if (n < 0 && total == 0 &&
                (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
                 errno == EBADF)) {
                kernel = false;
                continue;
            }
        } else {
            n = read(in, j->buf, j->chunk < COPY_BUFFER ? j->chunk : COPY_BUFFER);
            if (n > 0 && hash)
                xxh64_update(&h, j->buf, (size_t)n);
            if (n > 0 && j->feeding && archive_sink_feed(&j->sink, j->buf, (size_t)n) != 0) {
                errno = EIO; /* the sink's message is in err already */
                return -1;
            }
            if (n > 0) {
                for (ssize_t done = 0; done < n;) {
                    ssize_t w = write(out, j->buf + done, (size_t)(n - done));
                    if (w < 0 && errno == EINTR)
                        continue;
                    if (w < 0)
                        return -1;
                    done += w;
                }
            }
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            if (hash)
                *hash = xxh64_final(&h);
            return total;
        }
        total += n;
        j->meter.bytes_done += (uint64_t)n;
        j->stats->bytes += (uint64_t)n;
        if (report_cancelled(j->rep)) {
            j->cancelled = true;
            errno = ECANCELED;
            return -1;
        }
        test_pause();
        meter_tick(&j->meter, path, false);
    }
}

/* Whether every extent of fd (size bytes, not empty) is shared (FIEMAP_EXTENT_SHARED): the
 * file system cloned it during copy_file_range (XFS with reflink does, NFS 4.2 can). Only a
 * fresh file that copy_file_range filled from the source is asked, so shared blocks are the
 * source's. Delayed (unwritten yet) extents are not shared: written data never counts. */
static bool all_shared(int fd, int64_t size)
{
    enum { EXTENTS = 32 };
    union {
        struct fiemap map;
        unsigned char room[sizeof(struct fiemap) + EXTENTS * sizeof(struct fiemap_extent)];
    } u;
    uint64_t pos = 0;
    if (size <= 0)
        return false;
    for (;;) {
        memset(&u, 0, sizeof u);
        u.map.fm_start = pos;
        u.map.fm_length = FIEMAP_MAX_OFFSET - pos;
        u.map.fm_extent_count = EXTENTS;
        if (ioctl(fd, FS_IOC_FIEMAP, &u.map) != 0 || u.map.fm_mapped_extents == 0)
            return false;
        for (uint32_t i = 0; i < u.map.fm_mapped_extents; i++) {
            const struct fiemap_extent *x = &u.map.fm_extents[i];
            if (!(x->fe_flags & FIEMAP_EXTENT_SHARED))
                return false;
            pos = x->fe_logical + x->fe_length;
            if (x->fe_flags & FIEMAP_EXTENT_LAST || pos >= (uint64_t)size)
                return true;
        }
    }
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* ---- the archive (o->archive) ---- */

static bool archived(const struct copy_job *j, const struct walk_entry *e)
{
    return j->o->archive && !backup_excludes(j->o->archive_strategy, e->path, e->depth);
}

/* Has the file in (opened for e) changed since the walk's stat? */
static bool changed_since(int in, const struct walk_entry *e)
{
    struct stat now;
    return fstat(in, &now) != 0 || now.st_size != e->st.st_size ||
           !same_time(&now.st_mtim, &e->st.st_mtim) || !same_time(&now.st_ctim, &e->st.st_ctim);
}

/* Feeds the content of in (from its start, up to the header's size) to the sink and ends the
 * entry; *exact: the archive holds the file as the walk saw it. 0 or -1 with err. */
static int archive_read_alone(struct copy_job *j, int in, const struct walk_entry *e, bool *exact)
{
    uint64_t size = (uint64_t)e->st.st_size;
    off_t off = 0;
    /* one byte beyond the size tells a file that grew (the sink drops it) */
    while ((uint64_t)off <= size) {
        size_t step = j->chunk < COPY_BUFFER ? j->chunk : COPY_BUFFER;
        uint64_t want = size - (uint64_t)off < step ? size - (uint64_t)off + 1 : step;
        ssize_t n = pread(in, j->buf, (size_t)want, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fail_at(j, j->src, e->path, _("cannot read"), errno);
            return -1;
        }
        if (n == 0)
            break;
        if (archive_sink_feed(&j->sink, j->buf, (size_t)n) != 0)
            return -1;
        off += n;
        if (report_cancelled(j->rep)) {
            j->cancelled = true;
            return -1;
        }
        test_pause();
    }
    if (archive_sink_end(&j->sink, exact) != 0)
        return -1;
    if (changed_since(in, e))
        *exact = false;
    return 0;
}

/* Archives an entry whose content the copy does not read: a directory, a symlink (link: its
 * target), a device or FIFO, a later name of a file with several, a file already copied.
 * *exact (may be NULL): false when a file changed or vanished meanwhile. 0 or -1 with err. */
static int archive_other(struct copy_job *j, const struct walk_entry *e, const char *link, bool *exact)
{
    bool ignored;
    if (!exact)
        exact = &ignored;
    *exact = true;
    if (!archived(j, e))
        return 0;
    int in = -1;
    if (S_ISREG(e->st.st_mode)) {
        in = open_for_reading(e->dirfd, e->name, &e->st);
        if (in < 0 && j->o->live && (errno == ENOENT || errno == ESTALE)) {
            *exact = false; /* gone or replaced (Immich runs): the catch-up archives it */
            return 0;
        }
        if (in < 0) {
            fail_at(j, j->src, e->path, _("cannot open"), errno);
            return -1;
        }
    }
    int r = archive_sink_begin(&j->sink, e->path, &e->st, link);
    if (r == 1)
        r = archive_read_alone(j, in, e, exact);
    if (in >= 0)
        close(in);
    return r < 0 ? -1 : 0;
}

/* Is DST's file (have) a complete copy of e? Without a record (or before the first one is
 * written): same size and mtime (only whole files ever get the name). With one: the record says this very source state was
 * copied (a trusted ctime included) and DST still holds that copy. */
static bool already_copied(const struct copy_job *j, const struct walk_entry *e, const struct stat *have)
{
    if (!S_ISREG(have->st_mode) || have->st_size != e->st.st_size ||
        !same_time(&have->st_mtim, &e->st.st_mtim))
        return false;
    if (!j->o->record || !j->rec.in)
        return true; /* no record yet: the first run takes what is there by size and mtime */
    const struct copy_record_entry *old = j->old;
    return old && old->type == 'f' && old->size == (uint64_t)e->st.st_size &&
           same_time(&old->mtime, &e->st.st_mtim) && same_time(&old->ctime, &e->st.st_ctim) &&
           (old->ctime.tv_sec || old->ctime.tv_nsec);
}

/* The source's ctime to record for a file just copied from in, or zero when it cannot be
 * trusted: the file changed while read, or its ctime is so recent (started: the clock before
 * the copy) that a change within the same clock tick would not have moved it. */
static struct timespec trusted_ctime(int in, const struct stat *was, const struct timespec *started)
{
    struct stat now;
    struct timespec none = {0, 0};
    if (fstat(in, &now) != 0 || now.st_size != was->st_size ||
        !same_time(&now.st_mtim, &was->st_mtim) || !same_time(&now.st_ctim, &was->st_ctim))
        return none;
    if (was->st_ctim.tv_sec > started->tv_sec - 1 ||
        (was->st_ctim.tv_sec == started->tv_sec - 1 && was->st_ctim.tv_nsec >= started->tv_nsec))
        return none; /* not a whole second old */
    return was->st_ctim;
}

/* Writes the record's line for a file copied from e (n bytes, from in; hash: their XXH64,
 * NULL for a clone or a kernel copy; cloned: DST's file shares the source's blocks). */
static int record_copied(struct copy_job *j, const struct walk_entry *e, int64_t n, int in,
                         const struct timespec *started, const uint64_t *hash, bool cloned,
                         bool exact)
{
    struct timespec ctime = trusted_ctime(in, &e->st, started);
    if (n != e->st.st_size || !exact) /* !exact: the archive holds another state */
        ctime = (struct timespec){0, 0};
    return copy_record_put_file(&j->rec, 'f', e->path, (uint64_t)n, &e->st.st_mtim, &ctime, hash,
                                cloned && !hash, true, j->err);
}

/* Copies one regular file through the partial name, or skips it when already complete. */
static int copy_file(struct copy_job *j, const struct walk_entry *e, int pfd)
{
    struct stat have;
    if (fstatat(pfd, e->name, &have, AT_SYMLINK_NOFOLLOW) == 0 && already_copied(j, e, &have)) {
        j->stats->skipped++;
        j->meter.bytes_done += (uint64_t)e->st.st_size;
        bool exact;
        if (archive_other(j, e, NULL, &exact) != 0)
            return -1;
        if (!j->o->record)
            return 0;
        if (j->old && exact)
            return copy_record_keep(&j->rec, j->old, j->err);
        /* no record yet, taken by size and mtime: which source state it holds is unknown;
         * or changed while archived: the archive holds another state than DST */
        struct timespec unknown = {0, 0};
        const uint64_t *hash = j->old && j->old->hashed ? &j->old->hash : NULL;
        return copy_record_put(&j->rec, 'f', e->path, (uint64_t)e->st.st_size, &e->st.st_mtim,
                               &unknown, hash, false, j->err);
    }
    struct timespec started;
    clock_gettime(CLOCK_REALTIME, &started);
    int in = open_for_reading(e->dirfd, e->name, &e->st);
    if (in < 0 && j->o->live && (errno == ENOENT || errno == ESTALE)) {
        /* gone or replaced since the walk saw it (Immich runs): the catch-up copies it */
        return j->old ? copy_record_keep(&j->rec, j->old, j->err) : 0;
    }
    if (in < 0) {
        fail_at(j, j->src, e->path, _("cannot open"), errno);
        return -1;
    }
    posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (archived(j, e)) { /* the header once the file is open, its content as copied */
        int r = archive_sink_begin(&j->sink, e->path, &e->st, NULL);
        if (r < 0) {
            close(in);
            return -1;
        }
        j->feeding = r == 1;
    }
    bool archive_alone = j->feeding;
    char tmp[PARTIAL_SIZE];
    int out = create_partial(pfd, tmp);
    if (out < 0) {
        fail_at(j, j->dst, e->path, _("cannot create a file for"), errno);
        close(in);
        j->feeding = false;
        return -1;
    }
    int64_t n = clone_data(j, in, out, e->path);
    bool cloned = n >= 0;
    uint64_t hash = 0;
    bool hashed = false;
    if (n == -1) {
        hashed = j->o->record != NULL; /* read through our buffer (no kernel copy) */
        n = copy_data(j, in, out, e->path, hashed ? &hash : NULL);
        if (n == e->st.st_size && all_shared(out, n)) { /* copy_file_range cloned it */
            cloned = true;
            j->stats->cloned_bytes += (uint64_t)n;
        }
        archive_alone = false; /* copy_data fed it */
    }
    bool exact = true;
    if (j->feeding && n >= 0) {
        /* a clone read nothing: the archive reads the file alone */
        int r = archive_alone ? archive_read_alone(j, in, e, &exact) : archive_sink_end(&j->sink, &exact);
        if (r != 0) {
            j->feeding = false;
            close(out);
            unlinkat(pfd, tmp, 0);
            close(in);
            return -1;
        }
    }
    j->feeding = false;
    int rc = 0;
    if (n < 0) {
        if (!j->cancelled)
            fail_at(j, j->dst, e->path, _("cannot copy"), errno);
        rc = -1;
    } else if (n != e->st.st_size && !j->o->live) {
        fail_at(j, j->src, e->path, _("changed while copying"), ESTALE);
        rc = -1;
    } else if (set_meta_fd(j, out, &e->st) != 0) {
        fail_at(j, j->dst, e->path, _("cannot set owner, mode or times of"), errno);
        rc = -1;
    }
    if (close(out) != 0 && rc == 0) {
        fail_at(j, j->dst, e->path, _("cannot write"), errno);
        rc = -1;
    }
    if (rc == 0 && renameat(pfd, tmp, pfd, e->name) != 0) {
        fail_at(j, j->dst, e->path, _("cannot rename into place"), errno);
        rc = -1;
    }
    if (rc == 0 && j->o->record && record_copied(j, e, n, in, &started, hashed ? &hash : NULL, cloned, exact) != 0)
        rc = -1; /* the copy is in place, the record says nothing: copied again next time */
    close(in);
    if (rc != 0) {
        unlinkat(pfd, tmp, 0);
    } else {
        j->stats->copied++;
        if (cloned && fstatat(pfd, e->name, &have, AT_SYMLINK_NOFOLLOW) == 0) {
            j->stats->cloned++;
            clone_set_add(&j->clones, have.st_dev, have.st_ino);
        }
    }
    return rc;
}

/* A later name of a multi-link file: a hard link to the copy of the first name. */
static int copy_hardlink(struct copy_job *j, const struct walk_entry *e, int pfd, const char *first)
{
    struct stat want, have;
    if (lstat_beneath(j->dstfds[0], first, &want) != 0) {
        fail_at(j, j->dst, first, _("cannot find the copy of"), errno);
        return -1;
    }
    if (fstatat(pfd, e->name, &have, AT_SYMLINK_NOFOLLOW) == 0) {
        if (have.st_ino == want.st_ino && have.st_dev == want.st_dev)
            return 0;
        if (unlinkat(pfd, e->name, 0) != 0) {
            fail_at(j, j->dst, e->path, _("cannot replace"), errno);
            return -1;
        }
    }
    if (linkat(j->dstfds[0], first, pfd, e->name, 0) != 0) {
        fail_at(j, j->dst, e->path, _("cannot make the hard link"), errno);
        return -1;
    }
    j->meter.bytes_done += (uint64_t)e->st.st_size;
    return 0;
}

static int copy_symlink(struct copy_job *j, const struct walk_entry *e, int pfd)
{
    if (read_link(e->dirfd, e->name, &j->target) != 0) {
        fail_at(j, j->src, e->path, _("cannot read the symlink"), errno);
        return -1;
    }
    struct timespec times[2] = {e->st.st_atim, e->st.st_mtim};
    char tmp[PARTIAL_SIZE];
    int rc, tries = 0;
    do
        partial_name(tmp);
    while ((rc = symlinkat(j->target.buf, pfd, tmp)) != 0 && errno == EEXIST && ++tries < 100);
    if (rc != 0) {
        fail_at(j, j->dst, e->path, _("cannot make the symlink"), errno);
        return -1;
    }
    if (set_owner(j, pfd, tmp, -1, &e->st) != 0 ||
        utimensat(pfd, tmp, times, AT_SYMLINK_NOFOLLOW) != 0 || renameat(pfd, tmp, pfd, e->name) != 0) {
        fail_at(j, j->dst, e->path, _("cannot make the symlink"), errno);
        unlinkat(pfd, tmp, 0);
        return -1;
    }
    return 0;
}

static int copy_special(struct copy_job *j, const struct walk_entry *e, int pfd)
{
    unlinkat(pfd, e->name, 0); /* from an earlier run; a directory stays and fails below */
    struct timespec times[2] = {e->st.st_atim, e->st.st_mtim};
    if (mknodat(pfd, e->name, e->st.st_mode, e->st.st_rdev) != 0 ||
        set_owner(j, pfd, e->name, -1, &e->st) != 0 ||
        fchmodat(pfd, e->name, e->st.st_mode & 07777, 0) != 0 ||
        utimensat(pfd, e->name, times, AT_SYMLINK_NOFOLLOW) != 0) {
        fail_at(j, j->dst, e->path, _("cannot make"), errno);
        return -1;
    }
    return 0;
}

/* ---- directories ---- */

static void set_dstfd(struct copy_job *j, int depth, int fd)
{
    if ((size_t)depth >= j->dstfds_cap) {
        size_t cap = (size_t)depth * 2 + 8;
        j->dstfds = xrealloc(j->dstfds, cap * sizeof *j->dstfds);
        for (size_t i = j->dstfds_cap; i < cap; i++)
            j->dstfds[i] = -1;
        j->dstfds_cap = cap;
    }
    j->dstfds[depth] = fd;
}

static int enter_dir(struct copy_job *j, const struct walk_entry *e, int pfd)
{
    /* A directory is ours when we make it (it is removed only once empty). Its line reaches
     * the record, flushed, before mkdirat: a run killed between the two must not leave a
     * directory no record calls ours, which a catch-up could never remove. */
    struct stat have;
    bool missing = fstatat(pfd, e->name, &have, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
    struct timespec zero = {0, 0};
    if (j->o->record && (missing || j->old) &&
        copy_record_put(&j->rec, 'd', e->path, 0, &zero, &zero, NULL, missing, j->err) != 0)
        return -1;
    if (mkdirat(pfd, e->name, 0700) != 0 && errno != EEXIST) {
        fail_at(j, j->dst, e->path, _("cannot create the directory"), errno);
        return -1;
    }
    int fd = openat(pfd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        fail_at(j, j->dst, e->path, _("cannot open the directory"), errno);
        return -1;
    }
    /* Writable while we fill it, whatever its final mode. */
    fchmod(fd, 0700);
    remove_stale_partials(fd, e->fd); /* left by an interrupted run */
    set_dstfd(j, e->depth, fd);
    return 0;
}

/* Moves the record to e's path (settling what the walk passed) and takes its entry there;
 * our copy of another type (the source's entry changed type) is removed first. */
static int record_reach(struct copy_job *j, const struct walk_entry *e)
{
    if (copy_record_reach(&j->rec, e->path, &j->old, j->err) != 0)
        return -1;
    if (j->old && j->old->type != copy_record_type(e->st.st_mode)) {
        copy_record_remove_ours(&j->rec, j->old);
        j->old = NULL;
    }
    return 0;
}

/* Records an entry made anew on every run (a hard link's later name, a symlink, a device or
 * FIFO): its size and mtime are what DST holds, its ctime is not needed. */
static int record_made(struct copy_job *j, const struct walk_entry *e)
{
    struct timespec zero = {0, 0};
    if (!j->o->record)
        return 0;
    return copy_record_put(&j->rec, copy_record_type(e->st.st_mode), e->path,
                           S_ISREG(e->st.st_mode) ? (uint64_t)e->st.st_size : 0, &e->st.st_mtim,
                           &zero, NULL, false, j->err);
}

static enum walk_verdict copy_pre(void *ud, const struct walk_entry *e)
{
    struct copy_job *j = ud;
    if (report_cancelled(j->rep)) {
        j->cancelled = true;
        return WALK_STOP;
    }
    if (e->depth == 0) {
        fchmod(j->dstfds[0], 0700);
        remove_stale_partials(j->dstfds[0], e->fd);
        return WALK_CONTINUE;
    }
    int pfd = j->dstfds[e->depth - 1];
    int rc;
    mode_t type = e->st.st_mode & S_IFMT;
    if (j->o->record && record_reach(j, e) != 0)
        return WALK_STOP;
    if (type == S_IFDIR) {
        rc = enter_dir(j, e, pfd);
        if (rc == 0)
            rc = archive_other(j, e, NULL, NULL);
    } else if (type == S_IFREG) {
        const char *first =
            e->st.st_nlink > 1 ? linkmap_first(&j->links, e->st.st_dev, e->st.st_ino, e->path) : NULL;
        rc = first ? copy_hardlink(j, e, pfd, first) : copy_file(j, e, pfd);
        j->meter.files_done++;
        if (rc == 0 && first)
            rc = record_made(j, e);
        if (rc == 0 && first)
            rc = archive_other(j, e, NULL, NULL);
    } else if (type == S_IFLNK) {
        rc = copy_symlink(j, e, pfd);
        if (rc == 0)
            rc = record_made(j, e);
        if (rc == 0)
            rc = archive_other(j, e, sb_str(&j->target), NULL);
    } else if (type == S_IFIFO || type == S_IFCHR || type == S_IFBLK) {
        rc = copy_special(j, e, pfd);
        if (rc == 0)
            rc = record_made(j, e);
        if (rc == 0)
            rc = archive_other(j, e, NULL, NULL);
    } else {
        fail_at(j, j->src, e->path, _("cannot copy the socket"), EINVAL);
        rc = -1;
    }
    meter_tick(&j->meter, e->path, false);
    return rc == 0 ? WALK_CONTINUE : WALK_STOP;
}

static enum walk_verdict copy_post(void *ud, const struct walk_entry *e)
{
    struct copy_job *j = ud;
    int fd = j->dstfds[e->depth];
    if (j->o->record && copy_record_settle_within(&j->rec, e->path, j->err) != 0)
        return WALK_STOP; /* removals change the directory's mtime: before it is set */
    int rc = set_meta_fd(j, fd, &e->st);
    if (rc != 0)
        fail_at(j, j->dst, e->path, _("cannot set owner, mode or times of"), errno);
    if (e->depth > 0) {
        close(fd);
        j->dstfds[e->depth] = -1;
    }
    return rc == 0 ? WALK_CONTINUE : WALK_STOP;
}

static enum walk_verdict copy_error(void *ud, const char *path, const char *what, int err)
{
    struct copy_job *j = ud;
    if (j->o->live && err == ENOENT)
        return WALK_CONTINUE; /* vanished while Immich runs: the catch-up settles it */
    fail_at(j, j->src, path, _("cannot read"), err);
    return WALK_STOP;
}

/* ---- the whole copy ---- */

/* Same directory? Nested? A system directory however spelled? Creates nothing (the space
 * check comes first). Returns 1 same, 0 go on (*real = DST resolved), -1 refused. */
static int check_paths(const char *src, const char *dst, char **real, struct strbuf *err)
{
    struct stat s, d;
    if (stat(src, &s) != 0 || !S_ISDIR(s.st_mode)) {
        sb_printf(err, _("%s is not a directory"), src);
        return -1;
    }
    if (stat(dst, &d) == 0 && s.st_dev == d.st_dev && s.st_ino == d.st_ino)
        return 1;
    char *rs = path_judge(src, PATH_READ, err), *rd = rs ? path_judge(dst, PATH_WRITE, err) : NULL;
    int rc = 0;
    if (!rs || !rd) {
        rc = -1;
    } else if (path_is_within(rd, rs) || path_is_within(rs, rd)) {
        sb_printf(err, _("%s and %s are inside one another"), src, dst);
        rc = -1;
    }
    free(rs);
    if (rc == 0)
        *real = rd;
    else
        free(rd);
    return rc;
}

/* The directory DST will be made in when it does not exist yet (malloc'd), else DST. */
static char *dst_or_parent(const char *real)
{
    struct stat st;
    if (lstat(real, &st) == 0)
        return xstrdup(real);
    const char *slash = strrchr(real, '/');
    return slash == real ? xstrdup("/") : xstrndup(real, (size_t)(slash - real));
}

/* Creates DST when missing, judges it again now that it exists and opens it. fd or -1. */
static int open_dst(const char *dst, const char *real, struct strbuf *err)
{
    if (mkdir(real, 0700) != 0 && errno != EEXIST) {
        sb_printf(err, _("cannot create %s: %s"), dst, strerror(errno));
        return -1;
    }
    char *again = path_judge(dst, PATH_WRITE, err);
    bool ok = again && strcmp(again, real) == 0;
    if (again && !ok)
        sb_printf(err, _("%s now resolves elsewhere; nothing was copied"), dst);
    free(again);
    if (!ok)
        return -1;
    int fd = open(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        sb_printf(err, _("cannot open %s: %s"), dst, strerror(errno));
    return fd;
}

/* Opens the record for SRC -> DST (real: DST resolved; *rsrc gets SRC resolved, malloc'd).
 * 0 or -1 with err. */
static int open_record(struct copy_job *j, const char *real, int rootfd, int *srcfd, char **rsrc_out)
{
    char *rsrc = resolve_path(j->src);
    *rsrc_out = rsrc;
    *srcfd = rsrc ? open(rsrc, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    int rc = -1;
    if (*srcfd < 0)
        sb_printf(j->err, _("cannot open %s: %s"), j->src, strerror(errno));
    else
        rc = copy_record_open(&j->rec, j->o->record, rsrc, real, *srcfd, rootfd, j->rep, j->err);
    return rc;
}

/* Copies the file from to to (created 0600, O_EXCL), fsynced. 0 or -1 with err. */
static int copy_small_file(const char *from, const char *to, unsigned char *buf, struct strbuf *err)
{
    int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1, rc = -1;
    if (in < 0) {
        sb_printf(err, _("cannot open %s: %s"), from, strerror(errno));
        return -1;
    }
    unlink(to); /* ours, from an interrupted run */
    out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) {
        sb_printf(err, _("cannot create %s: %s"), to, strerror(errno));
        close(in);
        return -1;
    }
    for (;;) {
        ssize_t n = read(in, buf, COPY_BUFFER);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                goto out;
            done += w;
        }
    }
    if (rc == 0 && fsync(out) != 0)
        rc = -1;
out:
    if (close(out) != 0)
        rc = -1;
    close(in);
    if (rc != 0) {
        sb_printf(err, _("cannot write %s: %s"), to, strerror(errno));
        unlink(to);
    }
    return rc;
}

/* The archive is complete: ARCHIVE.record (the record as it is now, which names the state of
 * each file the archive holds) is put in place first, the archive last, so an archive always
 * has its snapshot beside it (a snapshot without an archive is replaced by the next run's).
 * 0 or -1 with err. */
static int finish_archive(struct copy_job *j)
{
    char *snap = j->o->record ? xasprintf("%s.record", j->o->archive) : NULL;
    char *partial = snap ? xasprintf("%s.partial", snap) : NULL;
    int rc = snap ? copy_small_file(j->o->record, partial, j->buf, j->err) : 0;
    if (rc == 0 && snap && rename(partial, snap) != 0) {
        sb_printf(j->err, _("cannot rename %s: %s"), partial, strerror(errno));
        rc = -1;
    }
    if (rc == 0)
        rc = archive_sink_close(&j->sink); /* fsyncs the directory: the snapshot's name too */
    if (rc != 0 && partial)
        unlink(partial);
    if (rc == 0)
        report_msg(j->rep, REC_FILEOP, _("wrote %s and %s.manifest from the copy's reading"),
                   j->o->archive, j->o->archive);
    free(snap);
    free(partial);
    return rc;
}

static enum files_result run_copy(struct copy_job *j, const struct scan_totals *t, int rootfd)
{
    set_dstfd(j, 0, rootfd);
    meter_start(&j->meter, j->rep, "bytes", t->files, t->bytes);
    struct walk_ops ops = {.pre = copy_pre, .post = copy_post, .error = copy_error, .ud = j};
    long rc = walk_tree(j->src, &ops);
    for (size_t i = 1; i < j->dstfds_cap; i++)
        if (j->dstfds[i] >= 0)
            close(j->dstfds[i]);
    enum files_result res = FILES_OK;
    if (j->cancelled) {
        res = FILES_CANCELLED;
    } else if (rc != 0 || j->err->len) {
        if (!j->err->len)
            sb_printf(j->err, _("cannot copy %s"), j->src);
        res = FILES_FAILED;
    } else if (syncfs(rootfd) != 0) {
        sb_printf(j->err, _("cannot flush %s: %s"), j->dst, strerror(errno));
        res = FILES_FAILED;
    } else if (j->o->record && copy_record_commit(&j->rec, j->err) != 0) {
        res = FILES_FAILED; /* after the sync: the record names only files on disk */
    } else if (j->o->archive && finish_archive(j) != 0) {
        res = FILES_FAILED;
    }
    j->stats->removed = j->rec.removed;
    close(rootfd);
    meter_tick(&j->meter, NULL, true);
    return res;
}

/* Room for what is not in DST yet: the source's size less what an earlier run already copied
 * (an estimate: files in DST that will be replaced count as copied). */
static int check_space(const char *dst, const char *real, uint64_t total, struct strbuf *err)
{
    uint64_t there = space_tree_bytes(real), avail;
    uint64_t needed = total > there ? total - there : 0;
    char *where = dst_or_parent(real);
    int rc = space_available(where, &avail, err);
    free(where);
    if (rc != 0)
        return -1;
    if (avail >= needed)
        return 0;
    struct strbuf a = {0}, n = {0}, all = {0};
    format_bytes(avail, &a);
    format_bytes(needed, &n);
    format_bytes(total, &all);
    sb_printf(err,
              _("not enough free space in %s: %s available, the copy needs %s more (the "
                "library holds %s)"),
              dst, sb_str(&a), sb_str(&n), sb_str(&all));
    sb_free(&a);
    sb_free(&n);
    sb_free(&all);
    return -1;
}

/* The final figures: "copied 12 files (1.2 GiB: 1.1 GiB cloned, 100 MiB written) in ...". */
static void report_copied(const struct reporter *rep, const struct copy_stats *stats, double secs)
{
    struct strbuf size = {0}, cloned = {0}, written = {0};
    format_bytes(stats->bytes, &size);
    format_bytes(stats->cloned_bytes, &cloned);
    format_bytes(stats->bytes - stats->cloned_bytes, &written);
    report_msg(rep, REC_FILEOP,
               _("copied %llu files (%s: %s cloned, %s written) in %.1f s, %llu already complete"),
               (unsigned long long)stats->copied, sb_str(&size), sb_str(&cloned), sb_str(&written),
               secs, (unsigned long long)stats->skipped);
    if (stats->removed)
        report_msg(rep, REC_FILEOP,
                   ngettext("removed %llu earlier copy of an entry gone from the source",
                            "removed %llu earlier copies of entries gone from the source",
                            (unsigned long)stats->removed),
                   (unsigned long long)stats->removed);
    sb_free(&size);
    sb_free(&cloned);
    sb_free(&written);
}

enum files_result copy_library(const char *src, const char *dst, const struct copy_options *o,
                               const struct reporter *rep, struct copy_stats *stats, struct strbuf *err)
{
    memset(stats, 0, sizeof *stats);
    char *real = NULL;
    int same = check_paths(src, dst, &real, err);
    if (same < 0)
        return FILES_FAILED;
    if (same) {
        stats->same_dir = true;
        report_msg(rep, REC_MESSAGE, _("%s and %s are the same directory: nothing to copy"), src, dst);
        return FILES_OK;
    }
    struct scan_totals t;
    enum files_result r = FILES_FAILED;
    int rootfd = -1;
    if (o->archive && archive_sink_check_path(src, o->archive, err) != 0) {
        /* refused before anything was written */
    } else if (scan_tree(src, rep, &t) != 0) {
        r = FILES_CANCELLED;
    } else if (t.problems) {
        sb_printf(err, _("%llu entries of %s cannot be read (listed above)"),
                  (unsigned long long)t.problems, src);
    } else if (o->space_check && check_space(dst, real, t.unique_bytes, err) != 0) {
        /* refused before DST was created */
    } else {
        rootfd = open_dst(dst, real, err);
    }
    if (rootfd < 0) {
        free(real);
        return r;
    }
    struct copy_job j = {.src = src,
                         .o = o,
                         .dst = dst,
                         .rep = rep,
                         .err = err,
                         .stats = stats,
                         .chunk = test_chunk_limit(COPY_CHUNK),
                         .try_clone = !getenv("IMMICH_MIGRATE_TEST_NO_FICLONE")};
    j.buf = xmalloc(COPY_BUFFER);
    double started = now_monotonic();
    int srcfd = -1;
    char *rsrc = NULL;
    if (o->record && open_record(&j, real, rootfd, &srcfd, &rsrc) != 0) {
        close(rootfd);
        r = FILES_FAILED;
    } else if (o->archive && archive_sink_open(&j.sink, src, o->archive, o->archive_level,
                                               o->archive_threads, rep, err) != 0) {
        close(rootfd);
        r = FILES_FAILED;
    } else {
        r = run_copy(&j, &t, rootfd);
    }
    if (o->archive && r != FILES_OK)
        archive_sink_abort(&j.sink);
    archive_sink_free(&j.sink);
    if (r == FILES_OK) {
        report_copied(rep, stats, now_monotonic() - started);
        if (o->verify && o->live) {
            /* the source moves: the copy is checked against what was read, not the source */
            if (rsrc)
                r = copy_readback(o->record, rsrc, real, rep, err);
        } else if (o->verify) {
            /* the record just committed: its hashes spare reading the source again */
            struct copy_record_reader hashes = {0};
            bool have = o->record && rsrc &&
                        copy_record_reader_open(&hashes, o->record, rsrc, real) == 0;
            r = copy_verify(src, dst, !j.owners_lost, &j.clones, have ? &hashes : NULL, rep, err);
            copy_record_reader_close(&hashes);
        }
    }
    free(rsrc);
    if (srcfd >= 0)
        close(srcfd);
    copy_record_close(&j.rec);
    free(real);
    linkmap_free(&j.links);
    clone_set_free(&j.clones);
    meter_free(&j.meter);
    sb_free(&j.target);
    free(j.dstfds);
    free(j.buf);
    return r;
}
