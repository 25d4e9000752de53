#include "common.h"
#include "files/archive_sink.h"
#include "files/fsutil.h"
#include "sys/safepath.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUTPUT_BLOCK (1u << 20)
/* Start writing the archive to the disk every so many bytes, so that the final fsync does
 * not find gigabytes of dirty pages (and the disk works while we compress). */
#define WRITEBACK_STEP (32u << 20)

static la_ssize_t out_write(struct archive *a, void *ud, const void *buf, size_t len)
{
    struct archive_sink *s = ud;
    const char *p = buf;
    size_t left = len;
    while (left) {
        ssize_t n = write(s->out_fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            s->write_errno = errno;
            archive_set_error(a, errno, "%s", strerror(errno));
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    s->written += len;
    if (s->written - s->flushed >= WRITEBACK_STEP) {
        /* asynchronous: only starts the write-out; errors surface at the fsync */
        sync_file_range(s->out_fd, (off64_t)s->flushed, (off64_t)(s->written - s->flushed),
                        SYNC_FILE_RANGE_WRITE);
        s->flushed = s->written;
    }
    return (la_ssize_t)len;
}

static void fail_archive(struct archive_sink *s)
{
    if (s->err->len)
        return;
    if (s->write_errno) {
        sb_printf(s->err, _("cannot write %s: %s"), s->partial, strerror(s->write_errno));
        if (s->write_errno == ENOSPC || s->write_errno == EFBIG || s->write_errno == EDQUOT)
            sb_append(s->err, _(" (the disk or the allowed file size is full)"));
    } else {
        sb_printf(s->err, _("archive error: %s"), archive_text(s->ar, &s->said));
    }
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path)))
                 : xstrdup(".");
}

int archive_sink_check_path(const char *root, const char *archive, struct strbuf *err)
{
    if (access(archive, F_OK) == 0) {
        sb_printf(err, _("%s already exists; a backup is never overwritten"), archive);
        return -1;
    }
    char *dir = dir_of(archive);
    struct strbuf why = {0};
    char *rdir = path_judge(dir, PATH_WRITE, &why), *rsrc = resolve_path(root);
    int rc = 0;
    if (!rdir) {
        sb_printf(err, _("cannot use the directory %s: %s"), dir, sb_str(&why));
        rc = -1;
    } else if (!rsrc) {
        sb_printf(err, _("cannot read %s: %s"), root, strerror(errno));
        rc = -1;
    } else if (path_is_within(rdir, rsrc)) {
        sb_printf(err, _("the archive %s must not be inside the library %s"), archive, root);
        rc = -1;
    }
    sb_free(&why);
    free(dir);
    free(rdir);
    free(rsrc);
    return rc;
}

static int open_writer(struct archive_sink *s, int level, int threads)
{
    char num[32];
    s->ar = archive_write_new();
    archive_write_set_format_pax(s->ar);
    archive_write_add_filter_zstd(s->ar);
    snprintf(num, sizeof num, "%d", level);
    int r = archive_write_set_filter_option(s->ar, "zstd", "compression-level", num);
    if (r == ARCHIVE_OK && threads > 0) {
        snprintf(num, sizeof num, "%d", threads);
        r = archive_write_set_filter_option(s->ar, "zstd", "threads", num);
    }
    if (r != ARCHIVE_OK) {
        sb_printf(s->err, _("zstd settings refused: %s"), archive_text(s->ar, &s->said));
        return -1;
    }
    archive_write_set_bytes_per_block(s->ar, OUTPUT_BLOCK);
    archive_write_set_bytes_in_last_block(s->ar, 1);
    if (archive_write_open2(s->ar, s, NULL, out_write, NULL, NULL) != ARCHIVE_OK) {
        fail_archive(s);
        return -1;
    }
    s->links = archive_entry_linkresolver_new();
    archive_entry_linkresolver_set_strategy(s->links, ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE);
    return 0;
}

