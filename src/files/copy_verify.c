/* Checking a copy: every source entry must be in DST with equal metadata and content. */
#include "common.h"
#include "files/compare.h"
#include "files/copy.h"
#include "files/copy_record.h"
#include "files/meter.h"
#include "files/walk.h"
#include "files/xxh64.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMP_BUFFER (1u << 20)

/* ---- the files a run cloned ---- */

void clone_set_add(struct clone_set *s, dev_t dev, ino_t ino)
{
    if (s->count == s->cap) {
        s->cap = s->cap * 2 + 64;
        s->ids = xrealloc(s->ids, s->cap * sizeof *s->ids);
    }
    s->ids[s->count++] = (struct clone_id){.dev = dev, .ino = ino};
    s->sorted = false;
}

static int clone_id_cmp(const void *pa, const void *pb)
{
    const struct clone_id *a = pa, *b = pb;
    if (a->dev != b->dev)
        return a->dev < b->dev ? -1 : 1;
    return a->ino < b->ino ? -1 : a->ino > b->ino;
}

struct clone_id *clone_set_find(struct clone_set *s, dev_t dev, ino_t ino)
{
    if (!s || !s->count)
        return NULL;
    if (!s->sorted) {
        qsort(s->ids, s->count, sizeof *s->ids, clone_id_cmp);
        s->sorted = true;
    }
    struct clone_id key = {.dev = dev, .ino = ino};
    return bsearch(&key, s->ids, s->count, sizeof *s->ids, clone_id_cmp);
}

void clone_set_free(struct clone_set *s)
{
    free(s->ids);
    memset(s, 0, sizeof *s);
}

/* ---- the comparison ---- */

struct file_count {
    uint64_t files, bytes;
};

struct cmp_job {
    const char *src, *dst;
    const struct reporter *rep;
    struct strbuf *err;
    int otherfd; /* the root of the other tree */
    bool compare_owner;
    bool cancelled;
    struct clone_set *clones;          /* content not re-read (NULL: none) */
    struct copy_record_reader *record; /* hashes of what was copied (NULL: none) */
    struct clone_set hashed_links;     /* DST files of several names checked by their hash */
    struct file_count trusted;         /* clones met (each once): not read */
    struct file_count read_back;       /* read back by the pre-copy, untouched since: not read */
    struct file_count hashed;          /* copies read, checked by their hash (not the source) */
    struct file_count compared;        /* compared byte for byte with the source */
    uint64_t different, missing, extra;
    unsigned char *buf;
    struct strbuf link_a, link_b, why;
    struct meter meter;
};

static void report_path(struct cmp_job *j, enum record_kind kind, const char *fmt, const char *path,
                        const char *why)
{
    struct strbuf shown = {0};
    display_path("", path, &shown);
    report_msg(j->rep, kind, fmt, sb_str(&shown), why);
    sb_free(&shown);
}

