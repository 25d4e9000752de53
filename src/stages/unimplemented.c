/* Stages not built yet. They fail honestly: never a fake success. When a stage gets its own
 * file, its line here goes away. */
#include "stages/stage.h"

__attribute__((unused)) static enum stage_result not_implemented(struct stage_ctx *ctx, struct strbuf *err)
{
    (void)ctx;
    sb_append(err, _("not implemented yet"));
    return STAGE_FAILED;
}

__attribute__((unused)) static void no_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    (void)ctx;
    sb_append(out, _("(not implemented yet)\n"));
}

#define UNIMPLEMENTED(id_, title_, describe_) \
    const struct stage stage_##id_ = {#id_, title_, describe_, false, no_preview, NULL, not_implemented};

