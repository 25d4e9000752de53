#include "common.h"
#include "files/verify.h"
#include "files/compare.h"
#include "files/manifest.h"
#include "files/meter.h"
#include "files/walk.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VERIFY_BUFFER (1u << 20)

struct verify_job {
    struct strbuf said; /* libarchive's last message, control bytes escaped */
    const char *src;
    enum backup_strategy strategy;
    const struct reporter *rep;
    struct strbuf *err;
    struct verify_counts *n;
    struct archive *ar;
    struct archive_entry *cur; /* the archive entry waiting for its library twin, or NULL */
    struct strbuf cur_path;    /* its path, normalised like walk paths */
    struct strbuf prev_path;
    int rootfd;
    bool failed, cancelled;
    unsigned char *buf;
    struct strbuf link, why;
    struct meter meter;
};

static void report_entry(struct verify_job *j, const char *fmt, const char *path, const char *why)
{
    struct strbuf shown = {0};
    display_path("", path, &shown);
    report_msg(j->rep, REC_ERROR, fmt, sb_str(&shown), why);
    sb_free(&shown);
}

void verify_normalise_path(const char *raw, struct strbuf *out)
{
    sb_reset(out);
    while (raw[0] == '.' && raw[1] == '/')
        raw += 2;
    while (*raw == '/')
        raw++;
    sb_append(out, raw);
    while (out->len && out->buf[out->len - 1] == '/')
        out->buf[--out->len] = '\0';
}

/* Moves to the next archive entry (NULL at the end). */
static void advance(struct verify_job *j)
{
    for (;;) {
        int r = archive_read_next_header(j->ar, &j->cur);
        if (r == ARCHIVE_EOF) {
            j->cur = NULL;
            return;
        }
        if (r < ARCHIVE_WARN) {
            sb_printf(j->err, _("cannot read the archive: %s"), archive_text(j->ar, &j->said));
            j->failed = true;
            j->cur = NULL;
            return;
        }
        verify_normalise_path(archive_entry_pathname(j->cur), &j->cur_path);
        if (j->cur_path.len == 0)
            continue; /* the root itself, written by other tools */
        if (j->prev_path.len && walk_path_cmp(j->prev_path.buf, j->cur_path.buf) >= 0) {
            sb_printf(j->err, _("the archive is not in the order immich-migrate backup writes"));
            j->failed = true;
            j->cur = NULL;
            return;
        }
        sb_reset(&j->prev_path);
        sb_append(&j->prev_path, j->cur_path.buf);
        return;
    }
}

/* Compares the current archive entry's data with the file. Appends "content" to why. */
static void compare_content(struct verify_job *j, const struct walk_entry *e)
{
    int fd = open_for_reading(e->dirfd, e->name, &e->st);
    if (fd < 0) {
        sb_printf(&j->why, "%s%s", j->why.len ? ", " : "", strerror(errno));
        return;
    }
    bool equal = true;
    unsigned char *mine = j->buf + VERIFY_BUFFER;
    for (;;) {
        la_ssize_t n = archive_read_data(j->ar, j->buf, VERIFY_BUFFER);
        if (n < 0) {
            sb_printf(j->err, _("cannot read the archive: %s"), archive_text(j->ar, &j->said));
            j->failed = true;
            break;
        }
        /* at the archive's end, the file must end too: ask for one byte more */
        ssize_t got = read_full(fd, mine, n ? (size_t)n : 1);
        if (got != n || (n && memcmp(j->buf, mine, (size_t)n) != 0)) {
            equal = false;
            break;
        }
        if (n == 0)
            break;
        j->meter.bytes_done += (uint64_t)n;
        meter_tick(&j->meter, e->path, false);
    }
    close(fd);
    if (!equal)
        sb_printf(&j->why, "%s%s", j->why.len ? ", " : "", _("content"));
}

/* Is the library entry the same inode as the library file the archive links it to? */
static void compare_hardlink(struct verify_job *j, const struct walk_entry *e, const char *target)
{
    struct strbuf t = {0};
    verify_normalise_path(target, &t);
    struct stat st;
    if (lstat_beneath(j->rootfd, t.buf, &st) != 0 || st.st_ino != e->st.st_ino ||
        st.st_dev != e->st.st_dev)
        sb_printf(&j->why, "%s%s", j->why.len ? ", " : "", _("hard link"));
    sb_free(&t);
}

static void compare_entry(struct verify_job *j, const struct walk_entry *e)
{
    struct archive_entry *a = j->cur;
    struct entry_meta want = {0}, have;
    const char *hardlink = archive_entry_hardlink(a);
    want.mode = hardlink ? (S_IFREG | (archive_entry_perm(a) & 07777)) : archive_entry_mode(a);
    want.uid = (uid_t)archive_entry_uid(a);
    want.gid = (gid_t)archive_entry_gid(a);
    want.size = archive_entry_size(a);
    want.mtime.tv_sec = archive_entry_mtime(a);
    want.mtime.tv_nsec = archive_entry_mtime_nsec(a);
    want.link = archive_entry_symlink(a);
    sb_reset(&j->link);
    if (S_ISLNK(e->st.st_mode) && read_link(e->dirfd, e->name, &j->link) != 0)
        sb_append(&j->link, "?");
    meta_from_stat(&have, &e->st, S_ISLNK(e->st.st_mode) ? j->link.buf : NULL);
    if (hardlink)
        want.size = have.size; /* a hard link entry carries no size of its own */
    sb_reset(&j->why);
    meta_compare(&want, &have, &j->why);
    if (hardlink && S_ISREG(e->st.st_mode))
        compare_hardlink(j, e, hardlink);
    else if (j->why.len == 0 && S_ISREG(e->st.st_mode))
        compare_content(j, e);
    j->n->compared++;
    if (j->why.len) {
        j->n->different++;
        report_entry(j, _("different: %s (%s)"), e->path, j->why.buf);
    }
}

