/* Immich's own automatic database backups: <upload_location>/backups/immich-db-backup-*.sql.gz. */
#include "db/dump.h"
#include "db/fixup.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reading a whole backup just for its version is only worth it when it is small. */
#define SCAN_LIMIT (32u << 20)

static const char prefix[] = "immich-db-backup-";
static const char suffix[] = ".sql.gz";

/* "immich-db-backup-20250729T000000-v1.136.0-pg14.17.sql.gz" -> "1.136.0". */
static char *version_from_name(const char *name)
{
    const char *v = strstr(name, "-v");
    if (!v || v[2] < '0' || v[2] > '9')
        return NULL;
    v += 2;
    size_t n = strspn(v, "0123456789.");
    while (n && v[n - 1] == '.')
        n--;
    return n ? xstrndup(v, n) : NULL;
}

static bool is_backup_name(const char *name)
{
    size_t n = strlen(name), p = strlen(prefix), s = strlen(suffix);
    return n > p + s && strncmp(name, prefix, p) == 0 && strcmp(name + n - s, suffix) == 0;
}

static int newest_first(const void *a, const void *b)
{
    const struct immich_backup *x = a, *y = b;
    if (x->mtime != y->mtime)
        return x->mtime > y->mtime ? -1 : 1;
    return strcmp(y->path, x->path); /* names hold the time stamp */
}

int immich_backups_list(const char *upload_location, const char *database,
                        struct immich_backup **out, struct strbuf *err)
{
    char *dir = xasprintf("%s/backups", upload_location);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        sb_printf(err, _("cannot read %s"), dir);
        if (dfd >= 0)
            close(dfd);
        free(dir);
        return -1;
    }
    struct immich_backup *list = NULL;
    int count = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        if (!is_backup_name(de->d_name) || fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st.st_mode))
            continue;
        list = xrealloc(list, (size_t)(count + 1) * sizeof *list);
        struct immich_backup *b = &list[count++];
        b->path = xasprintf("%s/%s", dir, de->d_name);
        b->mtime = (int64_t)st.st_mtime;
        b->size = (uint64_t)st.st_size;
        b->version = version_from_name(de->d_name);
        if (!b->version && b->size <= SCAN_LIMIT) {
            struct fixup_stats fs = {0};
            struct strbuf ignored = {0};
            if (fixup_scan_file(b->path, database, &fs, &ignored) == 0 && fs.immich_version)
                b->version = xstrdup(fs.immich_version);
            fixup_stats_free(&fs);
            sb_free(&ignored);
        }
    }
    closedir(d);
    free(dir);
    if (count)
        qsort(list, (size_t)count, sizeof *list, newest_first);
    *out = list;
    return count;
}

void immich_backups_free(struct immich_backup *list, int count)
{
    for (int i = 0; i < count; i++) {
        free(list[i].path);
        free(list[i].version);
    }
    free(list);
}
