/* The output files stages write into backup_dir: the names of unfinished ones. */
#include "stages/stage.h"

#include <string.h>

bool stage_partial_name(const char *name)
{
    static const char prefix[] = "immich-", suffix[] = ".partial";
    size_t n = strlen(name);
    return n > sizeof prefix + sizeof suffix - 2 && strncmp(name, prefix, sizeof prefix - 1) == 0 &&
           strcmp(name + n - (sizeof suffix - 1), suffix) == 0;
}
