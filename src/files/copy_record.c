#include "files/copy_record.h"
#include "files/fsutil.h"
#include "files/walk.h"
#include "sys/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Version 2 adds each file's XXH64, version 3 the copy's state when its content was read back
 * and matched it, version 4 the "=" of a clone in the hash field; versions 1 to 3 are still
 * read (as "no hashes", "not read back", "no clones"). */
#define RECORD_MAGIC_PREFIX "immich-migrate copy record "
#define RECORD_VERSION 4

char copy_record_type(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return 'f';
    case S_IFLNK: return 'l';
    case S_IFDIR: return 'd';
    case S_IFIFO:
    case S_IFCHR:
    case S_IFBLK: return 's';
    default: return '?';
    }
}

/* ---- the text ---- */

/* Bytes that would end a field or a line, and '%' itself, become %XX. */
static void put_escaped(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == '%' || *p == 0x7f)
            fprintf(f, "%%%02X", *p);
        else
            putc(*p, f);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') /* the hashes */
        return c - 'a' + 10;
    return -1;
}

/* Undoes put_escaped on s (up to the end of the line) into out. -1 when malformed. */
static int unescape(const char *s, struct strbuf *out)
{
    sb_reset(out);
    for (; *s && *s != '\n'; s++) {
        if (*s != '%') {
            sb_append_char(out, *s);
            continue;
        }
        int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
        if (lo < 0)
            return -1;
        sb_append_char(out, (char)(hi * 16 + lo));
        s += 2;
    }
    return out->len ? 0 : -1;
}

static void put_header(FILE *f, const char *src, const char *dst)
{
    fprintf(f, RECORD_MAGIC_PREFIX "%d ", RECORD_VERSION);
    put_escaped(f, src);
    putc(' ', f);
    put_escaped(f, dst);
    putc('\n', f);
}

/* The version of the record f starts with when its header names src and dst (1 to
 * RECORD_VERSION), else 0. Reads the header line. */
static int header_version(FILE *f, const char *src, const char *dst)
{
    char *line = NULL;
    size_t cap = 0;
    int version = 0;
    const size_t pre = sizeof RECORD_MAGIC_PREFIX - 1;
    if (getline(&line, &cap, f) > 0 && strncmp(line, RECORD_MAGIC_PREFIX, pre) == 0 &&
        line[pre] >= '1' && line[pre] <= '0' + RECORD_VERSION) {
        char *want = NULL;
        size_t wlen = 0;
        FILE *m = open_memstream(&want, &wlen);
        if (m) {
            put_header(m, src, dst ? dst : "");
            fclose(m);
            /* dst NULL: any DST, the line only has to start with the escaped SRC and a space */
            bool same = dst ? strcmp(line + pre + 1, want + pre + 1) == 0
                            : wlen > pre + 2 && strncmp(line + pre + 1, want + pre + 1, wlen - pre - 2) == 0;
            if (same) /* the same but the version */
                version = line[pre] - '0';
        }
        free(want);
    }
    free(line);
    return version;
}

static bool header_matches(FILE *f, const char *src, const char *dst)
{
    return header_version(f, src, dst) != 0;
}

static bool file_names(const char *path, const char *src, const char *dst)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st;
    FILE *f = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? fdopen(fd, "r") : NULL;
    if (!f) {
        close(fd);
        return false;
    }
    bool ok = header_matches(f, src, dst);
    fclose(f);
    return ok;
}

bool copy_record_names(const char *path, const char *src, const char *dst)
{
    char *partial = xasprintf("%s.partial", path);
    bool ok = file_names(path, src, dst) || file_names(partial, src, dst);
    free(partial);
    return ok;
}

/* Reads the hash field of a version 2 line at *s ("-": none; "=": a clone, from version 4)
 * and moves *s past it and its space. -1 when malformed. */
static int read_hash(const char **s, int version, struct copy_record_entry *e)
{
    e->hashed = false;
    e->cloned = false;
    e->hash = 0;
    if (((*s)[0] == '-' || ((*s)[0] == '=' && version >= 4)) && (*s)[1] == ' ') {
        e->cloned = (*s)[0] == '=';
        *s += 2;
        return 0;
    }
    for (int i = 0; i < 16; i++) {
        int v = hexval((*s)[i]);
        if (v < 0)
            return -1;
        e->hash = e->hash << 4 | (uint64_t)v;
    }
    if ((*s)[16] != ' ')
        return -1;
    *s += 17;
    e->hashed = true;
    return 0;
}

