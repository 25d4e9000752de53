#include "common.h"
#include "files/fsutil.h"
#include "files/linkmap.h"
#include "files/owners.h"
#include "files/walk.h"
#include "sys/atomic_file.h"
#include "sys/fdio.h"
#include "sys/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OWNERS_MAGIC "immich-migrate-owners 1"

char *owners_manifest_path(const char *state_dir)
{
    return xasprintf("%s/owners.manifest", state_dir);
}

void owners_escape(const char *s, struct strbuf *out)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            sb_printf(out, "\\x%02x", *p);
        else
            sb_append_char(out, (char)*p);
    }
}

int owners_unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '\\') {
            *w++ = *r;
            continue;
        }
        int hi = r[1] == 'x' ? hex_digit_value(r[2]) : -1;
        int lo = hi >= 0 ? hex_digit_value(r[3]) : -1;
        if (lo < 0 || (hi == 0 && lo == 0))
            return -1;
        *w++ = (char)(hi * 16 + lo);
        r += 3;
    }
    *w = '\0';
    return 0;
}

/* ---- saving ---- */

struct save_job {
    const char *dir;
    const struct reporter *rep;
    FILE *out;
    struct strbuf line;
    uint64_t entries;
    bool cancelled;
    int err; /* first write or walk error (errno) */
    struct strbuf errpath;
};

/* The birth time as "SEC.NSEC", or "-" where the file system does not keep one. With the
 * device and inode it tells a file from a new one that got a freed inode number. */
static void birth_time(int dirfd, const char *name, struct strbuf *out)
{
    struct statx sx;
    int flags = AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC | (*name ? 0 : AT_EMPTY_PATH);
    if (statx(dirfd, name, flags, STATX_BTIME, &sx) == 0 && (sx.stx_mask & STATX_BTIME))
        sb_printf(out, "%lld.%09u", (long long)sx.stx_btime.tv_sec, (unsigned)sx.stx_btime.tv_nsec);
    else
        sb_append_char(out, '-');
}

static enum walk_verdict save_pre(void *ud, const struct walk_entry *e)
{
    struct save_job *j = ud;
    const struct stat *st = &e->st;
    if (report_cancelled(j->rep)) {
        j->cancelled = true;
        return WALK_STOP;
    }
    sb_reset(&j->line);
    sb_printf(&j->line, "%" PRIuMAX "\t%" PRIuMAX "\t%lu\t%lu\t%o\t%lu\t", (uintmax_t)st->st_dev,
              (uintmax_t)st->st_ino, (unsigned long)st->st_uid, (unsigned long)st->st_gid,
              (unsigned)st->st_mode, (unsigned long)st->st_nlink);
    birth_time(e->dirfd, e->name, &j->line);
    sb_append_char(&j->line, '\t');
    owners_escape(e->path, &j->line);
    sb_append_char(&j->line, '\n');
    if (fwrite(sb_str(&j->line), 1, j->line.len, j->out) != j->line.len) {
        j->err = errno ? errno : EIO;
        return WALK_STOP;
    }
    j->entries++;
    return WALK_CONTINUE;
}

/* An entry that cannot be read cannot be restored: the manifest would be incomplete. */
static enum walk_verdict save_error(void *ud, const char *path, const char *what, int err)
{
    struct save_job *j = ud;
    (void)what;
    j->err = err;
    sb_reset(&j->errpath);
    display_path(j->dir, path, &j->errpath);
    return WALK_STOP;
}

/* A manifest already there: kept when it is dir's (0), refused otherwise (-1). 1: none. */
static int existing_manifest(const char *dir, const char *state_dir, const char *path,
                             const struct reporter *rep, struct strbuf *err)
{
    if (access(path, F_OK) != 0)
        return 1;
    struct strbuf why = {0};
    char *root = owners_manifest_root(state_dir, &why);
    int rc = 0;
    if (!root) {
        sb_printf(err, _("%s is there but cannot be used (%s); move it away first"), path,
                  sb_str(&why));
        rc = -1;
    } else if (strcmp(root, dir) != 0) {
        struct strbuf shown = {0};
        display_path(root, "", &shown);
        sb_printf(err, _("%s holds the owners of %s, not of %s; move it away first"), path,
                  sb_str(&shown), dir);
        sb_free(&shown);
        rc = -1;
    } else {
        report_msg(rep, REC_MESSAGE,
                   _("Kept %s: it holds the owners and modes from before the first chown"), path);
    }
    free(root);
    sb_free(&why);
    return rc;
}

