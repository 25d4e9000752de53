#include "common.h"
#include "files/fsutil.h"
#include "files/manifest.h"
#include "textesc.h"

#include <archive.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void display_path(const char *root, const char *rel, struct strbuf *out)
{
    struct strbuf joined = {0};
    sb_append(&joined, root);
    if (rel && *rel) {
        if (joined.len && joined.buf[joined.len - 1] != '/')
            sb_append_char(&joined, '/');
        sb_append(&joined, rel);
    }
    manifest_escape(sb_str(&joined), out);
    sb_free(&joined);
}

const char *archive_text(struct archive *a, struct strbuf *buf)
{
    sb_reset(buf);
    const char *said = archive_error_string(a);
    ctl_escape(said ? said : "unknown libarchive error", false, buf);
    return sb_str(buf);
}

int fsync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path)))
                      : xstrdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int open_for_reading(int dirfd, const char *name, const struct stat *want)
{
    /* O_NONBLOCK: a FIFO swapped in after the walk's stat would block a plain open forever.
     * The fstat below then refuses anything but the regular file the walk saw. */
    int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
    int fd = openat(dirfd, name, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM) /* O_NOATIME needs ownership or CAP_FOWNER */
        fd = openat(dirfd, name, flags);
    if (fd < 0)
        return -1;
    struct stat now;
    int fl;
    if (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) ||
        (want && (now.st_dev != want->st_dev || now.st_ino != want->st_ino))) {
        close(fd);
        errno = ESTALE;
        return -1;
    }
    if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int read_link(int dirfd, const char *name, struct strbuf *out)
{
    size_t size = 256;
    for (;;) {
        char *buf = xmalloc(size);
        ssize_t n = readlinkat(dirfd, name, buf, size);
        if (n < 0) {
            int saved = errno;
            free(buf);
            errno = saved;
            return -1;
        }
        if ((size_t)n < size) {
            sb_reset(out);
            sb_append_len(out, buf, (size_t)n);
            free(buf);
            return 0;
        }
        free(buf);
        size *= 2;
    }
}

char *resolve_path(const char *path)
{
    return realpath(path, NULL);
}

bool path_is_within(const char *inner, const char *outer)
{
    size_t n = strlen(outer);
    if (strcmp(outer, "/") == 0)
        return true;
    return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > INT_MAX ? INT_MAX : n) : 1;
}

/* The milliseconds in the environment variable name, read once into *cache (-1: not yet). */
static long env_ms(long *cache, const char *name)
{
    if (*cache < 0) {
        const char *v = getenv(name);
        long ms = v && *v ? strtol(v, NULL, 10) : 0;
        *cache = ms > 0 ? ms : 0;
    }
    return *cache;
}

static long test_delay_ms(void)
{
    static long delay = -1;
    return env_ms(&delay, "IMMICH_MIGRATE_TEST_FILES_DELAY_MS");
}

static void sleep_ms(long ms)
{
    if (ms > 0) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

void test_pause_verify_entry(void)
{
    static long delay = -1;
    sleep_ms(env_ms(&delay, "IMMICH_MIGRATE_TEST_VERIFY_DELAY_MS"));
}

void test_pause(void)
{
    sleep_ms(test_delay_ms());
}

size_t test_chunk_limit(size_t normal)
{
    return test_delay_ms() > 0 && normal > (256u << 10) ? 256u << 10 : normal;
}
