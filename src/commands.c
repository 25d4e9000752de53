#include "common.h"
#include "commands.h"

#include <string.h>

static const struct command commands[] = {
    {"import", cmd_import, N_("load a plain SQL dump into a database through libpq")},
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