/* Reads the verified field of a version 3 line at *s ("-": not read back, else
 * "INO:SEC.NSEC", the copy's inode and ctime when it was) and moves *s past it and its space.
 * -1 when malformed. */
static int read_verified(const char **s, struct copy_record_check *v)
{
    *v = (struct copy_record_check){0};
    if ((*s)[0] == '-' && (*s)[1] == ' ') {
        *s += 2;
        return 0;
    }
    unsigned long long ino;
    long long sec;
    long nsec;
    int at = -1;
    if (sscanf(*s, "%llu:%lld.%ld %n", &ino, &sec, &nsec, &at) != 3 || at < 0 || nsec < 0 ||
        nsec > 999999999)
        return -1;
    *s += at;
    v->done = true;
    v->ino = ino;
    v->ctime = (struct timespec){.tv_sec = (time_t)sec, .tv_nsec = nsec};
    return 0;
}

/* Reads the next entry of a record of the given version. 1, or 0 at the end (a last line
 * without its newline, written by a killed run, counts as the end), -1 when malformed. */
static int read_entry(FILE *f, int version, struct copy_record_entry *e, char **line, size_t *cap)
{
    ssize_t n = getline(line, cap, f);
    if (n <= 0 || (*line)[n - 1] != '\n')
        return 0;
    long long ms, cs;
    unsigned long long size;
    long mns, cns;
    int at = -1;
    char type;
    if (sscanf(*line, "%c %llu %lld.%ld %lld.%ld %n", &type, &size, &ms, &mns, &cs, &cns, &at) != 6 ||
        at < 0 || !strchr("fdls", type))
        return -1;
    const char *rest = *line + at;
    e->hashed = false;
    e->cloned = false;
    e->verified = (struct copy_record_check){0};
    if ((version >= 2 && read_hash(&rest, version, e) != 0) ||
        (version >= 3 && read_verified(&rest, &e->verified) != 0) || unescape(rest, &e->path) != 0)
        return -1;
    e->type = type;
    e->size = size;
    e->mtime = (struct timespec){.tv_sec = (time_t)ms, .tv_nsec = mns};
    e->ctime = (struct timespec){.tv_sec = (time_t)cs, .tv_nsec = cns};
    return 1;
}

/* hash: the content's XXH64, NULL when unknown (then cloned: DST's file is a clone);
 * verified: the copy's state when read back, NULL (or not done) when it was not. */
static void put_entry(FILE *f, char type, const char *rel, uint64_t size,
                      const struct timespec *mtime, const struct timespec *ctime, const uint64_t *hash,
                      bool cloned, const struct copy_record_check *verified)
{
    fprintf(f, "%c %" PRIu64 " %lld.%09ld %lld.%09ld ", type, size, (long long)mtime->tv_sec,
            mtime->tv_nsec, (long long)ctime->tv_sec, ctime->tv_nsec);
    if (hash)
        fprintf(f, "%016" PRIx64 " ", *hash);
    else
        fputs(cloned ? "= " : "- ", f);
    if (verified && verified->done)
        fprintf(f, "%llu:%lld.%09ld ", (unsigned long long)verified->ino,
                (long long)verified->ctime.tv_sec, verified->ctime.tv_nsec);
    else
        fputs("- ", f);
    put_escaped(f, rel);
    putc('\n', f);
}

/* ---- merging a killed run's record ---- */

static FILE *open_file(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, (flags & O_ACCMODE) == O_RDONLY ? "r" : "w");
    if (!f)
        close(fd);
    return f;
}

static int finish_file(FILE *f)
{
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    return fclose(f) == 0 && rc == 0 ? 0 : -1;
}

/* partial holds the entries a killed run settled (a prefix in walk order): the record becomes
 * those, then the old record's entries beyond the last of them. */
