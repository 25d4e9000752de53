#include "sys/atomic_file.h"
#include "sys/fdio.h"
#include "sys/safepath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fsync_parent(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

void remove_stale_temps(const char *dir, const char *name)
{
    static const char suffix[] = ".tmp.";
    const size_t tail = sizeof suffix - 1 + 6; /* ".tmp." and mkostemp's six characters */
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len <= tail || strncmp(de->d_name + len - tail, suffix, sizeof suffix - 1) != 0)
            continue;
        if (name && (len - tail != strlen(name) || strncmp(de->d_name, name, len - tail) != 0))
            continue;
        unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

int atomic_write_file(const char *path, const char *data, size_t len, struct strbuf *err)
{
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC); /* 0600, O_EXCL */
    if (fd < 0) {
        sb_printf(err, _("cannot create %s: %s"), tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            sb_printf(err, _("cannot write %s: %s"), tmp, strerror(errno));
            goto fail;
        }
        off += (size_t)n;
    }
    if (fsync(fd) < 0) {
        sb_printf(err, _("cannot write %s: %s"), tmp, strerror(errno));
        goto fail;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, path) < 0) {
        sb_printf(err, _("cannot rename %s to %s: %s"), tmp, path, strerror(errno));
        goto fail;
    }
    fsync_parent(path);
    free(tmp);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
}

static int make_dir_chain(const char *dir, struct strbuf *err)
{
    struct stat st;
    if (lstat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            sb_printf(err, _("%s exists and is not a directory"), dir);
            return -1;
        }
        return 0;
    }
    char *copy = xstrdup(dir);
    char *parent = dirname(copy);
    int rc = 0;
    if (strcmp(parent, dir) != 0 && strcmp(parent, "/") != 0 && strcmp(parent, ".") != 0 &&
        lstat(parent, &st) < 0)
        rc = make_dir_chain(parent, err);
    free(copy);
    if (rc < 0)
        return -1;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        sb_printf(err, _("cannot create %s: %s"), dir, strerror(errno));
        return -1;
    }
    return 0;
}

int make_private_dir(const char *dir, struct strbuf *err)
{
    /* backup_dir and the state dir: never a system directory, however spelled. */
    char *real = path_judge(dir, PATH_WRITE, err);
    bool ok = real != NULL;
    free(real);
    return ok ? make_dir_chain(dir, err) : -1;
}

int read_small_file(const char *path, struct strbuf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    int rc = read_fd_all(fd, SIZE_MAX, out);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}
