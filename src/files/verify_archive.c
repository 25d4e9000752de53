/* verify-backup against the manifest: the archive and ARCHIVE.manifest are read side by side
 * (both in walk order); the library is never opened. */
#include "common.h"
#include "files/compare.h"
#include "files/fsutil.h"
#include "files/manifest.h"
#include "files/manifest_read.h"
#include "files/meter.h"
#include "files/verify.h"
#include "files/walk.h"
#include "files/xxh64.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_BUFFER (1u << 20)

struct archive_check {
    struct strbuf said;
    const struct reporter *rep;
    struct strbuf *err;
    struct verify_counts *n;
    struct archive *ar;
    struct archive_entry *cur; /* the archive entry waiting for its manifest line, or NULL */
    struct strbuf cur_path, prev_path;
    struct manifest_reader man;
    struct manifest_entry want;
    bool have_want; /* want holds a manifest entry not yet matched */
    bool failed;
    unsigned char *buf;
    struct strbuf why;
    struct meter meter;
};

static void say_entry(struct archive_check *c, const char *fmt, const char *path, const char *why)
{
    struct strbuf shown = {0};
    display_path("", path, &shown);
    report_msg(c->rep, REC_ERROR, fmt, sb_str(&shown), why);
    sb_free(&shown);
}

static void fail_archive(struct archive_check *c)
{
    if (!c->err->len)
        sb_printf(c->err, _("cannot read the archive: %s"), archive_text(c->ar, &c->said));
    c->failed = true;
}

/* The next archive entry into c->cur (NULL at the end), in walk order or a failure. */
static void next_archive(struct archive_check *c)
{
    for (;;) {
        int r = archive_read_next_header(c->ar, &c->cur);
        if (r == ARCHIVE_EOF) {
            c->cur = NULL;
            return;
        }
        if (r < ARCHIVE_WARN) {
            fail_archive(c);
            c->cur = NULL;
            return;
        }
        verify_normalise_path(archive_entry_pathname(c->cur), &c->cur_path);
        if (c->cur_path.len == 0)
            continue;
        if (c->prev_path.len && walk_path_cmp(c->prev_path.buf, c->cur_path.buf) >= 0) {
            sb_printf(c->err, _("the archive is not in the order immich-migrate backup writes"));
            c->failed = true;
            c->cur = NULL;
            return;
        }
        sb_reset(&c->prev_path);
        sb_append(&c->prev_path, c->cur_path.buf);
        return;
    }
}

/* The next manifest entry into c->want (have_want false at its end). */
static void next_manifest(struct archive_check *c)
{
    int r = manifest_next(&c->man, &c->want, c->err);
    c->have_want = r == 1;
    if (r < 0)
        c->failed = true;
}

static void add_why(struct archive_check *c, const char *what)
{
    sb_printf(&c->why, "%s%s", c->why.len ? ", " : "", what);
}

static mode_t type_bits(char type)
{
    switch (type) {
    case 'd': return S_IFDIR;
    case 'l': return S_IFLNK;
    case 'p': return S_IFIFO;
    case 'c': return S_IFCHR;
    case 'b': return S_IFBLK;
    default: return S_IFREG; /* 'f', 'h' */
    }
}

/* Reads the entry's data, comparing its length and XXH64 with the manifest's. */
static void check_content(struct archive_check *c)
{
    struct xxh64_state h;
    xxh64_init(&h, 0);
    uint64_t got = 0;
    for (;;) {
        la_ssize_t n = archive_read_data(c->ar, c->buf, VERIFY_BUFFER);
        if (n < 0) {
            fail_archive(c);
            return;
        }
        if (n == 0)
            break;
        xxh64_update(&h, c->buf, (size_t)n);
        got += (uint64_t)n;
        c->meter.bytes_done += (uint64_t)n;
        meter_tick(&c->meter, c->cur_path.buf, false);
    }
    if (got != c->want.size)
        add_why(c, _("size"));
    else if (!c->want.has_checksum || xxh64_final(&h) != c->want.checksum)
        add_why(c, _("content"));
}