static int finish_manifest(FILE *out, const char *tmp, const char *path, struct strbuf *err)
{
    int rc = fflush(out) == 0 && fsync(fileno(out)) == 0 ? 0 : -1;
    int e = errno;
    if (fclose(out) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && fsync_parent_dir(path) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc != 0)
        sb_printf(err, _("cannot write %s: %s"), path, strerror(e));
    return rc;
}

int owners_save(const char *dir, const char *state_dir, const struct reporter *rep, struct strbuf *err)
{
    if (!state_dir || !*state_dir) {
        sb_append(err, _("no state directory to save the owners in; nothing was changed"));
        return -1;
    }
    if (make_private_dir(state_dir, err) != 0)
        return -1;
    char *path = owners_manifest_path(state_dir);
    int ex = existing_manifest(dir, state_dir, path, rep, err);
    if (ex <= 0) {
        free(path);
        return ex;
    }
    remove_stale_temps(state_dir, "owners.manifest"); /* a killed run's temporary manifests */
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC); /* 0600 */
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!out) {
        sb_printf(err, _("cannot write %s: %s"), tmp, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        free(path);
        return -1;
    }
    struct save_job j = {.dir = dir, .rep = rep, .out = out};
    sb_append(&j.line, OWNERS_MAGIC "\t");
    owners_escape(dir, &j.line);
    sb_append_char(&j.line, '\n');
    if (fwrite(sb_str(&j.line), 1, j.line.len, out) != j.line.len)
        j.err = errno ? errno : EIO;
    struct walk_ops ops = {.pre = save_pre, .error = save_error, .ud = &j};
    if (!j.err)
        walk_tree(dir, &ops);
    int rc = 0;
    if (j.cancelled) {
        fclose(out);
        rc = -2;
    } else if (j.err) {
        if (j.errpath.len)
            sb_printf(err, _("cannot save the owners: cannot read %s: %s"), sb_str(&j.errpath),
                      strerror(j.err));
        else
            sb_printf(err, _("cannot write %s: %s"), tmp, strerror(j.err));
        fclose(out);
        rc = -1;
    } else {
        rc = finish_manifest(out, tmp, path, err);
    }
    if (rc != 0)
        unlink(tmp);
    if (rc == 0)
        report_msg(rep, REC_FILEOP,
                   _("Saved the owners and modes of %llu entries in %s (immich-migrate "
                     "restore-owners puts them back)"),
                   (unsigned long long)j.entries, path);
    sb_free(&j.line);
    sb_free(&j.errpath);
    free(tmp);
    free(path);
    return rc;
}

/* ---- restoring ---- */

static int owners_read_header(FILE *in, const char *path, char **root, struct strbuf *err)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, in);
    const size_t ml = strlen(OWNERS_MAGIC);
    int rc = -1;
    if (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    if (n <= 0 || strncmp(line, OWNERS_MAGIC "\t", ml + 1) != 0 || owners_unescape(line + ml + 1) ||
        line[ml + 1] != '/')
        sb_printf(err, _("%s is not an owners manifest of immich-migrate"), path);
    else {
        *root = xstrdup(line + ml + 1);
        rc = 0;
    }
    free(line);
    return rc;
}

