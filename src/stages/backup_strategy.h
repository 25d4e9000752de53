/* The library_backup strategy (files/select.h) as the backup stages see it: the plan's, and
 * the one the backup stage recorded (artifact backup_strategy) when it ran. */
#ifndef IM_STAGES_BACKUP_STRATEGY_H
#define IM_STAGES_BACKUP_STRATEGY_H

#include "files/select.h"
#include "stages/stage.h"

/* The plan's library_backup. */
enum backup_strategy stage_backup_planned(const struct stage_ctx *ctx);
/* Did the backup stage follow the plan's library_backup? A journal without the artifact
 * (written before the key existed) recorded an archive of everything. */
bool stage_backup_follows_plan(const struct stage_ctx *ctx);

/* The base archive (issue 12 item 2): the pre-copy writes it from its reading while Immich
 * runs, the backup stage after the stop then writes only the catch-up. Planned when
 * library_backup is archive or originals, backup_dir is set and target_location is not
 * upload_location (else the pre-copy reads nothing). */
bool stage_base_planned(const struct stage_ctx *ctx);
/* A fresh name for it in backup_dir: immich-library-base-STAMP.tar.zst (or
 * immich-originals-base-...). Caller frees. */
char *stage_base_fresh_name(const struct stage_ctx *ctx);
/* The base archive the backup stage may complete with a catch-up: the pre-copy's, verified,
 * of the planned strategy, there with its record (BASE.record). NULL when none; caller frees. */
char *stage_usable_base(const struct stage_ctx *ctx);
/* The catch-up's name for the base archive base: BASE without .tar.zst, + .catchup.tar.zst. */
char *stage_catchup_name(const char *base);
/* The archive's name stamp: "immich-library-" or "immich-originals-" + UTC time + suffix. */
char *stage_archive_name(const struct stage_ctx *ctx, const char *kind);

#endif
