#include "common.h"
#include "files/backup.h"
#include "files/manifest.h"
#include "files/space.h"
#include "files/meter.h"
#include "files/scan.h"
#include "files/walk.h"
#include "sys/safepath.h"
#include "files/xxh64.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BUFFER (4u << 20)
#define OUTPUT_BLOCK (1u << 20)
/* Start writing the archive to the disk every so many bytes, so that the final fsync does
 * not find gigabytes of dirty pages (and the disk works while we compress). */
#define WRITEBACK_STEP (32u << 20)

struct backup_job {
    struct strbuf said; /* libarchive's last message, control bytes escaped */
    const char *src;
    enum backup_strategy strategy;
    const char *partial;
    const struct reporter *rep;
    struct strbuf *err;
    struct archive *ar;
    struct archive_entry_linkresolver *links;
    struct manifest manifest;
    struct meter meter;
    unsigned char *buf;
    struct strbuf target;
    int out_fd;
    int write_errno;  /* errno of the first failed write to the archive */
    uint64_t written; /* bytes written to the archive */
    uint64_t flushed; /* bytes whose write-out to the disk was started */
    bool cancelled;
};

void backup_options_init(struct backup_options *o)
{
    o->level = 3;
    /* One core reads (and checksums), the others compress; at most 4 workers, each holding
     * a job of several MiB. Photos hardly compress and zstd gets through them at more than
     * 1 GB/s per core, so more workers than that only add waiting (measured). */
    int cpus = cpu_count();
    o->threads = cpus <= 1 ? 0 : (cpus - 1 < 4 ? cpus - 1 : 4);
    o->space_check = true;
    o->strategy = BACKUP_ARCHIVE;
}

/* ---- the output: our own fd, so that errors keep their errno ---- */

