/* The wizard and the review browser live in src/ui/; this is where the modes reach them. */
#include "common.h"
#include "app.h"
#include "ui/ui.h"

int app_run_wizard(struct session *s, bool found_unfinished)
{
    return ui_wizard_run(s, found_unfinished);
}

int app_run_review(const char *dir)
{
    return ui_review_run(dir);
}
