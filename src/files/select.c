#include "files/select.h"

#include <string.h>

enum backup_strategy backup_strategy_of(const char *value)
{
    if (value && strcmp(value, "originals") == 0)
        return BACKUP_ORIGINALS;
    if (value && strcmp(value, "none") == 0)
        return BACKUP_NONE;
    return BACKUP_ARCHIVE;
}

const char *backup_strategy_name(enum backup_strategy s)
{
    return s == BACKUP_ORIGINALS ? "originals" : s == BACKUP_NONE ? "none" : "archive";
}

/* Is the first component of path one of the folders Immich regenerates? */
static bool in_generated_folder(const char *path)
{
    static const char *const generated[] = {"thumbs", "encoded-video"};
    size_t n = strcspn(path, "/");
    for (size_t i = 0; i < ARRAY_LEN(generated); i++)
        if (strlen(generated[i]) == n && strncmp(path, generated[i], n) == 0)
            return true;
    return false;
}

bool backup_excludes(enum backup_strategy s, const char *path, int depth)
{
    if (s != BACKUP_ORIGINALS || depth < 2 || !in_generated_folder(path))
        return false;
    const char *second = strchr(path, '/');
    if (!second)
        return false;
    second++;
    static const char marker[] = ".immich";
    size_t n = strcspn(second, "/");
    return !(n == sizeof marker - 1 && strncmp(second, marker, n) == 0);
}
