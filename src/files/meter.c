#include "common.h"
#include "files/meter.h"
#include "files/manifest.h"

#include <string.h>

#define METER_INTERVAL 0.25

void meter_start(struct meter *m, const struct reporter *rep, const char *unit,
                 uint64_t files_total, uint64_t bytes_total)
{
    memset(m, 0, sizeof *m);
    m->rep = rep;
    m->unit = unit;
    m->files_total = files_total;
    m->bytes_total = bytes_total;
    m->started = now_monotonic();
    m->last = -1;
}

void meter_tick(struct meter *m, const char *current, bool force)
{
    if (!m->rep || !m->rep->on_progress)
        return;
    double now = now_monotonic();
    if (!force && m->last >= 0 && now - m->last < METER_INTERVAL)
        return;
    m->last = now;
    /* The rate and the time left are the UI's (runview.c) and the command line's to work out,
     * in one format; the text says only the files and the path. */
    bool by_bytes = strcmp(m->unit, "bytes") == 0;
    sb_reset(&m->text);
    if (by_bytes && m->files_total)
        sb_printf(&m->text, _("%llu/%llu files"), (unsigned long long)m->files_done,
                  (unsigned long long)m->files_total);
    else if (by_bytes)
        sb_printf(&m->text, _("%llu files"), (unsigned long long)m->files_done);
    if (current && *current) {
        if (m->text.len)
            sb_append(&m->text, ": ");
        manifest_escape(current, &m->text); /* a newline in a name stays on one line */
    }
    if (by_bytes)
        report_progress(m->rep, "bytes", m->bytes_done, m->bytes_total, sb_str(&m->text));
    else
        report_progress(m->rep, m->unit, m->files_done, m->files_total, sb_str(&m->text));
}

void meter_free(struct meter *m)
{
    sb_free(&m->text);
}
