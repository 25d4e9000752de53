/* The NixOS stage's settings, for the closing summary too. */
#ifndef IM_STAGES_NIXOS_H
#define IM_STAGES_NIXOS_H

#include "stages/stage.h"

/* The file in the state directory the settings are written to (0600), to copy them from. */
#define NIXOS_SETTINGS_FILE "nixos-immich.nix"

/* Appends the services.immich settings matching ctx's plan and artifacts (the dump's vector
 * extensions): plain Nix lines, ending with "};\n", for configuration.nix. */
void stage_nixos_snippet(const struct stage_ctx *ctx, struct strbuf *out);
/* Writes those settings to ctx->state_dir/NIXOS_SETTINGS_FILE (replaced atomically, mode 0600)
 * and returns its path (caller frees), or NULL with a message in err. */
char *stage_nixos_write_settings(const struct stage_ctx *ctx, struct strbuf *err);

#endif
