#include "downtime.h"
#include "stages/stage.h"

#include <string.h>

int64_t stage_finished_at(const struct mlog_entries *log, const char *stage_id)
{
    for (size_t i = log->n; i-- > 0;) {
        const struct mlog_entry *e = &log->v[i];
        if (strcmp(e->stage, stage_id) == 0 && e->duration >= 0 && e->kind == REC_MESSAGE)
            return e->time;
    }
    return -1;
}

double migration_downtime(const struct mlog_entries *log)
{
    size_t n;
    const struct stage *const *list = stage_list(&n);
    int64_t stopped = -1, started = -1;
    for (size_t i = 0; i < n; i++) {
        if (list[i]->stops_source)
            stopped = stage_finished_at(log, list[i]->id);
        if (list[i]->starts_target)
            started = stage_finished_at(log, list[i]->id);
    }
    if (stopped < 0 || started < stopped)
        return -1;
    return (double)(started - stopped);
}

double migration_downtime_in(const char *state_dir)
{
    struct mlog_entries log = {0};
    struct strbuf err = {0};
    double d = -1;
    if (mlog_read(state_dir, &log, &err) == 0)
        d = migration_downtime(&log);
    mlog_entries_free(&log);
    sb_free(&err);
    return d;
}
