#include "common.h"
#include "files/backup.h"
#include "files/archive_sink.h"
#include "files/copy_record.h"
#include "files/manifest.h"
#include "files/manifest_read.h"
#include "files/space.h"
#include "files/meter.h"
#include "files/scan.h"
#include "files/walk.h"
#include "sys/safepath.h"
#include "files/xxh64.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BUFFER (4u << 20)

struct backup_job {
    const char *src;
    enum backup_strategy strategy;
    const struct reporter *rep;
    struct strbuf *err;
    struct archive_sink sink;
    struct copy_record_reader since; /* catch-up: the base archive's record */
    bool use_since;
    uint64_t unchanged; /* catch-up: files left to the base archive */
    uint64_t archived_bytes; /* file content written to this archive (a catch-up's is small) */
    struct meter meter;
    unsigned char *buf;
    struct strbuf target;
    bool cancelled;
};

void backup_options_init(struct backup_options *o)
{
    *o = (struct backup_options){0}; /* every field, the catch-up's since/base too */
    o->level = 3;
    /* One core reads (and checksums), the others compress; at most 4 workers, each holding
     * a job of several MiB. Photos hardly compress and zstd gets through them at more than
     * 1 GB/s per core, so more workers than that only add waiting (measured). */
    int cpus = cpu_count();
    o->threads = cpus <= 1 ? 0 : (cpus - 1 < 4 ? cpus - 1 : 4);
    o->space_check = true;
    o->strategy = BACKUP_ARCHIVE;
}

static void fail_path(struct backup_job *j, const char *path, const char *what, int errnum)
{
    if (j->err->len)
        return; /* keep the first reason */
    struct strbuf shown = {0};
    display_path(j->src, path, &shown);
    sb_printf(j->err, _("%s %s: %s"), what, sb_str(&shown), strerror(errnum));
    sb_free(&shown);
}

/* ---- one entry ---- */

