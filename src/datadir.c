#include "common.h"
#include "datadir.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *datadir_file(const char *name)
{
    const char *dirs[] = {getenv("IMMICH_MIGRATE_DATADIR"), PKGDATADIR, ABS_TOP_SRCDIR "/data"};
    for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        char *path = xasprintf("%s/%s", dirs[i], name);
        if (access(path, R_OK) == 0)
            return path;
        free(path);
    }
    return NULL;
}

char *libexec_file(const char *name)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *beside = NULL;
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            beside = xasprintf("%s/tools", self);
        }
    }
    const char *dirs[] = {getenv("IMMICH_MIGRATE_LIBEXECDIR"), PKGLIBEXECDIR, beside};
    char *found = NULL;
    for (size_t i = 0; i < ARRAY_LEN(dirs) && !found; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        char *path = xasprintf("%s/%s", dirs[i], name);
        if (access(path, X_OK) == 0)
            found = path;
        else
            free(path);
    }
    free(beside);
    return found;
}