int archive_sink_open(struct archive_sink *s, const char *root, const char *archive, int level,
                      int threads, const struct reporter *rep, struct strbuf *err)
{
    memset(s, 0, sizeof *s);
    s->root = root;
    s->rep = rep;
    s->err = err;
    s->out_fd = -1;
    s->archive = xstrdup(archive);
    s->partial = xasprintf("%s.partial", archive);
    char *manifest_path = xasprintf("%s.manifest", archive);
    int mrc = manifest_open(&s->manifest, manifest_path, err);
    free(manifest_path);
    if (mrc != 0)
        return -1;
    s->manifest_open = true;
    unlink(s->partial); /* ours, from an interrupted run */
    s->out_fd = open(s->partial, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (s->out_fd < 0) {
        sb_printf(err, _("cannot create %s: %s"), s->partial, strerror(errno));
        return -1;
    }
    return open_writer(s, level, threads);
}

int archive_sink_begin(struct archive_sink *s, const char *path, const struct stat *st,
                       const char *link)
{
    struct archive_entry *entry = archive_entry_new2(s->ar);
    archive_entry_copy_pathname(entry, path);
    archive_entry_copy_stat(entry, st);
    if (!S_ISREG(st->st_mode))
        archive_entry_set_size(entry, 0);
    if (S_ISLNK(st->st_mode))
        archive_entry_copy_symlink(entry, link ? link : "");
    if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
        struct archive_entry *spare = NULL;
        archive_entry_linkify(s->links, &entry, &spare);
        if (spare)
            archive_entry_free(spare);
    }
    const char *link_to = archive_entry_hardlink(entry);
    /* an 'h' line carries the checksum of the earlier name, so that verify-backup checks
     * which file each hard link points to without remembering the inodes */
    bool hardlink = link_to != NULL;
    uint64_t link_sum = hardlink ? xxh64(link_to, strlen(link_to), 0) : 0;
    int r = archive_write_header(s->ar, entry);
    archive_entry_free(entry);
    if (r == ARCHIVE_WARN) {
        struct strbuf shown = {0};
        display_path(s->root, path, &shown);
        report_msg(s->rep, REC_WARNING, _("%s: %s"), sb_str(&shown), archive_text(s->ar, &s->said));
        sb_free(&shown);
    } else if (r != ARCHIVE_OK) {
        fail_archive(s);
        return -1;
    }
    if (S_ISREG(st->st_mode) && !hardlink) {
        s->in_file = true;
        s->left = (uint64_t)st->st_size;
        s->clamped = false;
        s->st = *st;
        free(s->path);
        s->path = xstrdup(path);
        xxh64_init(&s->h, 0);
        return 1;
    }
    if (hardlink)
        manifest_add(&s->manifest, path, st, 'h', true, link_sum);
    else if (S_ISLNK(st->st_mode))
        manifest_add(&s->manifest, path, st, 'l', true, xxh64(link ? link : "", link ? strlen(link) : 0, 0));
    else
        manifest_add(&s->manifest, path, st, manifest_type(st->st_mode), false, 0);
    return 0;
}

static int put_data(struct archive_sink *s, const void *buf, size_t n)
{
    xxh64_update(&s->h, buf, n);
    if (archive_write_data(s->ar, buf, n) != (la_ssize_t)n) {
        fail_archive(s);
        return -1;
    }
    s->left -= n;
    return 0;
}

int archive_sink_feed(struct archive_sink *s, const void *buf, size_t n)
{
    if (n > s->left) {
        s->clamped = true;
        n = (size_t)s->left;
    }
    return n ? put_data(s, buf, n) : 0;
}

int archive_sink_end(struct archive_sink *s, bool *exact)
{
    static const unsigned char zeros[64 << 10];
    if (exact)
        *exact = s->left == 0 && !s->clamped;
    while (s->left > 0) /* the file shrank while read: the header promised more */
        if (put_data(s, zeros, s->left < sizeof zeros ? (size_t)s->left : sizeof zeros) != 0)
            return -1;
    s->in_file = false;
    manifest_add(&s->manifest, s->path, &s->st, 'f', true, xxh64_final(&s->h));
    return 0;
}

int archive_sink_close(struct archive_sink *s)
{
    if (archive_write_close(s->ar) != ARCHIVE_OK) {
        fail_archive(s);
        return -1;
    }
    if (fsync(s->out_fd) != 0 || close(s->out_fd) != 0) {
        s->out_fd = -1;
        sb_printf(s->err, _("cannot write %s: %s"), s->partial, strerror(errno));
        return -1;
    }
    s->out_fd = -1;
    if (manifest_commit(&s->manifest, s->err) != 0)
        return -1;
    s->manifest_open = false;
    if (rename(s->partial, s->archive) != 0 || fsync_parent_dir(s->archive) != 0) {
        sb_printf(s->err, _("cannot rename %s: %s"), s->partial, strerror(errno));
        return -1;
    }
    return 0;
}

void archive_sink_abort(struct archive_sink *s)
{
    if (s->ar)
        archive_write_fail(s->ar);
    if (s->out_fd >= 0)
        close(s->out_fd);
    s->out_fd = -1;
    if (s->partial)
        unlink(s->partial); /* never leave anything that looks like a backup */
    if (s->manifest_open)
        manifest_abort(&s->manifest);
    s->manifest_open = false;
}

void archive_sink_free(struct archive_sink *s)
{
    if (s->ar)
        archive_write_free(s->ar);
    if (s->links)
        archive_entry_linkresolver_free(s->links);
    sb_free(&s->said);
    free(s->archive);
    free(s->partial);
    free(s->path);
    memset(s, 0, sizeof *s);
}
