#include "common.h"
#include "datadir.h"

#include <stdlib.h>
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
