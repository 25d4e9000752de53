/* Honest progress for the library stages: files and bytes done of the scanned totals, at most
 * a few reports a second (the reader works out the rate and the time left). */
#ifndef IM_FILES_METER_H
#define IM_FILES_METER_H

#include "common.h"
#include "report.h"

struct meter {
    const struct reporter *rep;
    const char *unit; /* "bytes" or "entries" */
    uint64_t files_done, files_total;
    uint64_t bytes_done, bytes_total;
    double started, last;
    struct strbuf text;
};

void meter_start(struct meter *m, const struct reporter *rep, const char *unit,
                 uint64_t files_total, uint64_t bytes_total);
/* Reports when the last report is old enough (or force). current: the path being worked on. */
void meter_tick(struct meter *m, const char *current, bool force);
void meter_free(struct meter *m);

#endif
