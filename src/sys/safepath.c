#include "common.h"
#include "sys/safepath.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Appends the segments of rest to out (a resolved directory), dropping "." and empty ones;
 * ".." removes the last segment (these parts do not exist, so no symlink can be involved). */
static void append_segments(struct strbuf *out, const char *rest)
{
    while (*rest) {
        size_t n = strcspn(rest, "/");
        if (n == 2 && strncmp(rest, "..", 2) == 0) {
            char *slash = out->buf ? strrchr(out->buf, '/') : NULL;
            if (slash) {
                out->len = slash == out->buf ? 1 : (size_t)(slash - out->buf);
                out->buf[out->len] = '\0';
            }
        } else if (n > 0 && !(n == 1 && rest[0] == '.')) {
            if (out->len > 0 && out->buf[out->len - 1] != '/')
                sb_append_char(out, '/');
            sb_append_len(out, rest, n);
        }
        rest += n;
        while (*rest == '/')
            rest++;
    }
}

char *path_resolve(const char *path)
{
    if (!path || !*path) {
        errno = ENOENT;
        return NULL;
    }
    char *head = xstrdup(path);
    size_t cut = strlen(head); /* head[cut..] of path is what does not exist */
    for (;;) {
        char *real = realpath(*head ? head : (path[0] == '/' ? "/" : "."), NULL);
        if (real) {
            struct strbuf out = {0};
            sb_append(&out, real);
            free(real);
            append_segments(&out, path + cut);
            free(head);
            return sb_detach(&out);
        }
        if (errno != ENOENT || !*head) {
            int saved = errno;
            free(head);
            errno = saved;
            return NULL;
        }
        char *slash = strrchr(head, '/');
        cut = slash ? (size_t)(slash - head) : 0;
        head[cut] = '\0';
    }
}

static bool in_list(const char *resolved, const char *const *list, size_t n, bool subtrees)
{
    for (size_t i = 0; i < n; i++) {
        char *real = realpath(list[i], NULL); /* /bin is /usr/bin on merged-/usr systems */
        bool hit = false;
        for (int k = 0; k < 2 && !hit; k++) {
            const char *d = k == 0 ? list[i] : real;
            if (!d)
                continue;
            size_t len = strlen(d);
            hit = strcmp(resolved, d) == 0 ||
                  (subtrees && strncmp(resolved, d, len) == 0 && resolved[len] == '/');
        }
        free(real);
        if (hit)
            return true;
    }
    return false;
}

/* Is the resolved path a system directory ("/", "/etc", "/usr", "/var/lib"... or what one of
 * them resolves to)? With subtrees, also anything below /etc, /usr, /boot, /dev, /proc,
 * /sys, /nix/store and the like: places whose owners and modes the program must never set. */
static bool path_is_system(const char *resolved, bool subtrees)
{
    static const char *const exact[] = {
        "/",    "/home", "/mnt", "/media",   "/nix",        "/opt",       "/root",    "/run",
        "/srv", "/tmp",  "/var", "/var/lib", "/var/backup", "/var/cache", "/var/log", "/var/tmp"};
    static const char *const trees[] = {"/bin",   "/boot",  "/dev",    "/etc",       "/lib",
                                        "/lib32", "/lib64", "/libx32", "/nix/store", "/proc",
                                        "/sbin",  "/sys",   "/usr"};
    return in_list(resolved, exact, ARRAY_LEN(exact), false) ||
           in_list(resolved, trees, ARRAY_LEN(trees), subtrees);
}

char *path_judge(const char *path, enum path_use use, struct strbuf *why)
{
    if (!path || !*path) {
        sb_append(why, _("refusing an empty path"));
        return NULL;
    }
    char *real = path_resolve(path);
    if (!real) {
        sb_printf(why, _("cannot resolve %s: %s"), path, strerror(errno));
        return NULL;
    }
    if (path_is_system(real, use == PATH_WRITE)) {
        if (strcmp(real, path) == 0)
            sb_printf(why, _("refusing a system directory (%s)"), real);
        else
            sb_printf(why, _("refusing a system directory (%s is %s)"), path, real);
        free(real);
        return NULL;
    }
    return real;
}

bool path_check(const char *path, enum path_use use, struct strbuf *why)
{
    if (!path || !*path) {
        sb_append(why, _("refusing an empty path"));
        return false;
    }
    char *real = path_resolve(path);
    if (!real) { /* not resolvable now (a part is no directory...): judge its spelling */
        struct strbuf norm = {0};
        sb_append(&norm, path[0] == '/' ? "/" : "");
        append_segments(&norm, path);
        real = sb_detach(&norm);
    }
    bool bad = path_is_system(real, use == PATH_WRITE);
    if (bad && strcmp(real, path) == 0)
        sb_printf(why, _("refusing a system directory (%s)"), real);
    else if (bad)
        sb_printf(why, _("refusing a system directory (%s is %s)"), path, real);
    free(real);
    return !bad;
}