static la_ssize_t out_write(struct archive *a, void *ud, const void *buf, size_t len)
{
    struct backup_job *j = ud;
    const char *p = buf;
    size_t left = len;
    while (left) {
        ssize_t n = write(j->out_fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            j->write_errno = errno;
            archive_set_error(a, errno, "%s", strerror(errno));
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    j->written += len;
    if (j->written - j->flushed >= WRITEBACK_STEP) {
        /* asynchronous: only starts the write-out; errors surface at the fsync */
        sync_file_range(j->out_fd, (off64_t)j->flushed, (off64_t)(j->written - j->flushed),
                        SYNC_FILE_RANGE_WRITE);
        j->flushed = j->written;
    }
    return (la_ssize_t)len;
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

static void fail_archive(struct backup_job *j)
{
    if (j->err->len)
        return;
    if (j->write_errno) {
        sb_printf(j->err, _("cannot write %s: %s"), j->partial, strerror(j->write_errno));
        if (j->write_errno == ENOSPC || j->write_errno == EFBIG || j->write_errno == EDQUOT)
            sb_append(j->err, _(" (the disk or the allowed file size is full)"));
    } else {
        sb_printf(j->err, _("archive error: %s"), archive_text(j->ar, &j->said));
    }
}

/* ---- one entry ---- */

/* Copies a regular file's content into the archive. 0, or -1 with j->err set. */
static int write_content(struct backup_job *j, const struct walk_entry *e, uint64_t *sum)
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
    struct xxh64_state h;
    xxh64_init(&h, 0);
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
        xxh64_update(&h, j->buf, (size_t)n);
        if (archive_write_data(j->ar, j->buf, (size_t)n) != n) {
            fail_archive(j);
            rc = -1;
            break;
        }
        left -= (uint64_t)n;
        j->meter.bytes_done += (uint64_t)n;
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
    *sum = xxh64_final(&h);
    return rc;
}

/* Fills the header fields from the stat, the symlink target, the hard link. */
static int prepare_entry(struct backup_job *j, const struct walk_entry *e, struct archive_entry **entry)
{
    *entry = archive_entry_new2(j->ar);
    archive_entry_copy_pathname(*entry, e->path);
    archive_entry_copy_stat(*entry, &e->st);
    if (!S_ISREG(e->st.st_mode))
        archive_entry_set_size(*entry, 0);
    if (S_ISLNK(e->st.st_mode)) {
        if (read_link(e->dirfd, e->name, &j->target) != 0) {
            fail_path(j, e->path, _("cannot read the symlink"), errno);
            return -1;
        }
        archive_entry_copy_symlink(*entry, sb_str(&j->target));
    }
    if (!S_ISDIR(e->st.st_mode) && e->st.st_nlink > 1) {
        struct archive_entry *spare = NULL;
        archive_entry_linkify(j->links, entry, &spare);
        if (spare)
            archive_entry_free(spare);
    }
    return 0;
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
    struct archive_entry *entry = NULL;
    if (prepare_entry(j, e, &entry) != 0) {
        archive_entry_free(entry);
        return WALK_STOP;
    }
    const char *link_to = archive_entry_hardlink(entry);
    bool hardlink = link_to != NULL;
    /* an 'h' line carries the checksum of the earlier name, so that verify-backup checks
     * which file each hard link points to without remembering the inodes */
    uint64_t link_sum = hardlink ? xxh64(link_to, strlen(link_to), 0) : 0;
    int r = archive_write_header(j->ar, entry);
    if (r == ARCHIVE_WARN) {
        struct strbuf shown = {0};
        display_path(j->src, e->path, &shown);
        report_msg(j->rep, REC_WARNING, _("%s: %s"), sb_str(&shown), archive_text(j->ar, &j->said));
        sb_free(&shown);
    } else if (r != ARCHIVE_OK) {
        archive_entry_free(entry);
        fail_archive(j);
        return WALK_STOP;
    }
    archive_entry_free(entry);
    uint64_t sum = 0;
    bool has_sum = false;
    char type = manifest_type(e->st.st_mode);
    if (S_ISREG(e->st.st_mode)) {
        j->meter.files_done++;
        if (hardlink) {
            type = 'h';
            sum = link_sum;
            has_sum = true;
            j->meter.bytes_done += (uint64_t)e->st.st_size;
        } else {
            if (write_content(j, e, &sum) != 0)
                return WALK_STOP;
            has_sum = true;
        }
    } else if (S_ISLNK(e->st.st_mode)) {
        sum = xxh64(j->target.buf, j->target.len, 0);
        has_sum = true;
    }
    manifest_add(&j->manifest, e->path, &e->st, type, has_sum, sum);
    meter_tick(&j->meter, e->path, false);
    return WALK_CONTINUE;
}

static enum walk_verdict backup_error(void *ud, const char *path, const char *what, int err)
{
    struct backup_job *j = ud;
    fail_path(j, path, _("cannot read"), err);
    return WALK_STOP;
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

/* Refuses an archive inside the library (it would back itself up) or an existing one. */
static int check_archive_path(const char *src, const char *archive, struct strbuf *err)
{
    if (access(archive, F_OK) == 0) {
        sb_printf(err, _("%s already exists; a backup is never overwritten"), archive);
        return -1;
    }
    const char *slash = strrchr(archive, '/');
    char *dir = slash
                    ? (slash == archive ? xstrdup("/") : xstrndup(archive, (size_t)(slash - archive)))
                    : xstrdup(".");
    struct strbuf why = {0};
    char *rdir = path_judge(dir, PATH_WRITE, &why), *rsrc = resolve_path(src);
    int rc = 0;
    if (!rdir) {
        sb_printf(err, _("cannot use the directory %s: %s"), dir, sb_str(&why));
        rc = -1;
    } else if (!rsrc) {
        sb_printf(err, _("cannot read %s: %s"), src, strerror(errno));
        rc = -1;
    } else if (path_is_within(rdir, rsrc)) {
        sb_printf(err, _("the archive %s must not be inside the library %s"), archive, src);
        rc = -1;
    }
    sb_free(&why);
    free(dir);
    free(rdir);
    free(rsrc);
    return rc;
}

static int open_writer(struct backup_job *j, const struct backup_options *o)
{
    char num[32];
    j->ar = archive_write_new();
    archive_write_set_format_pax(j->ar);
    archive_write_add_filter_zstd(j->ar);
    snprintf(num, sizeof num, "%d", o->level);
    int r = archive_write_set_filter_option(j->ar, "zstd", "compression-level", num);
    if (r == ARCHIVE_OK && o->threads > 0) {
        snprintf(num, sizeof num, "%d", o->threads);
        r = archive_write_set_filter_option(j->ar, "zstd", "threads", num);
    }
    if (r != ARCHIVE_OK) {
        sb_printf(j->err, _("zstd settings refused: %s"), archive_text(j->ar, &j->said));
        return -1;
    }
    archive_write_set_bytes_per_block(j->ar, OUTPUT_BLOCK);
    archive_write_set_bytes_in_last_block(j->ar, 1);
    if (archive_write_open2(j->ar, j, NULL, out_write, NULL, NULL) != ARCHIVE_OK) {
        fail_archive(j);
        return -1;
    }
    j->links = archive_entry_linkresolver_new();
    archive_entry_linkresolver_set_strategy(j->links, ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE);
    return 0;
}

/* Everything after the walk: trailer, flush, manifest, rename. 0 or -1. */
static int finish(struct backup_job *j, const char *archive)
{
    if (archive_write_close(j->ar) != ARCHIVE_OK) {
        fail_archive(j);
        return -1;
    }
    if (fsync(j->out_fd) != 0 || close(j->out_fd) != 0) {
        j->out_fd = -1;
        sb_printf(j->err, _("cannot write %s: %s"), j->partial, strerror(errno));
        return -1;
    }
    j->out_fd = -1;
    if (manifest_commit(&j->manifest, j->err) != 0)
        return -1;
    if (rename(j->partial, archive) != 0 || fsync_parent_dir(archive) != 0) {
        sb_printf(j->err, _("cannot rename %s: %s"), j->partial, strerror(errno));
        return -1;
    }
    return 0;
}

static enum files_result run_backup(struct backup_job *j, const char *archive,
                                    const struct backup_options *o, const struct scan_totals *t)
{
    char *manifest_path = xasprintf("%s.manifest", archive);
    int mrc = manifest_open(&j->manifest, manifest_path, j->err);
    free(manifest_path);
    if (mrc != 0)
        return FILES_FAILED;
    unlink(j->partial); /* ours, from an interrupted run */
    j->out_fd = open(j->partial, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (j->out_fd < 0) {
        sb_printf(j->err, _("cannot create %s: %s"), j->partial, strerror(errno));
        return FILES_FAILED;
    }
    if (open_writer(j, o) != 0)
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
    if (finish(j, archive) != 0)
        return FILES_FAILED;
    meter_tick(&j->meter, NULL, true);
    return FILES_OK;
}

enum files_result backup_library(const char *src, const char *archive, const struct backup_options *o,
                                 const struct reporter *rep, struct strbuf *err)
{
    if (check_archive_path(src, archive, err) != 0)
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
    report_msg(rep, REC_MESSAGE, _("%llu entries, %llu files, %s to back up"),
               (unsigned long long)t.entries, (unsigned long long)t.files, sb_str(&size));
    sb_free(&size);
    if (o->space_check && check_space(archive, t.unique_bytes, err) != 0)
        return FILES_FAILED;

    /* ulimit -f must give an error we can report, not kill us mid-write. */
    signal(SIGXFSZ, SIG_IGN);
    struct backup_job j = {.src = src, .strategy = o->strategy, .rep = rep, .err = err, .out_fd = -1};
    j.partial = xasprintf("%s.partial", archive);
    j.buf = xmalloc(READ_BUFFER);
    double started = now_monotonic();
    enum files_result res = run_backup(&j, archive, o, &t);
    if (res != FILES_OK) {
        if (j.ar)
            archive_write_fail(j.ar);
        if (j.out_fd >= 0)
            close(j.out_fd);
        unlink(j.partial); /* never leave anything that looks like a backup */
        manifest_abort(&j.manifest);
    } else {
        struct strbuf shown = {0};
        format_bytes(t.bytes, &shown);
        report_msg(rep, REC_FILEOP, _("wrote %s (%s of files in %.1f s) and %s.manifest"), archive,
                   sb_str(&shown), now_monotonic() - started, archive);
        sb_free(&shown);
    }
    if (j.ar)
        archive_write_free(j.ar);
    if (j.links)
        archive_entry_linkresolver_free(j.links);
    meter_free(&j.meter);
    sb_free(&j.target);
    sb_free(&j.said);
    free(j.buf);
    free((char *)j.partial);
    return res;
}