static enum walk_verdict verify_pre(void *ud, const struct walk_entry *e)
{
    struct verify_job *j = ud;
    if (e->depth == 0)
        return WALK_CONTINUE;
    if (report_cancelled(j->rep)) {
        j->cancelled = true;
        return WALK_STOP;
    }
    if (backup_excludes(j->strategy, e->path, e->depth))
        return S_ISDIR(e->st.st_mode) ? WALK_PRUNE : WALK_CONTINUE;
    while (j->cur && walk_path_cmp(j->cur_path.buf, e->path) < 0) {
        j->n->only_in_archive++;
        report_entry(j, _("only in the archive (missing from the library): %s%s"), j->cur_path.buf, "");
        advance(j);
    }
    if (j->failed)
        return WALK_STOP;
    if (j->cur && strcmp(j->cur_path.buf, e->path) == 0) {
        compare_entry(j, e);
        advance(j);
    } else {
        j->n->only_in_library++;
        report_entry(j, _("only in the library (not in the archive): %s%s"), e->path, "");
    }
    if (S_ISREG(e->st.st_mode))
        j->meter.files_done++;
    meter_tick(&j->meter, e->path, false);
    return j->failed ? WALK_STOP : WALK_CONTINUE;
}

static enum walk_verdict verify_error(void *ud, const char *path, const char *what, int err)
{
    struct verify_job *j = ud;
    struct strbuf shown = {0};
    display_path(j->src, path, &shown);
    sb_printf(j->err, _("cannot read %s: %s"), sb_str(&shown), strerror(err));
    sb_free(&shown);
    j->failed = true;
    return WALK_STOP;
}

static enum files_result run_verify(struct verify_job *j, const char *archive)
{
    j->ar = archive_read_new();
    archive_read_support_filter_all(j->ar);
    archive_read_support_format_tar(j->ar);
    if (archive_read_open_filename(j->ar, archive, 1u << 20) != ARCHIVE_OK) {
        sb_printf(j->err, _("cannot open %s: %s"), archive, archive_text(j->ar, &j->said));
        return FILES_FAILED;
    }
    j->rootfd = open(j->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (j->rootfd < 0) {
        sb_printf(j->err, _("cannot open %s: %s"), j->src, strerror(errno));
        return FILES_FAILED;
    }
    /* the totals the backup wrote beside the archive: the bar has an end */
    uint64_t files = 0, bytes = 0;
    char *manifest_path = xasprintf("%s.manifest", archive);
    manifest_totals(manifest_path, &files, &bytes);
    free(manifest_path);
    meter_start(&j->meter, j->rep, "bytes", files, bytes);
    advance(j);
    struct walk_ops ops = {.pre = verify_pre, .error = verify_error, .ud = j};
    walk_tree(j->src, &ops);
    if (j->cancelled)
        return FILES_CANCELLED;
    while (!j->failed && j->cur) {
        j->n->only_in_archive++;
        report_entry(j, _("only in the archive (missing from the library): %s%s"), j->cur_path.buf, "");
        advance(j);
    }
    if (j->failed)
        return FILES_FAILED;
    meter_tick(&j->meter, NULL, true);
    uint64_t bad = j->n->only_in_archive + j->n->only_in_library + j->n->different;
    if (bad) {
        sb_printf(j->err,
                  _("%llu differences: %llu only in the archive, %llu only in the library, "
                    "%llu different"),
                  (unsigned long long)bad, (unsigned long long)j->n->only_in_archive,
                  (unsigned long long)j->n->only_in_library, (unsigned long long)j->n->different);
        return FILES_DIFFERENT;
    }
    return FILES_OK;
}

enum files_result verify_backup(const char *archive, const char *src, enum backup_strategy strategy,
                                const struct reporter *rep, struct verify_counts *counts,
                                struct strbuf *err)
{
    memset(counts, 0, sizeof *counts);
    struct verify_job j = {
        .src = src, .strategy = strategy, .rep = rep, .err = err, .n = counts, .rootfd = -1};
    j.buf = xmalloc(2 * VERIFY_BUFFER);
    enum files_result r = run_verify(&j, archive);
    if (r == FILES_OK)
        report_msg(rep, REC_MESSAGE, _("%s matches %s: %llu entries compared"), archive, src,
                   (unsigned long long)counts->compared);
    if (j.ar)
        archive_read_free(j.ar);
    if (j.rootfd >= 0)
        close(j.rootfd);
    free(j.buf);
    sb_free(&j.cur_path);
    sb_free(&j.prev_path);
    sb_free(&j.link);
    sb_free(&j.why);
    sb_free(&j.said);
    meter_free(&j.meter);
    return r;
}
