#include "common.h"
#include "cli/commands.h"

#include <string.h>

static const struct command commands[] = {
    {"import", cmd_import, N_("load a plain SQL dump into a database through libpq")},
    {"backup", cmd_backup, N_("write the library as a zstd-compressed tar archive")},
    {"dump", cmd_dump, N_("dump the Immich database from its Docker container")},
    {"fixup", cmd_fixup, N_("rewrite a dump's paths, MediaLocation and owners for NixOS")},
    {"verify-backup", cmd_verify_backup,
     N_("compare a backup archive with the library, entry by entry")},
    {"copy", cmd_copy, N_("copy the library to the NixOS media location (resumable)")},
    {"chown", cmd_chown, N_("give the library to the immich user, not following symlinks")},
    {"restore-owners", cmd_restore_owners,
     N_("give the library back the owners and modes saved before chown")},
    {"check", cmd_check, N_("find Docker and the NixOS target, run the pre-flight checks")},
    {"verify", cmd_verify, N_("check that every file the database names exists for Immich")},
    {"prepare-db", cmd_prepare_db, N_("empty the target database, create the extensions it needs")},
    {NULL, NULL, NULL},
};

const struct command *command_find(const char *name)
{
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const struct command *command_list(void)
{
    return commands;
}
