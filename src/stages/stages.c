#include "stages/stage.h"

#include <string.h>

/* One line per stage, in the order of the guide (and of the wizard's screens). */
extern const struct stage stage_discover, stage_precopy, stage_stop_docker, stage_backup,
    stage_verify_backup, stage_dump, stage_fixup, stage_nixos, stage_prepare_db, stage_import,
    stage_copy, stage_chown, stage_start, stage_verify;

static const struct stage *const stages[] = {
    &stage_discover, &stage_precopy, &stage_stop_docker, &stage_backup,     &stage_verify_backup,
    &stage_dump,     &stage_fixup,   &stage_nixos,       &stage_prepare_db, &stage_import,
    &stage_copy,     &stage_chown,   &stage_start,       &stage_verify,
};

bool stage_always_repeatable(const struct stage_ctx *ctx)
{
    (void)ctx;
    return true;
}

const struct stage *const *stage_list(size_t *count)
{
    *count = ARRAY_LEN(stages);
    return stages;
}

const struct stage *stage_stopping_source(void)
{
    for (size_t i = 0; i < ARRAY_LEN(stages); i++)
        if (stages[i]->stops_source)
            return stages[i];
    return NULL;
}

const struct stage *stage_saving_owners(void)
{
    for (size_t i = 0; i < ARRAY_LEN(stages); i++)
        if (stages[i]->saves_owners)
            return stages[i];
    return NULL;
}

const struct stage *stage_find(const char *id)
{
    for (size_t i = 0; i < ARRAY_LEN(stages); i++)
        if (strcmp(stages[i]->id, id) == 0)
            return stages[i];
    return NULL;
}
