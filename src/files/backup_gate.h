/* The rule that destructive stages come after a verified backup: verify_backup sets the
 * artifact "backup_verified" to "yes"; any stage that changes what cannot be restored without
 * the backup (copy, chown; also usable by the database stages) checks it first. */
#ifndef IM_FILES_BACKUP_GATE_H
#define IM_FILES_BACKUP_GATE_H

#include "stages/stage.h"

/* True when a verified backup exists; else false with a one-line reason in err. */
bool stage_backup_verified(const struct stage_ctx *ctx, struct strbuf *err);

#endif
