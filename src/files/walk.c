#include "common.h"
#include "files/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Deeper trees than this are refused: every level holds one open directory. */
#define WALK_MAX_DEPTH 400

struct walker {
    const struct walk_ops *ops;
    long errors;
    bool stopped;
    struct strbuf path;
};

static void walk_error(struct walker *w, const char *path, const char *what, int err)
{
    w->errors++;
    if (w->ops->error && w->ops->error(w->ops->ud, path, what, err) == WALK_STOP)
        w->stopped = true;
}

/* Each name is kept as one byte of d_type followed by the name. */
static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static char *typed_name(unsigned char type, const char *name)
{
    size_t len = strlen(name);
    char *t = xmalloc(len + 2);
    t[0] = (char)type;
    memcpy(t + 1, name, len + 1);
    return t;
}

static mode_t mode_of_dtype(unsigned char type)
{
    switch (type) {
    case DT_REG: return S_IFREG;
    case DT_LNK: return S_IFLNK;
    case DT_FIFO: return S_IFIFO;
    case DT_CHR: return S_IFCHR;
    case DT_BLK: return S_IFBLK;
    case DT_SOCK: return S_IFSOCK;
    default: return 0; /* a directory or unknown: needs the stat */
    }
}

/* Reads every name of the directory (but . and ..), sorted. Returns the count or -1. */
static long read_names(DIR *dir, char ***names_out)
{
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.' &&
            (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[count++] = typed_name(de->d_type, de->d_name);
        errno = 0;
    }
    if (errno != 0) {
        int saved = errno;
        for (size_t i = 0; i < count; i++)
            free(names[i]);
        free(names);
        errno = saved;
        return -1;
    }
    if (count > 1)
        qsort(names, count, sizeof *names, cmp_names);
    *names_out = names;
    return (long)count;
}

static void walk_dir(struct walker *w, int fd, int depth);

/* Visits one child of the open directory parentfd. */
static void walk_child(struct walker *w, int parentfd, const char *name, unsigned char dtype, int depth)
{
    size_t saved_len = w->path.len;
    if (w->path.len)
        sb_append_char(&w->path, '/');
    sb_append(&w->path, name);

    struct walk_entry e = {
        .dirfd = parentfd, .name = name, .path = w->path.buf, .depth = depth, .fd = -1};
    mode_t known = w->ops->type_only ? mode_of_dtype(dtype) : 0;
    if (known) {
        memset(&e.st, 0, sizeof e.st);
        e.st.st_mode = known; /* the caller asked for types only: no stat for non-directories */
    } else if (fstatat(parentfd, name, &e.st, AT_SYMLINK_NOFOLLOW) != 0) {
        walk_error(w, w->path.buf, "stat", errno);
        goto out;
    }
    bool descend = false;
    if (S_ISDIR(e.st.st_mode)) {
        if (depth > WALK_MAX_DEPTH) {
            walk_error(w, w->path.buf, "open", ELOOP);
        } else {
            e.fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            struct stat now;
            if (e.fd < 0) {
                walk_error(w, w->path.buf, "open", errno);
            } else if (fstat(e.fd, &now) != 0 || now.st_dev != e.st.st_dev ||
                       now.st_ino != e.st.st_ino) {
                /* Replaced between stat and open: never walk into something else. */
                walk_error(w, w->path.buf, "open", ESTALE);
                close(e.fd);
                e.fd = -1;
            } else {
                descend = true;
            }
        }
    }
    enum walk_verdict v = w->ops->pre ? w->ops->pre(w->ops->ud, &e) : WALK_CONTINUE;
    if (v == WALK_STOP) {
        w->stopped = true;
    } else if (descend && v == WALK_CONTINUE) {
        walk_dir(w, e.fd, depth);
        if (!w->stopped && w->ops->post && w->ops->post(w->ops->ud, &e) == WALK_STOP)
            w->stopped = true;
    }
    if (e.fd >= 0)
        close(e.fd);
out:
    w->path.len = saved_len;
    w->path.buf[saved_len] = '\0';
}

/* Visits the children of the open directory fd (which stays open; the caller closes it). */
static void walk_dir(struct walker *w, int fd, int depth)
{
    int dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR *dir = dupfd >= 0 ? fdopendir(dupfd) : NULL;
    if (!dir) {
        walk_error(w, w->path.buf, "opendir", errno);
        if (dupfd >= 0)
            close(dupfd);
        return;
    }
    char **names = NULL;
    long n = read_names(dir, &names);
    closedir(dir);
    if (n < 0) {
        walk_error(w, w->path.buf, "readdir", errno);
        return;
    }
    for (long i = 0; i < n; i++) {
        if (!w->stopped)
            walk_child(w, fd, names[i] + 1, (unsigned char)names[i][0], depth + 1);
        free(names[i]);
    }
    free(names);
}

long walk_tree(const char *root, const struct walk_ops *ops)
{
    struct walker w = {.ops = ops};
    sb_append(&w.path, "");
    struct walk_entry e = {.dirfd = AT_FDCWD, .name = root, .path = "", .depth = 0, .fd = -1};
    e.fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (e.fd < 0 || fstat(e.fd, &e.st) != 0) {
        walk_error(&w, "", "open", errno);
        if (e.fd >= 0)
            close(e.fd);
        sb_free(&w.path);
        return w.stopped ? -1 : w.errors;
    }
    enum walk_verdict v = ops->pre ? ops->pre(ops->ud, &e) : WALK_CONTINUE;
    if (v == WALK_STOP)
        w.stopped = true;
    else if (v == WALK_CONTINUE) {
        walk_dir(&w, e.fd, 0);
        if (!w.stopped && ops->post && ops->post(ops->ud, &e) == WALK_STOP)
            w.stopped = true;
    }
    close(e.fd);
    sb_free(&w.path);
    return w.stopped ? -1 : w.errors;
}

int walk_path_cmp(const char *a, const char *b)
{
    for (;;) {
        size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
        int c = memcmp(a, b, la < lb ? la : lb);
        if (c != 0)
            return c;
        if (la != lb)
            return la < lb ? -1 : 1;
        bool enda = a[la] == '\0', endb = b[lb] == '\0';
        if (enda || endb)
            return enda && endb ? 0 : (enda ? -1 : 1);
        a += la + 1;
        b += lb + 1;
    }
}

int open_beneath(int rootfd, const char *relpath, int flags)
{
    int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
    const char *p = relpath;
    while (fd >= 0) {
        size_t len = strcspn(p, "/");
        bool last = p[len] == '\0';
        if (len == 0 || (len == 2 && p[0] == '.' && p[1] == '.')) {
            close(fd); /* never climb out of the root */
            errno = EXDEV;
            return -1;
        }
        char *part = xstrndup(p, len);
        int next;
        if (last)
            next = openat(fd, part, flags | O_NOFOLLOW | O_CLOEXEC);
        else
            next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int saved = errno;
        free(part);
        close(fd);
        errno = saved;
        fd = next;
        if (last)
            return fd;
        p += len + 1;
    }
    return -1;
}

int lstat_beneath(int rootfd, const char *relpath, struct stat *st)
{
    const char *slash = strrchr(relpath, '/');
    if (!slash)
        return fstatat(rootfd, relpath, st, AT_SYMLINK_NOFOLLOW);
    char *dir = xstrndup(relpath, (size_t)(slash - relpath));
    int fd = open_beneath(rootfd, dir, O_RDONLY | O_DIRECTORY);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fstatat(fd, slash + 1, st, AT_SYMLINK_NOFOLLOW);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}
