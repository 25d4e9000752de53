/* The whole migration: modes of the program above the single stages. */
#ifndef IM_APP_H
#define IM_APP_H

#include "session.h"

#include <stdbool.h>

#define APP_DEFAULT_STATE_DIR SESSION_DEFAULT_STATE_DIR /* --state-dir when not given */

enum app_mode { MODE_NONE, MODE_WIZARD, MODE_BATCH, MODE_DRY_RUN, MODE_REVIEW, MODE_REPORT };

struct app_options {
    enum app_mode mode;
    const char *config;
    const char *state_dir;
    const char *log_dir; /* --review/--report DIR, NULL = state_dir */
    bool yes;
    bool resume;
    bool demo;
    bool keep_sandbox;
    unsigned overrides; /* --override: stage gates (stage.h) batch mode passes over */
};

int app_run(const struct app_options *opt);

#endif
