/* Attached to a detached run: the wizard of another session lost its terminal (SSH dropped)
 * during a stage that goes on without it (stage.h: survives_hangup). This screen follows that
 * stage by polling files only, no IPC: the status file (runstatus.h) for the progress, the log
 * for the stage's records, the lock for the end. q leaves the run alone; when its process has
 * released the lock, the caller takes over the wizard on the still open terminal. */
#include "ui/uimain.h"
#include "ui/ui.h"
#include "journal.h"
#include "mlog.h"
#include "runstatus.h"

#include <stdlib.h>
#include <string.h>

#define POLL_MS 250                /* files are read four times a second */
#define LOG_TAIL_BYTES (64 * 1024) /* of a long log, only its end is shown */

struct attach {
    const char *dir;
    long pid;                   /* the detached process */
    struct runstatus_info info; /* what its status file said last */
    bool have_info;
    uint64_t log_offset; /* the log is read on from here */
};

/* A new stage in the status file (or the first one seen): the view starts over with it. */
static void follow_stage(struct ui *ui, struct attach *a, struct runstatus_info *info)
{
    bool same = a->have_info && strcmp(a->info.stage_id, info->stage_id) == 0;
    if (!same)
        runview_reset(&ui->run, stage_find(info->stage_id));
    if (info->have_progress) {
        struct event ev = {.kind = EV_PROGRESS,
                           .time = now_monotonic(),
                           .done = info->done,
                           .total = info->total,
                           .text = info->current};
        memcpy(ev.unit, info->unit, sizeof ev.unit);
        runview_apply(&ui->run, &ev);
    }
    if (info->ended && !ui->run.finished) {
        struct event ev = {.kind = EV_DONE, .time = now_monotonic(), .result = info->result};
        runview_apply(&ui->run, &ev);
    }
    runstatus_info_free(&a->info);
    a->info = *info;
    a->have_info = true;
}

/* The stage's records written to the log since the last look. */
static void read_log(struct ui *ui, struct attach *a)
{
    struct mlog_entries e;
    struct strbuf err = {0};
    if (mlog_read_new(a->dir, &a->log_offset, LOG_TAIL_BYTES, &e, &err) == 0) {
        for (size_t i = 0; i < e.n; i++) {
            if (!a->have_info || strcmp(e.v[i].stage, a->info.stage_id) != 0)
                continue;
            struct event ev = {.kind = EV_RECORD,
                               .time = now_monotonic(),
                               .rec_kind = e.v[i].kind,
                               .exit_status = e.v[i].exit_status,
                               .text = e.v[i].text};
            runview_apply(&ui->run, &ev);
        }
        mlog_entries_free(&e);
    }
    sb_free(&err);
}

static void poll_files(struct ui *ui, struct attach *a)
{
    struct runstatus_info info;
    if (runstatus_read(a->dir, &info) == 0)
        follow_stage(ui, a, &info);
    read_log(ui, a);
    ui->dirty = true;
}

static void draw_attach(struct ui *ui, void *arg)
{
    struct attach *a = arg;
    char *left = xasprintf("immich-migrate %s %s", term_utf8() ? "—" : "-", _("Attached"));
    dr_title(left, NULL);
    free(left);
    char *about = xasprintf(_("This migration goes on in process %ld, without a terminal: its "
                              "terminal hung up during a stage that changes nothing in the source. "
                              "This screen follows it; when the stage ends, the wizard continues "
                              "here."),
                            a->pid);
    int y = 2 + dr_paragraph(2, 2, COLS - 4, 4, about, A_NORMAL) + 1;
    free(about);
    const struct stage *st = ui->run.stage;
    const char *title = st ? _(st->title) : a->have_info ? a->info.stage_id : "";
    dr_text(y, 2, COLS - 4, title, ui_attr(UA_HEADING));
    runview_draw_progress(&ui->run, y + 1, 2, COLS - 4);
    y += 4;
    dr_hline(y, 0, COLS, _("Log"));
    runview_draw_log(&ui->run, y + 1, 1, COLS - 2, LINES - y - 4, false);
    char *state = NULL;
    if (ui->run.finished)
        state = xasprintf(_("\"%s\" ended; waiting for process %ld to exit %s"), title, a->pid,
                          ui_sym(SYM_ELLIPSIS));
    else
        state = xasprintf(_("Running in process %ld %s"), a->pid, ui_sym(SYM_ELLIPSIS));
    dr_text(LINES - 2, 2, COLS - 4, state, A_BOLD);
    free(state);
    static const char *const keys[] = {"q", N_("Leave (the run goes on)")};
    dr_keybar(keys, ARRAY_LEN(keys));
}

int ui_attach_run(const char *dir, long pid)
{
    if (term_open(_("immich-migrate: another immich-migrate works on this state directory without "
                    "a terminal; run immich-migrate in a terminal to follow it")) < 0)
        return 2;
    struct attach a = {.dir = dir, .pid = pid};
    struct ui ui;
    memset(&ui, 0, sizeof ui);
    ui.draw_base = draw_attach;
    ui.draw_arg = &a;
    int rc;
    for (;;) {
        if (journal_lock_holder(dir) == 0) {
            rc = -1; /* the run is over: the caller takes over */
            break;
        }
        poll_files(&ui, &a);
        ui_draw(&ui);
        int k = ui_getkey_within(&ui, POLL_MS);
        int sig = 0;
        if (k == UK_STOP && term_stop_requested(&sig)) {
            rc = 128 + sig;
            break;
        }
        if (k == 'q' || k == 'Q' || k == UK_INTERRUPT || k == UK(KEY_F(10))) {
            rc = 0;
            break;
        }
    }
    if (rc != -1)
        term_close();
    runview_free(&ui.run);
    runstatus_info_free(&a.info);
    free(ui.status);
    return rc;
}

void ui_close_terminal(void)
{
    term_close();
}