static void compare_files(struct cmp_job *j, const struct walk_entry *e)
{
    int a = open_for_reading(e->dirfd, e->name, &e->st);
    int b = e->depth ? open_beneath(j->otherfd, e->path, O_RDONLY | O_NONBLOCK) : -1;
    int eq = a >= 0 && b >= 0 ? content_equal(a, b, j->buf, j->buf + CMP_BUFFER, CMP_BUFFER) : -1;
    if (eq != 1)
        sb_printf(&j->why, "%s%s", j->why.len ? ", " : "", eq < 0 ? strerror(errno) : _("content"));
    j->meter.bytes_done += (uint64_t)e->st.st_size;
    if (a >= 0)
        close(a);
    if (b >= 0)
        close(b);
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* The record's entry for the source file e, with a hash or as a clone, when the source still
 * holds what the copy read: the same size, mtime and (trusted) ctime. NULL when there is none:
 * the source must be read. */
static const struct copy_record_entry *recorded(struct cmp_job *j, const struct walk_entry *e)
{
    const struct copy_record_entry *r = j->record ? copy_record_lookup(j->record, e->path) : NULL;
    if (!r || r->type != 'f' || !(r->hashed || r->cloned) || r->size != (uint64_t)e->st.st_size ||
        !same_time(&r->mtime, &e->st.st_mtim) || !same_time(&r->ctime, &e->st.st_ctim) ||
        (r->ctime.tv_sec == 0 && r->ctime.tv_nsec == 0))
        return NULL;
    return r;
}

/* Was DST's copy (have) of r read back from the disk against r's hash (the pre-copy's
 * read-back; for a clone: found still the clone) and is it untouched since? The same inode
 * and ctime: writing into the copy, or setting its times back afterwards, moves the ctime,
 * which no one can set back. */
static bool read_back_untouched(const struct copy_record_entry *r, const struct stat *have)
{
    return r->verified.done && r->verified.ino == (uint64_t)have->st_ino &&
           same_time(&r->verified.ctime, &have->st_ctim) && (uint64_t)have->st_size == r->size &&
           same_time(&have->st_mtim, &r->mtime);
}

/* Reads DST's copy of e and compares its XXH64 with want: the source is not read. */
static void compare_hash(struct cmp_job *j, const struct walk_entry *e, uint64_t want)
{
    int b = open_beneath(j->otherfd, e->path, O_RDONLY | O_NONBLOCK);
    struct xxh64_state h;
    xxh64_init(&h, 0);
    ssize_t n = 0;
    if (b >= 0) {
        posix_fadvise(b, 0, 0, POSIX_FADV_SEQUENTIAL);
        while ((n = read(b, j->buf, CMP_BUFFER)) > 0 || (n < 0 && errno == EINTR))
            if (n > 0)
                xxh64_update(&h, j->buf, (size_t)n);
    }
    if (b < 0 || n < 0)
        sb_printf(&j->why, "%s%s", j->why.len ? ", " : "", strerror(errno));
    else if (xxh64_final(&h) != want)
        sb_printf(&j->why, "%s%s", j->why.len ? ", " : "", _("content"));
    j->hashed.files++;
    j->hashed.bytes += (uint64_t)e->st.st_size;
    j->meter.bytes_done += (uint64_t)e->st.st_size;
    if (b >= 0)
        close(b);
}

static void count(struct file_count *c, const struct walk_entry *e)
{
    c->files++;
    c->bytes += (uint64_t)e->st.st_size;
}

/* Compares the content of a regular file e whose metadata matched DST's (have): not at all
 * for a clone this run made, another name of a file already checked by its hash, or a copy
 * read back (or a clone marked) during the pre-copy and untouched since; by the record's hash
 * (DST only) when it has one, else byte for byte against the source. */
static void compare_content(struct cmp_job *j, const struct walk_entry *e, const struct stat *have)
{
    const struct copy_record_entry *r = recorded(j, e);
    struct clone_id *c = clone_set_find(j->clones, have->st_dev, have->st_ino);
    bool several = have->st_nlink > 1;
    if (c) {
        if (!c->seen)
            count(&j->trusted, e);
        c->seen = true;
    } else if (several && clone_set_find(&j->hashed_links, have->st_dev, have->st_ino)) {
        /* another name of a file checked already */
    } else if (r && read_back_untouched(r, have)) {
        count(&j->read_back, e);
        if (several)
            clone_set_add(&j->hashed_links, have->st_dev, have->st_ino);
    } else if (r && r->hashed) {
        compare_hash(j, e, r->hash);
        if (several && !j->why.len)
            clone_set_add(&j->hashed_links, have->st_dev, have->st_ino);
        return; /* compare_hash moved the meter */
    } else {
        count(&j->compared, e);
        compare_files(j, e);
        return;
    }
    j->meter.bytes_done += (uint64_t)e->st.st_size;
}

static enum walk_verdict cmp_pre(void *ud, const struct walk_entry *e)
{
    struct cmp_job *j = ud;
    if (report_cancelled(j->rep)) {
        j->cancelled = true;
        return WALK_STOP;
    }
    struct stat have;
    int rc = e->depth ? lstat_beneath(j->otherfd, e->path, &have) : fstat(j->otherfd, &have);
    if (rc != 0) {
        j->missing++;
        report_path(j, REC_ERROR, _("missing in the copy: %s%s"), e->path, "");
        return WALK_PRUNE;
    }
    sb_reset(&j->link_a);
    sb_reset(&j->link_b);
    if (S_ISLNK(e->st.st_mode)) {
        read_link(e->dirfd, e->name, &j->link_a);
        if (S_ISLNK(have.st_mode)) {
            char *slash = strrchr(e->path, '/');
            char *dir = slash ? xstrndup(e->path, (size_t)(slash - e->path)) : NULL;
            int dfd = dir ? open_beneath(j->otherfd, dir, O_RDONLY | O_DIRECTORY) : j->otherfd;
            if (dfd >= 0)
                read_link(dfd, slash ? slash + 1 : e->path, &j->link_b);
            if (dir && dfd >= 0)
                close(dfd);
            free(dir);
        }
    }
    struct entry_meta want, got;
    meta_from_stat(&want, &e->st, j->link_a.buf);
    meta_from_stat(&got, &have, j->link_b.buf);
    if (!j->compare_owner)
        got.uid = want.uid, got.gid = want.gid;
    sb_reset(&j->why);
    meta_compare(&want, &got, &j->why);
    if (S_ISREG(e->st.st_mode) && e->st.st_nlink != have.st_nlink)
        sb_printf(&j->why, "%s%s", j->why.len ? ", " : "", _("hard links"));
    if (j->why.len == 0 && S_ISREG(e->st.st_mode))
        compare_content(j, e, &have);
    if (j->why.len) {
        j->different++;
        report_path(j, REC_ERROR, _("different in the copy: %s (%s)"), e->path, j->why.buf);
    }
    if (S_ISREG(e->st.st_mode))
        j->meter.files_done++;
    meter_tick(&j->meter, e->path, false);
    return WALK_CONTINUE;
}

/* Second pass, over DST: what the source does not have. */
static enum walk_verdict extra_pre(void *ud, const struct walk_entry *e)
{
    struct cmp_job *j = ud;
    struct stat st;
    if (e->depth == 0 || lstat_beneath(j->otherfd, e->path, &st) == 0)
        return WALK_CONTINUE;
    j->extra++;
    report_path(j, REC_WARNING, _("only in the copy (not in the source): %s%s"), e->path, "");
    return WALK_PRUNE;
}

static enum walk_verdict cmp_error(void *ud, const char *path, const char *what, int err)
{
    struct cmp_job *j = ud;
    if (!j->err->len)
        sb_printf(j->err, _("cannot read %s/%s: %s"), j->src, path, strerror(err));
    return WALK_STOP;
}

static int open_root(const char *path, struct strbuf *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        sb_printf(err, _("cannot open %s: %s"), path, strerror(errno));
    return fd;
}

/* One line of the summary, fmt taking the count and the size, when c is not empty. */
static void report_count(const struct reporter *rep, const struct file_count *c, const char *fmt)
{
    if (!c->files)
        return;
    struct strbuf size = {0};
    format_bytes(c->bytes, &size);
    report_msg(rep, REC_MESSAGE, fmt, (unsigned long long)c->files, sb_str(&size));
    sb_free(&size);
}

/* How the content of each file was checked, and how much was read. */
static void report_trusted(const struct cmp_job *j)
{
    report_count(j->rep, &j->hashed,
                 _("%llu files (%s) were checked against the hash taken while copying them: "
                   "only the copy was read"));
    report_count(j->rep, &j->trusted,
                 _("%llu files (%s) are clones made by this copy: their content was not read "
                   "again (their metadata was compared)"));
    if (!j->record || !j->record->version)
        return;
    struct strbuf kept = {0}, now = {0};
    format_bytes(j->read_back.bytes, &kept);
    format_bytes(j->hashed.bytes + j->compared.bytes, &now);
    report_msg(j->rep, REC_MESSAGE,
               _("%llu files (%s) verified during the pre-copy, unchanged since (metadata "
                 "compared); %llu read now (%s)"),
               (unsigned long long)j->read_back.files, sb_str(&kept),
               (unsigned long long)(j->hashed.files + j->compared.files), sb_str(&now));
    sb_free(&kept);
    sb_free(&now);
}

enum files_result copy_verify(const char *src, const char *dst, bool compare_owner,
                              struct clone_set *clones, struct copy_record_reader *record,
                              const struct reporter *rep, struct strbuf *err)
{
    struct cmp_job j = {.src = src,
                        .dst = dst,
                        .rep = rep,
                        .err = err,
                        .compare_owner = compare_owner,
                        .clones = clones,
                        .record = record};
    report_msg(rep, REC_MESSAGE, _("Verifying the copy %s against %s ..."), dst, src);
    j.otherfd = open_root(dst, err);
    if (j.otherfd < 0)
        return FILES_FAILED;
    j.buf = xmalloc(2 * CMP_BUFFER);
    meter_start(&j.meter, rep, "bytes", 0, 0);
    struct walk_ops ops = {.pre = cmp_pre, .error = cmp_error, .ud = &j};
    long rc = walk_tree(src, &ops);
    close(j.otherfd);
    if (rc == 0 && !j.cancelled && !err->len) {
        j.src = dst;
        j.otherfd = open_root(src, err);
        struct walk_ops extra = {.pre = extra_pre, .error = cmp_error, .ud = &j};
        rc = j.otherfd >= 0 ? walk_tree(dst, &extra) : -1;
        if (j.otherfd >= 0)
            close(j.otherfd);
    }
    meter_tick(&j.meter, NULL, true); /* the final figures, whatever the throttle held back */
    enum files_result r = FILES_OK;
    if (j.cancelled)
        r = FILES_CANCELLED;
    else if (rc != 0 || err->len) {
        if (!err->len)
            sb_append(err, _("cannot verify the copy"));
        r = FILES_FAILED;
    } else if (j.missing || j.different) {
        sb_printf(err, _("the copy differs from the source: %llu missing, %llu different"),
                  (unsigned long long)j.missing, (unsigned long long)j.different);
        r = FILES_DIFFERENT;
    } else {
        report_trusted(&j);
        report_msg(rep, REC_MESSAGE, _("the copy %s equals %s"), dst, src);
    }
    free(j.buf);
    clone_set_free(&j.hashed_links);
    sb_free(&j.link_a);
    sb_free(&j.link_b);
    sb_free(&j.why);
    meter_free(&j.meter);
    return r;
}
