/* Stages not built yet. They fail honestly: never a fake success. When a stage gets its own
 * file, its line here goes away. */
#include "stages/stage.h"

static enum stage_result not_implemented(struct stage_ctx *ctx, struct strbuf *err)
{
    (void)ctx;
    sb_append(err, _("not implemented yet"));
    return STAGE_FAILED;
}

static void no_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    (void)ctx;
    sb_append(out, _("(not implemented yet)\n"));
}

#define UNIMPLEMENTED(id_, title_, describe_) \
    const struct stage stage_##id_ = {#id_, title_, describe_, false, no_preview, NULL, not_implemented};

UNIMPLEMENTED(discover, N_("Discover & check"), N_("Finds the Docker installation and the NixOS target and checks that the migration can work."))
UNIMPLEMENTED(stop_docker, N_("Stop Docker"), N_("Stops the Immich server and machine-learning containers; the database container keeps running."))
UNIMPLEMENTED(backup, N_("Back up library"), N_("Writes a zstd-compressed tar archive of the whole library."))
UNIMPLEMENTED(verify_backup, N_("Verify backup"), N_("Reads the archive back and compares every entry with the library."))
UNIMPLEMENTED(dump, N_("Dump database"), N_("Dumps the Immich database from the Docker container with pg_dump."))
UNIMPLEMENTED(fixup, N_("Fix up dump"), N_("Rewrites the search_path line, the library paths and the owners in the dump."))
UNIMPLEMENTED(nixos, N_("Configure NixOS"), N_("Shows the services.immich settings to add, waits for the units, and stops them."))
UNIMPLEMENTED(prepare_db, N_("Prepare database"), N_("Drops and recreates the target schemas and creates the extensions the dump needs."))
UNIMPLEMENTED(import, N_("Import dump"), N_("Loads the fixed dump into the NixOS PostgreSQL through libpq."))
UNIMPLEMENTED(copy, N_("Copy library"), N_("Copies the library to the NixOS media location when it differs."))
UNIMPLEMENTED(chown, N_("Set owner"), N_("Gives the library to the immich user, without following symlinks."))
UNIMPLEMENTED(start, N_("Start Immich"), N_("Starts the NixOS units and waits until Immich answers."))
UNIMPLEMENTED(verify, N_("Verify"), N_("Checks that every file the database names exists and belongs to Immich."))
