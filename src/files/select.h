/* What a library backup holds (plan key library_backup): the whole library, or its originals
 * only. Immich regenerates thumbs/ and encoded-video/ (top level of the upload location), so
 * "originals" leaves their contents out but keeps the two directories and their .immich
 * markers (Immich refuses to start without them); everything else (library/, upload/,
 * profile/, backups/, markers) is kept. Backup, verify-backup and the space check use the
 * same rule, so the archive, its manifest and the verification cover the same entries. */
#ifndef IM_FILES_SELECT_H
#define IM_FILES_SELECT_H

#include "common.h"

enum backup_strategy { BACKUP_ARCHIVE, BACKUP_ORIGINALS, BACKUP_NONE };

/* The strategy named by a library_backup value ("archive", "originals", "none"); anything
 * else is BACKUP_ARCHIVE (the plan validates the value). */
enum backup_strategy backup_strategy_of(const char *value);
/* The plan's word for s (untranslated). */
const char *backup_strategy_name(enum backup_strategy s);

/* Is the entry at path (relative to the library root, as walk.h gives it; depth >= 1, its
 * number of components) left out of a backup of strategy s? Everything below an entry left
 * out is left out too (a walk prunes such a directory). */
bool backup_excludes(enum backup_strategy s, const char *path, int depth);

#endif
