/* Temporary: replaced by src/app_ui.c when the wizard lands. */
#include "common.h"
#include "app.h"
#include <stdio.h>
int app_run_wizard(struct session *s, bool found_unfinished)
{
    (void)s; (void)found_unfinished;
    fprintf(stderr, _("immich-migrate: the wizard is not built yet; use --batch\n"));
    return 1;
}
int app_run_review(const char *dir)
{
    (void)dir;
    fprintf(stderr, _("immich-migrate: the review browser is not built yet; use --report\n"));
    return 1;
}
