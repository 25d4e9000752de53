#include "common.h"
#include "commands.h"
#include <stdio.h>
int cmd_import(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, _("immich-migrate import: not implemented yet\n"));
    return 1;
}