static int merge_partial(struct copy_record *r, const char *src, const char *dst, struct strbuf *err)
{
    FILE *part = open_file(r->partial, O_RDONLY);
    if (!part)
        return errno == ENOENT
                   ? 0
                   : (sb_printf(err, _("cannot read %s: %s"), r->partial, strerror(errno)), -1);
    int rc = 0;
    int part_version = header_version(part, src, dst);
    if (part_version) {
        char *tmp = xasprintf("%s.tmp", r->path);
        FILE *old = open_file(r->path, O_RDONLY), *out = open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC);
        struct copy_record_entry e = {0};
        struct strbuf last = {0};
        char *line = NULL;
        size_t cap = 0;
        int got, old_version;
        if (!out) {
            sb_printf(err, _("cannot write %s: %s"), tmp, strerror(errno));
            rc = -1;
        } else {
            put_header(out, src, dst);
            while ((got = read_entry(part, part_version, &e, &line, &cap)) > 0) {
                put_entry(out, e.type, sb_str(&e.path), e.size, &e.mtime, &e.ctime,
                          e.hashed ? &e.hash : NULL, e.cloned, &e.verified);
                sb_reset(&last);
                sb_append(&last, sb_str(&e.path));
            }
            if (old && (old_version = header_version(old, src, dst)) != 0)
                while ((got = read_entry(old, old_version, &e, &line, &cap)) > 0)
                    if (!last.len || walk_path_cmp(sb_str(&e.path), sb_str(&last)) > 0)
                        put_entry(out, e.type, sb_str(&e.path), e.size, &e.mtime, &e.ctime,
                                  e.hashed ? &e.hash : NULL, e.cloned, &e.verified);
            if (finish_file(out) != 0 || rename(tmp, r->path) != 0) {
                sb_printf(err, _("cannot write %s: %s"), r->path, strerror(errno));
                unlink(tmp);
                rc = -1;
            }
        }
        if (old)
            fclose(old);
        free(line);
        sb_free(&e.path);
        sb_free(&last);
        free(tmp);
    }
    fclose(part);
    if (rc == 0)
        unlink(r->partial);
    return rc;
}

/* ---- settling old entries ---- */

static bool is_ancestor(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    return strncmp(dir, path, n) == 0 && path[n] == '/';
}

static bool same_ts(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Is DST's entry st (at old's path) still the copy old describes? */
static bool still_ours(const struct copy_record_entry *old, const struct stat *st)
{
    if (copy_record_type(st->st_mode) != old->type)
        return false;
    if (old->type == 'd')
        return true;
    if (old->type == 'f' && (uint64_t)st->st_size != old->size)
        return false;
    return same_ts(&st->st_mtim, &old->mtime);
}

/* The directory stack r->dirs holds "path\0" items, the innermost last. */
static const char *top_dir(const struct copy_record *r)
{
    const char *top = r->dirs.buf + r->dirs.len - 1; /* its '\0' */
    while (top > r->dirs.buf && top[-1])
        top--;
    return top;
}

/* Removes the vanished directories of ours below which the walk has moved on (all of them
 * when upto is NULL): deepest first, and only when empty (what we did not copy stays). */
static void pop_dirs(struct copy_record *r, const char *upto)
{
    while (r->dirs.len) {
        const char *top = top_dir(r);
        if (upto && is_ancestor(top, upto))
            return;
        if (unlinkat(r->dstfd, top, AT_REMOVEDIR) == 0)
            r->removed++;
        r->dirs.len = (size_t)(top - r->dirs.buf);
    }
}

/* Removes our copy at old's path (a directory: later, once its contents are settled, when
 * defer_dirs). true when DST no longer holds it as ours (removed, replaced by something
 * else, gone), false when it is ours and stays. */