static void check_entry(struct archive_check *c)
{
    struct archive_entry *a = c->cur;
    const struct manifest_entry *w = &c->want;
    const char *hardlink = archive_entry_hardlink(a);
    char type = hardlink ? 'h' : manifest_type(archive_entry_filetype(a));
    struct entry_meta want = {0}, have = {0};
    have.mode = hardlink ? (S_IFREG | (archive_entry_perm(a) & 07777)) : archive_entry_mode(a);
    have.uid = (uid_t)archive_entry_uid(a);
    have.gid = (gid_t)archive_entry_gid(a);
    have.size = type == 'f' ? archive_entry_size(a) : 0;
    have.mtime.tv_sec = archive_entry_mtime(a);
    have.mtime.tv_nsec = archive_entry_mtime_nsec(a);
    /* version 1 recorded no owners: those fields are taken as the archive has them */
    want.mode = type_bits(w->type) | (w->has_owner ? w->mode : (have.mode & 07777));
    want.uid = w->has_owner ? w->uid : have.uid;
    want.gid = w->has_owner ? w->gid : have.gid;
    want.size = w->type == 'f' ? (int64_t)w->size : 0;
    want.mtime.tv_sec = w->mtime_sec;
    want.mtime.tv_nsec = w->mtime_nsec;
    sb_reset(&c->why);
    if (type != w->type)
        add_why(c, _("type"));
    else
        meta_compare(&want, &have, &c->why);
    if (type == w->type && type == 'l') {
        const char *t = archive_entry_symlink(a);
        if (!t || !w->has_checksum || xxh64(t, strlen(t), 0) != w->checksum)
            add_why(c, _("link target"));
    } else if (type == w->type && type == 'h' && w->has_checksum) {
        struct strbuf t = {0};
        verify_normalise_path(hardlink, &t);
        if (xxh64(t.buf, t.len, 0) != w->checksum)
            add_why(c, _("hard link"));
        sb_free(&t);
    } else if (type == w->type && type == 'f' && c->why.len == 0) {
        check_content(c);
    }
    if (type == 'f' || type == 'h')
        c->meter.files_done++;
    c->n->compared++;
    if (c->why.len) {
        c->n->different++;
        say_entry(c, _("different: %s (%s)"), c->cur_path.buf, c->why.buf);
    }
}

/* The merge of the two sorted streams. */
static void compare_streams(struct archive_check *c)
{
    next_archive(c);
    next_manifest(c);
    while (!c->failed && (c->cur || c->have_want)) {
        if (report_cancelled(c->rep))
            return;
        int cmp = !c->cur ? 1 : !c->have_want ? -1 : walk_path_cmp(c->cur_path.buf, c->want.path);
        if (cmp < 0) {
            c->n->only_in_archive++;
            say_entry(c, _("only in the archive (not in its manifest): %s%s"), c->cur_path.buf, "");
            next_archive(c);
        } else if (cmp > 0) {
            c->n->only_in_library++;
            say_entry(c, _("missing from the archive (listed in its manifest): %s%s"), c->want.path,
                      "");
            next_manifest(c);
        } else {
            check_entry(c);
            if (c->failed)
                return;
            next_archive(c);
            next_manifest(c);
        }
        meter_tick(&c->meter, c->cur ? c->cur_path.buf : NULL, false);
        test_pause_verify_entry();
    }
}

static enum files_result run_check(struct archive_check *c, const char *archive)
{
    char *manifest_path = xasprintf("%s.manifest", archive);
    int rc = manifest_reader_open(&c->man, manifest_path, c->err);
    if (rc != 0)
        sb_printf(c->err,
                  _("; without it, `immich-migrate verify-backup %s LIBRARY` compares "
                    "with the library instead (reading it again)"),
                  archive);
    uint64_t files = 0, bytes = 0;
    if (rc == 0)
        manifest_totals(manifest_path, &files, &bytes);
    free(manifest_path);
    if (rc != 0)
        return FILES_FAILED;
    if (c->man.version == 1)
        report_msg(c->rep, REC_WARNING,
                   _("the manifest is of an older version: owners and modes are not compared, "
                     "and it has no end line to show it is complete"));
    c->ar = archive_read_new();
    archive_read_support_filter_all(c->ar);
    archive_read_support_format_tar(c->ar);
    if (archive_read_open_filename(c->ar, archive, 1u << 20) != ARCHIVE_OK) {
        sb_printf(c->err, _("cannot open %s: %s"), archive, archive_text(c->ar, &c->said));
        return FILES_FAILED;
    }
    meter_start(&c->meter, c->rep, "bytes", files, bytes);
    compare_streams(c);
    if (c->failed)
        return FILES_FAILED;
    if (report_cancelled(c->rep))
        return FILES_CANCELLED;
    meter_tick(&c->meter, NULL, true);
    uint64_t bad = c->n->only_in_archive + c->n->only_in_library + c->n->different;
    if (bad) {
        sb_printf(c->err,
                  _("%llu differences from the manifest: %llu only in the archive, %llu missing "
                    "from it, %llu different"),
                  (unsigned long long)bad, (unsigned long long)c->n->only_in_archive,
                  (unsigned long long)c->n->only_in_library, (unsigned long long)c->n->different);
        return FILES_DIFFERENT;
    }
    return FILES_OK;
}

enum files_result verify_backup_manifest(const char *archive, const struct reporter *rep,
                                         struct verify_counts *counts, struct strbuf *err)
{
    memset(counts, 0, sizeof *counts);
    struct archive_check c = {.rep = rep, .err = err, .n = counts};
    c.buf = xmalloc(VERIFY_BUFFER);
    enum files_result r = run_check(&c, archive);
    if (r == FILES_OK)
        report_msg(rep, REC_MESSAGE,
                   _("%s matches its manifest: %llu entries compared (the library was not read)"),
                   archive, (unsigned long long)counts->compared);
    if (c.ar)
        archive_read_free(c.ar);
    manifest_reader_close(&c.man);
    free(c.buf);
    sb_free(&c.cur_path);
    sb_free(&c.prev_path);
    sb_free(&c.why);
    sb_free(&c.said);
    meter_free(&c.meter);
    return r;
}