/* Feeds a regular file's content to the archive. 0, or -1 with j->err set. */
static int write_content(struct backup_job *j, const struct walk_entry *e)
{
    int fd = open_for_reading(e->dirfd, e->name, &e->st);
    struct stat now;
    if (fd < 0) {
        fail_path(j, e->path, _("cannot open"), errno);
        return -1;
    }
    if (fstat(fd, &now) != 0 || now.st_ino != e->st.st_ino || now.st_dev != e->st.st_dev) {
        fail_path(j, e->path, _("changed while backing up"), ESTALE);
        close(fd);
        return -1;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    uint64_t left = (uint64_t)e->st.st_size;
    int rc = 0;
    while (left > 0) {
        size_t chunk = test_chunk_limit(READ_BUFFER);
        size_t want = left < chunk ? (size_t)left : chunk;
        ssize_t n = read(fd, j->buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* Short: the file shrank. Never pad silently. */
            fail_path(j, e->path, n < 0 ? _("cannot read") : _("changed while backing up"),
                      n < 0 ? errno : ESTALE);
            rc = -1;
            break;
        }
        if (archive_sink_feed(&j->sink, j->buf, (size_t)n) != 0) {
            rc = -1;
            break;
        }
        left -= (uint64_t)n;
        j->meter.bytes_done += (uint64_t)n;
        j->archived_bytes += (uint64_t)n;
        if (report_cancelled(j->rep)) {
            j->cancelled = true;
            rc = -1;
            break;
        }
        test_pause();
        meter_tick(&j->meter, e->path, false);
    }
    if (rc == 0) {
        /* Grown since the stat? Then the archived size is not the file's. */
        char extra;
        ssize_t n = read(fd, &extra, 1);
        if (n != 0) {
            fail_path(j, e->path, _("changed while backing up"), n < 0 ? errno : ESTALE);
            rc = -1;
        }
    }
    close(fd);
    return rc == 0 ? archive_sink_end(&j->sink, NULL) : -1;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Catch-up: is the file e in the base archive as it is now? The record of the base names it
 * with this size, mtime and a trusted ctime. Files with several names are always archived
 * again (their first name must be in the same archive as the others). */
static bool in_base(struct backup_job *j, const struct walk_entry *e)
{
    if (!j->use_since || !S_ISREG(e->st.st_mode) || e->st.st_nlink > 1)
        return false;
    const struct copy_record_entry *r = copy_record_lookup(&j->since, e->path);
    return r && r->type == 'f' && r->size == (uint64_t)e->st.st_size &&
           same_time(&r->mtime, &e->st.st_mtim) && same_time(&r->ctime, &e->st.st_ctim) &&
           (r->ctime.tv_sec || r->ctime.tv_nsec);
}

static enum walk_verdict backup_pre(void *ud, const struct walk_entry *e)
{
    struct backup_job *j = ud;
    if (e->depth == 0)
        return WALK_CONTINUE;
    if (report_cancelled(j->rep)) {
        j->cancelled = true;
        return WALK_STOP;
    }
    if (backup_excludes(j->strategy, e->path, e->depth))
        return S_ISDIR(e->st.st_mode) ? WALK_PRUNE : WALK_CONTINUE;
    if (S_ISSOCK(e->st.st_mode)) {
        fail_path(j, e->path, _("cannot archive the socket"), EINVAL);
        return WALK_STOP;
    }
    if (in_base(j, e)) {
        j->unchanged++;
        j->meter.files_done++;
        j->meter.bytes_done += (uint64_t)e->st.st_size;
        return WALK_CONTINUE;
    }
    if (S_ISLNK(e->st.st_mode) && read_link(e->dirfd, e->name, &j->target) != 0) {
        fail_path(j, e->path, _("cannot read the symlink"), errno);
        return WALK_STOP;
    }
    int r = archive_sink_begin(&j->sink, e->path, &e->st,
                               S_ISLNK(e->st.st_mode) ? sb_str(&j->target) : NULL);
    if (r < 0)
        return WALK_STOP;
    if (S_ISREG(e->st.st_mode)) {
        j->meter.files_done++;
        if (r == 0) /* a later name of a file with several */
            j->meter.bytes_done += (uint64_t)e->st.st_size;
        else if (write_content(j, e) != 0)
            return WALK_STOP;
    }
    meter_tick(&j->meter, e->path, false);
    return WALK_CONTINUE;
}

static enum walk_verdict backup_error(void *ud, const char *path, const char *what, int err)
{
    struct backup_job *j = ud;
    (void)what;
    fail_path(j, path, _("cannot read"), err);
    return WALK_STOP;
}

/* ---- the catch-up's list of removed entries ---- */

/* Is the base's entry m gone from the library (or of another type now)? */
static bool gone(int rootfd, const struct manifest_entry *m)
{
    struct stat st;
    if (lstat_beneath(rootfd, m->path, &st) != 0)
        return true;
    switch (m->type) {
    case 'd': return !S_ISDIR(st.st_mode);
    case 'l': return !S_ISLNK(st.st_mode);
    case 'f':
    case 'h': return !S_ISREG(st.st_mode);
    default: return S_ISDIR(st.st_mode) || S_ISREG(st.st_mode) || S_ISLNK(st.st_mode);
    }
}

/* Writes ARCHIVE.removed: the paths of the base's manifest that the library no longer has
 * (or has as another type), each followed by a NUL byte. 0 or -1 with err. */
static int write_removed(struct backup_job *j, const char *archive, const char *base, uint64_t *count)
{
    char *mpath = xasprintf("%s.manifest", base), *out = xasprintf("%s.removed", archive);
    char *partial = xasprintf("%s.partial", out);
    struct manifest_reader mr = {0};
    int rootfd = open(j->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1, rc = -1;
    FILE *f = NULL;
    if (rootfd < 0) {
        sb_printf(j->err, _("cannot open %s: %s"), j->src, strerror(errno));
        goto done;
    }
    if (manifest_reader_open(&mr, mpath, j->err) != 0)
        goto done;
    unlink(partial); /* ours, from an interrupted run */
    fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        sb_printf(j->err, _("cannot create %s: %s"), partial, strerror(errno));
        goto done;
    }
    fd = -1;
    struct manifest_entry m;
    int more;
    *count = 0;
    while ((more = manifest_next(&mr, &m, j->err)) == 1)
        if (gone(rootfd, &m)) {
            fputs(m.path, f);
            putc('\0', f);
            ++*count;
        }
    if (more < 0)
        goto done;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0) {
        f = NULL;
        sb_printf(j->err, _("cannot write %s: %s"), partial, strerror(errno));
        goto done;
    }
    f = NULL;
    if (rename(partial, out) != 0 || fsync_parent_dir(out) != 0) {
        sb_printf(j->err, _("cannot rename %s: %s"), partial, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    if (rc != 0)
        unlink(partial);
    if (rootfd >= 0)
        close(rootfd);
    manifest_reader_close(&mr);
    free(mpath);
    free(out);
    free(partial);
    return rc;
}

/* ---- setup and finish ---- */

static int check_space(const char *archive, uint64_t needed, struct strbuf *err)
{
    const char *slash = strrchr(archive, '/');
    char *dir = slash
                    ? (slash == archive ? xstrdup("/") : xstrndup(archive, (size_t)(slash - archive)))
                    : xstrdup(".");
    uint64_t avail;
    int rc = space_available(dir, &avail, err);
    if (rc == 0 && avail < needed) {
        struct strbuf a = {0}, n = {0};
        format_bytes(avail, &a);
        format_bytes(needed, &n);
        sb_printf(err,
                  _("not enough free space in %s: %s available, the library holds %s "
                    "(use --no-space-check only if the data compresses well)"),
                  dir, sb_str(&a), sb_str(&n));
        sb_free(&a);
        sb_free(&n);
        rc = -1;
    }
    free(dir);
    return rc;
}

static enum files_result run_backup(struct backup_job *j, const char *archive,
                                    const struct backup_options *o, const struct scan_totals *t)
{
    if (o->since) {
        char *rsrc = resolve_path(j->src);
        j->use_since = rsrc && copy_record_reader_open(&j->since, o->since, rsrc, NULL) == 0;
        free(rsrc);
        if (!j->use_since) {
            sb_printf(j->err, _("%s is not a copy record of %s"), o->since, j->src);
            return FILES_FAILED;
        }
    }
    if (archive_sink_open(&j->sink, j->src, archive, o->level, o->threads, j->rep, j->err) != 0)
        return FILES_FAILED;
    meter_start(&j->meter, j->rep, "bytes", t->files, t->bytes);
    struct walk_ops ops = {.pre = backup_pre, .error = backup_error, .ud = j};
    long rc = walk_tree(j->src, &ops);
    if (j->cancelled)
        return FILES_CANCELLED;
    if (rc != 0 || j->err->len) {
        if (!j->err->len)
            sb_printf(j->err, _("cannot read %s"), j->src);
        return FILES_FAILED;
    }
    uint64_t removed = 0;
    if (o->base && write_removed(j, archive, o->base, &removed) != 0)
        return FILES_FAILED;
    if (archive_sink_close(&j->sink) != 0)
        return FILES_FAILED;
    if (o->since)
        report_msg(j->rep, REC_MESSAGE,
                   _("catch-up: %llu files unchanged since the base archive were left out, "
                     "%llu entries of it are gone (listed in %s.removed)"),
                   (unsigned long long)j->unchanged, (unsigned long long)removed, archive);
    meter_tick(&j->meter, NULL, true);
    return FILES_OK;
}

enum files_result backup_library(const char *src, const char *archive, const struct backup_options *o,
                                 const struct reporter *rep, struct strbuf *err)
{
    if (archive_sink_check_path(src, archive, err) != 0)
        return FILES_FAILED;
    struct scan_totals t;
    if (scan_tree_selected(src, o->strategy, rep, &t) != 0)
        return FILES_CANCELLED;
    if (t.problems) {
        sb_printf(err, _("%llu entries of %s cannot be read (listed above); nothing was written"),
                  (unsigned long long)t.problems, src);
        return FILES_FAILED;
    }
    struct strbuf size = {0};
    format_bytes(t.bytes, &size);
    /* A catch-up archives only what changed: the scan's figures are the library's. */
    report_msg(rep, REC_MESSAGE,
               o->since ? _("%llu entries, %llu files, %s in the library")
                        : _("%llu entries, %llu files, %s to back up"),
               (unsigned long long)t.entries, (unsigned long long)t.files, sb_str(&size));
    sb_free(&size);
    /* a catch-up holds only what changed: its size is not known beforehand */
    if (o->space_check && !o->since && check_space(archive, t.unique_bytes, err) != 0)
        return FILES_FAILED;

    /* ulimit -f must give an error we can report, not kill us mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    struct backup_job j = {.src = src, .strategy = o->strategy, .rep = rep, .err = err};
    j.buf = xmalloc(READ_BUFFER);
    double started = now_monotonic();
    enum files_result res = run_backup(&j, archive, o, &t);
    if (res != FILES_OK) {
        archive_sink_abort(&j.sink);
    } else {
        struct strbuf shown = {0};
        format_bytes(j.archived_bytes, &shown);
        report_msg(rep, REC_FILEOP, _("wrote %s (%s of files in %.1f s) and %s.manifest"), archive,
                   sb_str(&shown), now_monotonic() - started, archive);
        sb_free(&shown);
    }
    archive_sink_free(&j.sink);
    copy_record_reader_close(&j.since);
    meter_free(&j.meter);
    sb_free(&j.target);
    free(j.buf);
    return res;
}
