/* Paths are judged after they are resolved: "/./etc", "//etc", "/etc/." and a symlink to
 * /etc all name /etc, and all are refused where the program would change something. */
#ifndef IM_SYS_SAFEPATH_H
#define IM_SYS_SAFEPATH_H

#include "common.h"

/* The path with every symlink, ".", ".." and repeated "/" resolved: realpath() of its nearest
 * existing ancestor followed by the rest, normalised. malloc'd, or NULL with errno (a part
 * that exists but is not a directory, no permission...). */
char *path_resolve(const char *path);

enum path_use {
    PATH_READ,  /* only read (compose_dir, upload_location): system directories refused */
    PATH_WRITE, /* written, copied into or chowned: also anything inside a system tree */
};

/* Resolves path (a relative one from the working directory) and judges the result: not a
 * system directory. Returns the resolved path (malloc'd), or NULL with a sentence in why. */
char *path_judge(const char *path, enum path_use use, struct strbuf *why);

/* The same for validation only: a path that cannot be resolved now (a part of it is not a
 * directory...) is judged as spelled, normalised; the act itself fails later. */
bool path_check(const char *path, enum path_use use, struct strbuf *why);

#endif
