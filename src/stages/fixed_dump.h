/* The fixed dump's checksum: the fixup stage records the SHA-256 of what it wrote as the
 * artifact fixed_dump_sha256; the import checks it before it reads a byte, so a dump
 * changed or swapped in between is refused. (backup_dir itself is refused when others can
 * write it; the checksum also catches what a directory check cannot, like a restore from an
 * old copy.) */
#ifndef IM_STAGES_FIXED_DUMP_H
#define IM_STAGES_FIXED_DUMP_H

#include "stages/stage.h"

/* 0 when the SHA-256 of fd (the fixed dump opened from path) is the one fixup recorded; -1
 * with the reason otherwise. Reads fd from its start and leaves it at offset 0. */
int fixed_dump_verify(const struct stage_ctx *ctx, const char *path, int fd, struct strbuf *err);

#endif
