#include "runstatus.h"
#include "textesc.h"
#include "sys/atomic_file.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WRITE_INTERVAL 0.5 /* seconds between two writes of the progress */

struct runstatus {
    pthread_mutex_t lock; /* guards everything below */
    char *path;
    bool detached;
    bool written; /* the file exists because we wrote it */
    double last_write;
    char *stage_id;
    bool ended;
    int result;
    bool have_progress;
    char unit[16];
    uint64_t done, total;
    char *current;
};

struct runstatus *runstatus_new(const char *dir)
{
    struct runstatus *rs = xcalloc(1, sizeof *rs);
    pthread_mutex_init(&rs->lock, NULL);
    rs->path = xasprintf("%s/%s", dir, RUNSTATUS_FILE);
    rs->stage_id = xstrdup("");
    unlink(rs->path); /* left by a process that was killed: we hold the lock now */
    return rs;
}

void runstatus_free(struct runstatus *rs)
{
    if (!rs)
        return;
    if (rs->written)
        unlink(rs->path);
    pthread_mutex_destroy(&rs->lock);
    free(rs->path);
    free(rs->stage_id);
    free(rs->current);
    free(rs);
}

/* Writes the file; the caller holds the lock. A failure is not worth stopping a stage for:
 * the viewer then shows older figures. */
static void write_locked(struct runstatus *rs)
{
    struct strbuf text = {0}, err = {0};
    sb_printf(&text, "pid\t%ld\nstage\t", (long)getpid());
    tsv_escape(rs->stage_id, &text);
    sb_printf(&text, "\nended\t%d\nresult\t%d\n", rs->ended, rs->result);
    if (rs->have_progress) {
        sb_append(&text, "unit\t");
        tsv_escape(rs->unit, &text);
        sb_printf(&text, "\ndone\t%" PRIu64 "\ntotal\t%" PRIu64 "\n", rs->done, rs->total);
        if (rs->current) {
            sb_append(&text, "current\t");
            tsv_escape(rs->current, &text);
            sb_append_char(&text, '\n');
        }
    }
    if (atomic_write_file(rs->path, text.buf, text.len, &err) == 0)
        rs->written = true;
    rs->last_write = now_monotonic();
    sb_free(&text);
    sb_free(&err);
}

void runstatus_stage_started(struct runstatus *rs, const char *stage_id)
{
    pthread_mutex_lock(&rs->lock);
    free(rs->stage_id);
    rs->stage_id = xstrdup(stage_id);
    rs->ended = false;
    rs->result = 0;
    rs->have_progress = false;
    rs->done = rs->total = 0;
    free(rs->current);
    rs->current = NULL;
    if (rs->detached)
        write_locked(rs);
    pthread_mutex_unlock(&rs->lock);
}

void runstatus_progress(struct runstatus *rs, const struct progress *p)
{
    pthread_mutex_lock(&rs->lock);
    rs->have_progress = true;
    snprintf(rs->unit, sizeof rs->unit, "%s", p->unit ? p->unit : "");
    rs->done = p->done;
    rs->total = p->total;
    free(rs->current);
    rs->current = p->current ? xstrdup(p->current) : NULL;
    if (rs->detached && now_monotonic() - rs->last_write >= WRITE_INTERVAL)
        write_locked(rs);
    pthread_mutex_unlock(&rs->lock);
}

void runstatus_stage_ended(struct runstatus *rs, int result)
{
    pthread_mutex_lock(&rs->lock);
    rs->ended = true;
    rs->result = result;
    free(rs->current);
    rs->current = NULL;
    if (rs->detached)
        write_locked(rs);
    pthread_mutex_unlock(&rs->lock);
}

void runstatus_detach(struct runstatus *rs)
{
    pthread_mutex_lock(&rs->lock);
    rs->detached = true;
    write_locked(rs);
    pthread_mutex_unlock(&rs->lock);
}

/* ---- reading ---- */

static void take_field(struct runstatus_info *out, const char *key, char *value)
{
    if (strcmp(key, "pid") == 0)
        out->pid = strtol(value, NULL, 10);
    else if (strcmp(key, "stage") == 0) {
        free(out->stage_id);
        out->stage_id = value;
        return;
    } else if (strcmp(key, "ended") == 0)
        out->ended = atoi(value) != 0;
    else if (strcmp(key, "result") == 0)
        out->result = atoi(value);
    else if (strcmp(key, "unit") == 0) {
        out->have_progress = true;
        snprintf(out->unit, sizeof out->unit, "%s", value);
    } else if (strcmp(key, "done") == 0)
        out->done = strtoull(value, NULL, 10);
    else if (strcmp(key, "total") == 0)
        out->total = strtoull(value, NULL, 10);
    else if (strcmp(key, "current") == 0) {
        free(out->current);
        out->current = value;
        return;
    }
    free(value);
}

int runstatus_read(const char *dir, struct runstatus_info *out)
{
    memset(out, 0, sizeof *out);
    char *path = xasprintf("%s/%s", dir, RUNSTATUS_FILE);
    struct strbuf text = {0};
    int rc = read_small_file(path, &text);
    free(path);
    if (rc < 0) {
        sb_free(&text);
        return -1;
    }
    const char *cur = sb_str(&text);
    while (*cur) {
        size_t n = strcspn(cur, "\n");
        char *line = xstrndup(cur, n);
        cur += n + (cur[n] == '\n');
        char *f[2] = {0};
        if (tsv_split(line, f, 2) == 2)
            take_field(out, f[0], f[1]);
        else
            free(f[1]);
        free(f[0]);
        free(line);
    }
    sb_free(&text);
    if (!out->stage_id)
        out->stage_id = xstrdup("");
    if (out->pid > 0)
        return 0;
    runstatus_info_free(out);
    return -1;
}

void runstatus_info_free(struct runstatus_info *info)
{
    free(info->stage_id);
    free(info->current);
    memset(info, 0, sizeof *info);
}
