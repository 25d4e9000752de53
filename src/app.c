#include "common.h"
#include "app.h"

#include <stdio.h>

int app_run(const struct app_options *opt)
{
    (void)opt;
    fprintf(stderr, _("immich-migrate: this mode is not implemented yet\n"));
    return 1;
}
