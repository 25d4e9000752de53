/* chown DIR USER:GROUP: gives the library to the Immich user, the NixOS way.
 *
 * Every entry below DIR gets the owner with fchownat(AT_SYMLINK_NOFOLLOW): a symlink itself
 * changes, never what it points to, and a linked directory is never entered; the walk never
 * leaves DIR. Directories that already have the owner are left alone; regular files are
 * stat'ed for their link count; other entries are not (readdir's type suffices), they simply
 * get the owner, as with chown -R. DIR is refused when it resolves to a system directory,
 * and judged again right before the walk. Every
 * failure is reported with its path and the walk goes on. DIR itself ends with mode 0700, as
 * the NixOS module's tmpfiles rule expects. A regular file with several names (hard links)
 * changes only when all its names are inside DIR (at its last name): one whose other names
 * lie outside is left alone and reported, since its owner is also theirs. The owners and
 * modes from before are saved first (owners.h): `immich-migrate restore-owners` undoes it. */
#ifndef IM_FILES_CHOWN_H
#define IM_FILES_CHOWN_H

#include <sys/types.h>

#include "common.h"
#include "report.h"
#include "files/fsutil.h"

struct chown_stats {
    uint64_t entries;
    uint64_t changed; /* fchownat calls made (entries that may already have had the owner) */
    uint64_t failed;
    uint64_t linked_outside; /* files left alone: some of their hard links are outside DIR */
};

/* Resolves "user:group" (names or numbers of existing accounts). 0, or -1 + message. */
int parse_owner(const char *spec, uid_t *uid, gid_t *gid, struct strbuf *err);

/* The refusals: an empty path, "/", a missing or non-directory path, a path other than
 * target_location (compared after resolving both). Returns the resolved DIR (malloc'd) or
 * NULL + message. */
char *chown_check_dir(const char *dir, const char *target_location, struct strbuf *err);

/* dir must come from chown_check_dir. Before the first change, the owners and modes of dir
 * and everything below it are saved in STATE_DIR/owners.manifest (files/owners.h; an existing
 * one of dir is kept); when that fails, nothing is changed. */
enum files_result chown_tree(const char *dir, uid_t uid, gid_t gid, const char *state_dir,
                             const struct reporter *rep, struct chown_stats *stats,
                             struct strbuf *err);

#endif
