/* What the two library copy stages (precopy before the stop, copy after it) share. */
#ifndef IM_STAGES_LIBRARY_COPY_H
#define IM_STAGES_LIBRARY_COPY_H

#include "files/copy_record.h"
#include "stages/stage.h"

/* The copy record to follow: the one the pre-copy used (artifact copy_record), else the
 * state directory's; NULL without a state directory (a stage run alone). Caller frees. */
char *stage_copy_record(const struct stage_ctx *ctx);

/* Appends the command line of `immich-migrate copy` for upload_location -> target_location
 * with the record (when there is one); live: the pre-copy's options. */
void stage_copy_preview(const struct stage_ctx *ctx, bool live, struct strbuf *out);

#endif