static bool remove_ours(struct copy_record *r, const struct copy_record_entry *old, bool defer_dirs)
{
    struct stat st;
    const char *rel = sb_str(&old->path);
    if (lstat_beneath(r->dstfd, rel, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR;
    if (!still_ours(old, &st))
        return true;
    if (old->type == 'd') {
        if (defer_dirs)
            sb_append_len(&r->dirs, rel, strlen(rel) + 1);
        else if (unlinkat(r->dstfd, rel, AT_REMOVEDIR) == 0)
            r->removed++;
        return true;
    }
    if (unlinkat(r->dstfd, rel, 0) != 0)
        return false;
    r->removed++;
    return true;
}

void copy_record_remove_ours(struct copy_record *r, const struct copy_record_entry *old)
{
    remove_ours(r, old, false);
}

/* Writes a line to the new record (flush: now). */
static int put_line(struct copy_record *r, const struct copy_record_entry *e, bool flush,
                    struct strbuf *err)
{
    put_entry(r->out, e->type, sb_str(&e->path), e->size, &e->mtime, &e->ctime,
              e->hashed ? &e->hash : NULL, e->cloned, &e->verified);
    if (ferror(r->out) || (flush && fflush(r->out) != 0)) {
        if (!err->len)
            sb_printf(err, _("cannot write %s: %s"), r->partial, strerror(errno));
        return -1;
    }
    return 0;
}

int copy_record_keep(struct copy_record *r, const struct copy_record_entry *old, struct strbuf *err)
{
    return put_line(r, old, false, err);
}

/* An old entry the walk did not meet: keep its line while the source still has it (or while
 * it cannot be removed), else remove our copy. */
static int settle(struct copy_record *r, struct strbuf *err)
{
    struct stat st;
    const struct copy_record_entry *e = &r->cur;
    pop_dirs(r, sb_str(&e->path));
    bool vanished = lstat_beneath(r->srcfd, sb_str(&e->path), &st) != 0 &&
                    (errno == ENOENT || errno == ENOTDIR);
    if (vanished && remove_ours(r, e, true))
        return 0;
    return copy_record_keep(r, e, err);
}

/* Reads the old record's next entry into r->cur. */
static int advance(struct copy_record *r, struct strbuf *err)
{
    r->has_cur = r->handed = false;
    if (!r->in)
        return 0;
    int got = read_entry(r->in, r->in_version, &r->cur, &r->line, &r->line_cap);
    if (got < 0) {
        sb_printf(err, _("%s is damaged; remove it to copy everything again"), r->path);
        return -1;
    }
    r->has_cur = got > 0;
    return 0;
}

int copy_record_reach(struct copy_record *r, const char *rel, const struct copy_record_entry **old,
                      struct strbuf *err)
{
    *old = NULL;
    if (r->handed && advance(r, err) != 0)
        return -1;
    while (r->has_cur && (!rel || walk_path_cmp(sb_str(&r->cur.path), rel) < 0))
        if (settle(r, err) != 0 || advance(r, err) != 0)
            return -1;
    pop_dirs(r, NULL);
    if (r->has_cur && rel && walk_path_cmp(sb_str(&r->cur.path), rel) == 0) {
        *old = &r->cur;
        r->handed = true; /* the caller keeps or replaces it; the next call moves on */
    }
    return 0;
}

int copy_record_settle_within(struct copy_record *r, const char *dir, struct strbuf *err)
{
    if (r->handed && advance(r, err) != 0)
        return -1;
    while (r->has_cur && (!*dir || is_ancestor(dir, sb_str(&r->cur.path))))
        if (settle(r, err) != 0 || advance(r, err) != 0)
            return -1;
    pop_dirs(r, NULL);
    return 0;
}

int copy_record_put(struct copy_record *r, char type, const char *rel, uint64_t size,
                    const struct timespec *mtime, const struct timespec *ctime,
                    const uint64_t *hash, bool flush, struct strbuf *err)
{
    return copy_record_put_file(r, type, rel, size, mtime, ctime, hash, false, flush, err);
}

int copy_record_put_file(struct copy_record *r, char type, const char *rel, uint64_t size,
                         const struct timespec *mtime, const struct timespec *ctime,
                         const uint64_t *hash, bool cloned, bool flush, struct strbuf *err)
{
    put_entry(r->out, type, rel, size, mtime, ctime, hash, cloned, NULL);
    if (ferror(r->out) || (flush && fflush(r->out) != 0)) {
        if (!err->len)
            sb_printf(err, _("cannot write %s: %s"), r->partial, strerror(errno));
        return -1;
    }
    return 0;
}

int copy_record_open(struct copy_record *r, const char *path, const char *src, const char *dst,
                     int srcfd, int dstfd, const struct reporter *rep, struct strbuf *err)
{
    memset(r, 0, sizeof *r);
    r->path = xstrdup(path);
    r->partial = xasprintf("%s.partial", path);
    r->srcfd = srcfd;
    r->dstfd = dstfd;
    r->rep = rep;
    char *slash = strrchr(r->path, '/');
    if (slash && slash != r->path) { /* the state directory, made private when missing */
        char *dir = xstrndup(r->path, (size_t)(slash - r->path));
        int made = make_private_dir(dir, err);
        free(dir);
        if (made != 0)
            return -1;
    }
    if (merge_partial(r, src, dst, err) != 0)
        return -1;
    r->in = open_file(path, O_RDONLY);
    if (!r->in && errno != ENOENT) {
        sb_printf(err, _("cannot read %s: %s"), path, strerror(errno));
        return -1;
    }
    if (r->in && (r->in_version = header_version(r->in, src, dst)) == 0) {
        report_msg(rep, REC_WARNING, _("%s records a copy between other directories: ignored"), path);
        fclose(r->in);
        r->in = NULL;
    }
    r->out = open_file(r->partial, O_WRONLY | O_CREAT | O_TRUNC);
    if (!r->out) {
        sb_printf(err, _("cannot write %s: %s"), r->partial, strerror(errno));
        return -1;
    }
    put_header(r->out, src, dst);
    if (fflush(r->out) != 0) {
        sb_printf(err, _("cannot write %s: %s"), r->partial, strerror(errno));
        return -1;
    }
    return advance(r, err);
}

int copy_record_commit(struct copy_record *r, struct strbuf *err)
{
    const struct copy_record_entry *none;
    if (copy_record_reach(r, NULL, &none, err) != 0)
        return -1;
    FILE *out = r->out;
    r->out = NULL;
    if (finish_file(out) != 0 || rename(r->partial, r->path) != 0 || fsync_parent_dir(r->path) != 0) {
        sb_printf(err, _("cannot write %s: %s"), r->path, strerror(errno));
        return -1;
    }
    return 0;
}

void copy_record_close(struct copy_record *r)
{
    if (r->in)
        fclose(r->in);
    if (r->out)
        fclose(r->out);
    free(r->path);
    free(r->partial);
    free(r->line);
    sb_free(&r->cur.path);
    sb_free(&r->dirs);
    memset(r, 0, sizeof *r);
}

/* ---- rewriting a committed record (the read-back) ---- */

/* Writes the entries of in (of version in_version) to out, each through fn while it asks for
 * more. -1 when in is damaged. */
static int rewrite_entries(FILE *in, int in_version, FILE *out, copy_record_fn fn, void *ud)
{
    struct copy_record_entry e = {0};
    char *line = NULL;
    size_t cap = 0;
    int got;
    bool more = true;
    while ((got = read_entry(in, in_version, &e, &line, &cap)) > 0) {
        if (more)
            more = fn(ud, &e);
        put_entry(out, e.type, sb_str(&e.path), e.size, &e.mtime, &e.ctime,
                  e.hashed ? &e.hash : NULL, e.cloned, &e.verified);
    }
    free(line);
    sb_free(&e.path);
    return got;
}

int copy_record_rewrite(const char *path, const char *src, const char *dst, copy_record_fn fn,
                        void *ud, struct strbuf *err)
{
    FILE *in = open_file(path, O_RDONLY);
    int version = in ? header_version(in, src, dst) : 0;
    if (!version) {
        sb_printf(err, _("cannot read %s: %s"), path, in ? _("it records another copy") : strerror(errno));
        if (in)
            fclose(in);
        return -1;
    }
    char *tmp = xasprintf("%s.readback", path);
    unlink(tmp); /* left by a killed run: its marks are lost, the next read-back makes them */
    FILE *out = open_file(tmp, O_WRONLY | O_CREAT | O_EXCL);
    int rc = -1;
    if (!out) {
        sb_printf(err, _("cannot write %s: %s"), tmp, strerror(errno));
    } else {
        put_header(out, src, dst);
        if (rewrite_entries(in, version, out, fn, ud) < 0)
            sb_printf(err, _("%s is damaged; remove it to copy everything again"), path);
        else if (finish_file(out) != 0 || rename(tmp, path) != 0 || fsync_parent_dir(path) != 0)
            sb_printf(err, _("cannot write %s: %s"), path, strerror(errno));
        else
            rc = 0;
        out = NULL;
    }
    if (rc != 0)
        unlink(tmp);
    fclose(in);
    free(tmp);
    return rc;
}

/* ---- reading beside the verification ---- */

static void reader_next(struct copy_record_reader *r)
{
    r->has_cur = r->in && read_entry(r->in, r->version, &r->cur, &r->line, &r->line_cap) > 0;
}

int copy_record_reader_open(struct copy_record_reader *r, const char *path, const char *src,
                            const char *dst)
{
    memset(r, 0, sizeof *r);
    r->in = open_file(path, O_RDONLY);
    if (r->in && (r->version = header_version(r->in, src, dst)) == 0) {
        fclose(r->in);
        r->in = NULL;
    }
    reader_next(r);
    return r->in ? 0 : -1;
}

const struct copy_record_entry *copy_record_lookup(struct copy_record_reader *r, const char *rel)
{
    while (r->has_cur && walk_path_cmp(sb_str(&r->cur.path), rel) < 0)
        reader_next(r);
    return r->has_cur && walk_path_cmp(sb_str(&r->cur.path), rel) == 0 ? &r->cur : NULL;
}

void copy_record_reader_close(struct copy_record_reader *r)
{
    if (r->in)
        fclose(r->in);
    free(r->line);
    sb_free(&r->cur.path);
    memset(r, 0, sizeof *r);
}