static FILE *open_manifest(const char *state_dir, char **path, struct strbuf *err)
{
    *path = owners_manifest_path(state_dir);
    int fd = open(*path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    FILE *in = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!in) {
        if (errno == ENOENT)
            sb_printf(err,
                      _("there is no owners manifest %s: it is written by chown before it "
                        "changes anything, so no chown ran with this state directory"),
                      *path);
        else
            sb_printf(err, _("cannot read %s: %s"), *path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return in;
}

char *owners_manifest_root(const char *state_dir, struct strbuf *err)
{
    char *path, *root = NULL;
    FILE *in = open_manifest(state_dir, &path, err);
    if (in) {
        owners_read_header(in, path, &root, err);
        fclose(in);
    }
    free(path);
    return root;
}

struct owner_entry {
    uintmax_t dev, ino;
    unsigned long uid, gid, nlink;
    unsigned mode;
    char btime[32]; /* as saved, "-" = unknown */
    char *path;     /* into the line */
};

static int parse_entry(char *line, struct owner_entry *e)
{
    int pos = -1;
    if (sscanf(line, "%ju\t%ju\t%lu\t%lu\t%o\t%lu\t%31[-0-9.]\t%n", &e->dev, &e->ino, &e->uid,
               &e->gid, &e->mode, &e->nlink, e->btime, &pos) != 7 ||
        pos < 0)
        return -1;
    e->path = line + pos;
    size_t n = strlen(e->path);
    if (n && e->path[n - 1] == '\n')
        e->path[n - 1] = '\0';
    return owners_unescape(e->path);
}

struct restore_job {
    const char *root;
    const struct reporter *rep;
    struct owners_stats *stats;
    int rootfd;
    struct strbuf parent; /* the parent directory open in parentfd */
    int parentfd;
    struct linkmap links;
};

static void restore_report(struct restore_job *j, enum record_kind kind, const char *path,
                           const char *fmt, int e)
{
    struct strbuf shown = {0};
    display_path(j->root, path, &shown);
    if (e)
        report_msg(j->rep, kind, fmt, sb_str(&shown), strerror(e));
    else
        report_msg(j->rep, kind, fmt, sb_str(&shown));
    sb_free(&shown);
}

/* The directory holding path, opened beneath the root (cached); its fd, or -1 with errno. */
static int parent_fd(struct restore_job *j, const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    size_t plen = slash ? (size_t)(slash - path) : 0;
    *base = slash ? slash + 1 : path;
    if (plen == 0)
        return j->rootfd;
    if (j->parentfd >= 0 && j->parent.len == plen && memcmp(sb_str(&j->parent), path, plen) == 0)
        return j->parentfd;
    if (j->parentfd >= 0)
        close(j->parentfd);
    sb_reset(&j->parent);
    sb_append_len(&j->parent, path, plen);
    j->parentfd = open_beneath(j->rootfd, sb_str(&j->parent), O_RDONLY | O_DIRECTORY);
    if (j->parentfd < 0)
        sb_reset(&j->parent);
    return j->parentfd;
}

/* False when both birth times are known and differ: a new file with a reused inode. */
static bool same_birth(const struct owner_entry *e, int dirfd, const char *name)
{
    if (strcmp(e->btime, "-") == 0)
        return true;
    struct strbuf now = {0};
    birth_time(dirfd, name, &now);
    bool same = strcmp(sb_str(&now), "-") == 0 || strcmp(sb_str(&now), e->btime) == 0;
    sb_free(&now);
    return same;
}

/* Gives one entry its owner and mode back, never through a symlink. */
static void restore_entry(struct restore_job *j, const struct owner_entry *e)
{
    const char *base = "";
    bool is_root = e->path[0] == '\0';
    int dfd = is_root ? j->rootfd : parent_fd(j, e->path, &base);
    struct stat st;
    int rc = dfd < 0   ? -1
             : is_root ? fstat(dfd, &st)
                       : fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) {
        bool gone = errno == ENOENT || errno == ENOTDIR || errno == ELOOP;
        restore_report(j, gone ? REC_WARNING : REC_ERROR, e->path,
                       gone ? _("vanished, not restored: %s") : _("cannot read %s: %s"),
                       gone ? 0 : errno);
        gone ? j->stats->vanished++ : j->stats->failed++;
        return;
    }
    if ((uintmax_t)st.st_dev != e->dev || (uintmax_t)st.st_ino != e->ino ||
        (st.st_mode & S_IFMT) != (e->mode & S_IFMT) || !same_birth(e, dfd, is_root ? "" : base)) {
        restore_report(j, REC_WARNING, e->path,
                       _("replaced by another file since the manifest, left alone: %s"), 0);
        j->stats->replaced++;
        return;
    }
    if (e->nlink > 1 && S_ISREG(st.st_mode) && linkmap_first(&j->links, st.st_dev, st.st_ino, e->path)) {
        j->stats->restored++; /* this inode was restored at an earlier name */
        return;
    }
    bool link = S_ISLNK(st.st_mode);
    if (is_root)
        rc = fchown(dfd, (uid_t)e->uid, (gid_t)e->gid) != 0 ? -1 : fchmod(dfd, e->mode & 07777);
    else if (fchownat(dfd, base, (uid_t)e->uid, (gid_t)e->gid, AT_SYMLINK_NOFOLLOW) != 0)
        rc = -1;
    else /* after the owner: chown clears set-user-ID bits */
        rc = link ? 0 : fchmodat(dfd, base, e->mode & 07777, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) {
        restore_report(j, REC_ERROR, e->path, _("cannot restore the owner and mode of %s: %s"), errno);
        j->stats->failed++;
        return;
    }
    j->stats->restored++;
}

/* Opens the manifest's root after judging it; -1 + message. */
static int open_root(const char *root, struct strbuf *err)
{
    char *real = path_judge(root, PATH_WRITE, err);
    if (!real)
        return -1;
    int fd = -1;
    if (strcmp(real, root) != 0)
        sb_printf(err, _("%s now resolves elsewhere; nothing was changed"), root);
    else if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        sb_printf(err, _("cannot open %s: %s"), root, strerror(errno));
    free(real);
    return fd;
}

static void restore_lines(struct restore_job *j, FILE *in, const char *path, struct strbuf *err)
{
    char *line = NULL;
    size_t cap = 0;
    uint64_t lineno = 1;
    while (getline(&line, &cap, in) > 0) {
        lineno++;
        struct owner_entry e;
        if (parse_entry(line, &e) != 0) {
            report_msg(j->rep, REC_ERROR, _("%s: line %llu is damaged, skipped"), path,
                       (unsigned long long)lineno);
            j->stats->failed++;
            continue;
        }
        j->stats->entries++;
        restore_entry(j, &e);
        if (report_cancelled(j->rep))
            break;
    }
    if (ferror(in))
        sb_printf(err, _("cannot read %s: %s"), path, strerror(errno));
    free(line);
}

int owners_restore(const char *state_dir, const struct reporter *rep, struct owners_stats *stats,
                   struct strbuf *err)
{
    memset(stats, 0, sizeof *stats);
    char *path, *root = NULL;
    FILE *in = open_manifest(state_dir, &path, err);
    int rootfd = -1;
    if (!in || owners_read_header(in, path, &root, err) != 0 || (rootfd = open_root(root, err)) < 0) {
        if (in)
            fclose(in);
        free(root);
        free(path);
        return -1;
    }
    struct restore_job j = {.root = root, .rep = rep, .stats = stats, .rootfd = rootfd, .parentfd = -1};
    restore_lines(&j, in, path, err);
    fclose(in);
    if (j.parentfd >= 0)
        close(j.parentfd);
    close(rootfd);
    linkmap_free(&j.links);
    sb_free(&j.parent);
    report_msg(rep, REC_FILEOP,
               _("%s: restored the owner and mode of %llu entries; %llu vanished, %llu replaced, "
                 "%llu failures"),
               root, (unsigned long long)stats->restored, (unsigned long long)stats->vanished,
               (unsigned long long)stats->replaced, (unsigned long long)stats->failed);
    int rc = err->len || report_cancelled(rep) ? -1 : 0;
    if (!err->len && stats->vanished + stats->replaced + stats->failed) {
        sb_printf(err, _("%llu entries of %s could not be restored (listed above)"),
                  (unsigned long long)(stats->vanished + stats->replaced + stats->failed), root);
        rc = -1;
    }
    free(root);
    free(path);
    return rc;
}
