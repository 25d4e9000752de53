#include "db/fixup_tables.h"

#include <string.h>

struct path_column {
    const char *table;
    const char *column;
    enum column_kind kind;
};

/* Before v1.136 the table names were plural (assets, users, ...); both sets are listed. */
static const struct path_column path_columns[] = {
    {"assets", "originalPath", COL_PATH},       {"asset", "originalPath", COL_PATH},
    {"assets", "encodedVideoPath", COL_PATH},   {"asset", "encodedVideoPath", COL_PATH},
    {"assets", "sidecarPath", COL_PATH},        {"asset", "sidecarPath", COL_PATH},
    {"assets", "previewPath", COL_PATH},        {"asset", "previewPath", COL_PATH},
    {"assets", "thumbnailPath", COL_PATH},      {"asset", "thumbnailPath", COL_PATH},
    {"assets", "resizePath", COL_PATH},         {"asset", "resizePath", COL_PATH},
    {"assets", "webpPath", COL_PATH},           {"asset", "webpPath", COL_PATH},
    {"asset_files", "path", COL_PATH},          {"asset_file", "path", COL_PATH},
    {"person", "thumbnailPath", COL_PATH},      {"users", "profileImagePath", COL_PATH},
    {"user", "profileImagePath", COL_PATH},     {"move_history", "oldPath", COL_PATH},
    {"move_history", "newPath", COL_PATH},      {"libraries", "importPaths", COL_PATH_ARRAY},
    {"library", "importPaths", COL_PATH_ARRAY},
};

enum column_kind immich_column_kind(const char *table, const char *col)
{
    for (size_t i = 0; i < ARRAY_LEN(path_columns); i++)
        if (strcmp(path_columns[i].table, table) == 0 && strcmp(path_columns[i].column, col) == 0)
            return path_columns[i].kind;
    return COL_OTHER;
}
