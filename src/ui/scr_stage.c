/* A stage's screen: what it does, the exact commands and SQL it will run, Run / Skip / Back,
 * progress with throughput and ETA, a scrolling log pane and the result. */
#include "ui/uimain.h"
#include "journal.h"
#include "redact.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PREVIEW_LINES 6

struct stage_screen {
    char *preview; /* the shown stage's preview text, redacted; NULL before the first visit */
    char *explain; /* what it changes and asks (stage_explain), made with the preview */
};

static void *stage_open(struct ui *ui)
{
    (void)ui;
    return xcalloc(1, sizeof(struct stage_screen));
}

static void stage_close(void *self)
{
    struct stage_screen *ss = self;
    if (ss) {
        free(ss->preview);
        free(ss->explain);
    }
    free(ss);
}

/* The preview is made once when the screen opens (the plan may change while a stage runs on
 * the worker; drawing never reads it then). */
static void stage_enter(struct ui *ui, void *self)
{
    struct stage_screen *ss = self;
    const struct stage *st = wiz_current_stage(ui);
    free(ss->preview);
    free(ss->explain);
    struct strbuf out = {0};
    session_stage_preview(ui->s, st, &out);
    ss->preview = redact_dup(sb_str(&out)); /* belt and braces: previews redact DSNs already */
    sb_reset(&out);
    stage_explain(st, &ui->s->plan, &out);
    ss->explain = xstrdup(sb_str(&out));
    sb_free(&out);
    if (ui->run.stage != st)
        ui->run.scroll = 0;
}

static int count_lines(const char *s)
{
    if (!*s)
        return 0;
    int n = 1;
    for (const char *p = s; *p; p++)
        n += *p == '\n' && p[1];
    return n;
}

static void draw_preview(const struct stage_screen *ss, int y, int h)
{
    const char *line = ss->preview ? ss->preview : "";
    int total = count_lines(line);
    int shown = total > h ? h - 1 : total;
    for (int i = 0; i < shown && *line; i++) {
        size_t len = strcspn(line, "\n");
        char *copy = xstrndup(line, len);
        dr_text(y + i, 2, COLS - 4, copy, A_NORMAL);
        free(copy);
        line += len + (line[len] ? 1 : 0);
    }
    if (total > shown) {
        char *more =
            xasprintf(_("%s %d more lines (p shows all)"), ui_sym(SYM_ELLIPSIS), total - shown);
        dr_text(y + shown, 2, COLS - 4, more, ui_attr(UA_DIM));
        free(more);
    }
}

/* The journal of the wizard: the session's, or the unfinished one shown before resuming. */
static const struct journal *shown_journal(const struct ui *ui)
{
    return ui->s->journal ? ui->s->journal : wiz_peek_journal(ui);
}

char *stage_interrupted_text(const struct ui *ui, const struct stage *st)
{
    const struct journal *j = shown_journal(ui);
    if (!j || (ui->run.stage == st && ui->run.running))
        return NULL;
    enum stage_status status = journal_status(j, st->id);
    struct strbuf why = {0};
    journal_reason(j, st->id, &why);
    /* session.c saves the reason translated; the journal may come from another language */
    bool cancelled = status == ST_PENDING && (strcmp(sb_str(&why), "interrupted") == 0 ||
                                              strcmp(sb_str(&why), _("interrupted")) == 0);
    sb_free(&why);
    if (status != ST_RUNNING && !cancelled)
        return NULL;
    char when[32] = "?";
    time_t t = (time_t)journal_when(j, st->id);
    struct tm tm;
    if (t > 0 && localtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    if (status == ST_RUNNING) /* killed: the journal knows when it started, not when it died */
        return xasprintf(_("Interrupted: started %s and did not finish; r resumes it"), when);
    return xasprintf(_("Interrupted at %s; r resumes it"), when);
}

bool stage_results_stale(const struct ui *ui, const struct stage *st)
{
    const struct run_view *rv = &ui->run;
    /* Only session_plan_changed turns a finished run of a checks stage back to pending (a
     * refusal by its gates leaves a pending stage pending, and those stages have none). */
    return (st->provides & GATE_CHECKS) && !st->requires && rv->stage == st && rv->finished &&
           !rv->running && ui->s->journal && (rv->result == STAGE_OK || rv->result == STAGE_FAILED) &&
           journal_status(ui->s->journal, st->id) == ST_PENDING;
}

/* The result line: the run's outcome, or the journal's state when it did not run here. */
void stage_draw_result(struct ui *ui, const struct stage *st, int y)
{
    if (ui->status) {
        dr_text(y, 1, COLS - 2, ui->status, ui_attr(UA_WARN));
        return;
    }
    const struct run_view *rv = &ui->run;
    char *text = NULL;
    attr_t a = A_NORMAL;
    if (rv->stage == st && rv->running) {
        text = xstrdup(worker_cancel_requested(ui->w) ? _("Stopping at a safe point...")
                                                      : _("Running..."));
    } else {
        enum stage_status status = wiz_status(ui, st);
        struct strbuf reason = {0};
        if (ui->s->journal)
            journal_reason(ui->s->journal, st->id, &reason);
        const char *why =
            rv->stage == st && rv->finished && rv->error && *rv->error ? rv->error : sb_str(&reason);
        switch (status) {
        case ST_DONE:
            text = xasprintf(_("Result: done"));
            a = ui_attr(UA_OK);
            break;
        case ST_FAILED:
            text = xasprintf(_("Failed: %s"), why);
            a = ui_attr(UA_FAIL);
            break;
        case ST_SKIPPED: text = xasprintf(_("Skipped: %s"), why); break;
        case ST_RUNNING:
            text = stage_interrupted_text(ui, st);
            if (!text)
                text = xstrdup(_("Running..."));
            a = ui_attr(UA_WARN);
            break;
        default:
            /* Pending after a run here: interrupted, or refused by its gates (session.c). */
            if (stage_results_stale(ui, st))
                text = xasprintf(_("Pending: %s"), why), a = ui_attr(UA_WARN);
            else if (rv->stage == st && rv->finished && rv->result == STAGE_FAILED)
                text = xasprintf(_("Failed: %s"), why), a = ui_attr(UA_FAIL);
            else if (rv->stage == st && rv->finished) /* stopped here: the run says why */
                text = xasprintf(_("Interrupted: %s; r runs it again"), why);
            else if ((text = stage_interrupted_text(ui, st)) != NULL) /* in an earlier run */
                a = ui_attr(UA_WARN);
            else if (*why) /* e.g. the checks, after a setting was changed */
                text = xasprintf(_("Pending: %s"), why), a = ui_attr(UA_WARN);
            else
                text = xstrdup(_("Not run yet."));
        }
        sb_free(&reason);
    }
    dr_text(y, 1, COLS - 2, text, a);
    free(text);
}

/* What must hold first and does not (stage.h): the session refuses the stage until then. */
static int draw_gates(struct ui *ui, const struct stage *st, int y)
{
    struct stage_ctx ctx = {
        .plan = &ui->s->plan, .state_dir = ui->s->state_dir, .journal = ui->s->journal};
    if (!ui->s->journal || worker_running(ui->w))
        return 0;
    unsigned missing = stage_gates_missing(st, &ctx);
    if (!missing)
        return 0;
    struct strbuf what = {0};
    stage_gates_describe(missing, &what);
    char *text = xasprintf(_("Needs first: %s."), sb_str(&what));
    int lines = dr_paragraph(y, 2, COLS - 4, 2, text, ui_attr(UA_WARN));
    free(text);
    sb_free(&what);
    return lines;
}

static void stage_draw(struct ui *ui, void *self)
{
    const struct stage_screen *ss = self;
    const struct stage *st = wiz_current_stage(ui);
    wiz_draw_header(ui, _(st->title));
    int y = wiz_body_top(ui);
    y += dr_paragraph(y, 2, COLS - 4, 3, _(st->describe), A_NORMAL);
    /* Exactly what changes and what it asks, wrapped in full: the user decides on this. */
    if (ss->explain) {
        char *text = st->destructive ? xasprintf(_("%s Only the backup can undo it."), ss->explain)
                                     : xstrdup(ss->explain);
        y += dr_paragraph(y, 2, COLS - 4, 6, text, ui_attr(st->destructive ? UA_WARN : UA_DIM));
        free(text);
    }
    y += draw_gates(ui, st, y);
    int result_y = LINES - 2;
    int room = result_y - y - 5; /* 2 rules, 2 progress lines, at least 1 log line */
    int preview_h = room / 2 > MAX_PREVIEW_LINES ? MAX_PREVIEW_LINES : room / 2;
    if (preview_h < 1)
        preview_h = 1;
    dr_hline(y++, 0, COLS, _("Will run"));
    draw_preview(ss, y, preview_h);
    y += preview_h;
    bool ours = ui->run.stage == st;
    if (ours)
        runview_draw_progress(&ui->run, y, 2, COLS - 4);
    y += 2;
    dr_hline(y++, 0, COLS, _("Log"));
    if (ours)
        runview_draw_log(&ui->run, y, 1, COLS - 2, result_y - y, false);
    stage_draw_result(ui, st, result_y);
    /* The first pair is what Enter does (the default action; HACKING.md, "Adding a screen"). */
    static const char *const run_keys[] = {
        "Enter/r", N_("Run"), "s",   N_("Skip"), "n", N_("Next"), "p", N_("Commands"),
        "l",       N_("Log"), "Esc", N_("Back"), "?", N_("Help"), "q", N_("Quit")};
    static const char *const next_keys[] = {
        "Enter/n", N_("Next"), "r", N_("Run"),  "p", N_("Commands"), "l", N_("Log"),
        "Esc",     N_("Back"), "?", N_("Help"), "q", N_("Quit")};
    static const char *const busy_keys[] = {"Enter/l",   N_("Log"),        "c", N_("Cancel"),
                                            "PgUp/PgDn", N_("Scroll log"), "?", N_("Help"),
                                            "q",         N_("Quit")};
    enum stage_status status = wiz_status(ui, st);
    if (ui->w && worker_running(ui->w))
        dr_keybar(busy_keys, ARRAY_LEN(busy_keys));
    else if (status == ST_DONE || status == ST_SKIPPED)
        dr_keybar(next_keys, ARRAY_LEN(next_keys));
    else
        dr_keybar(run_keys, ARRAY_LEN(run_keys));
}

/* The log pane's records in full in the pager: a long record is never only cut. */
void stage_show_log(struct ui *ui, const char *title, bool checks_style)
{
    struct strbuf text = {0};
    runview_full_text(&ui->run, checks_style, &text);
    dlg_text(ui, title, sb_str(&text));
    sb_free(&text);
}

/* Keys while a stage runs (cancel, scroll) and the log keys; returns true when handled. */
bool stage_common_key(struct ui *ui, int key)
{
    if (key == UK(KEY_PPAGE) || key == UK(KEY_UP)) {
        ui->run.scroll += key == UK(KEY_UP) ? 1 : 10;
        if (ui->run.scroll > (int)ui->run.count)
            ui->run.scroll = (int)ui->run.count;
        return true;
    }
    if (key == UK(KEY_NPAGE) || key == UK(KEY_DOWN)) {
        ui->run.scroll -= key == UK(KEY_DOWN) ? 1 : 10;
        if (ui->run.scroll < 0)
            ui->run.scroll = 0;
        return true;
    }
    if (key == 'c' && worker_running(ui->w)) {
        bool yes = dlg_yesno(
            ui, _("Cancel the running stage? It stops at its next safe point and can be run again."),
            true);
        /* The stage may have ended while the question was open: then there is nothing left to
         * cancel, and the user must not think it was stopped. */
        if (yes && worker_running(ui->w))
            worker_cancel(ui->w);
        else if (yes)
            ui_set_status(ui, _("Nothing was cancelled: the stage had already finished."));
        return true;
    }
    return false;
}

static int stage_key(struct ui *ui, void *self, int key)
{
    const struct stage_screen *ss = self;
    const struct stage *st = wiz_current_stage(ui);
    if (stage_common_key(ui, key))
        return ACT_NONE;
    if (worker_running(ui->w)) {
        if (UK_ENTER(key) || key == 'l')
            stage_show_log(ui, _("Log"), false);
        return key == UK_ESC ? ACT_BACK : ACT_NONE;
    }
    enum stage_status status = wiz_status(ui, st);
    bool settled = status == ST_DONE || status == ST_SKIPPED;
    if (key == 'r' || (UK_ENTER(key) && !settled)) {
        wiz_start_stage(ui, st);
    } else if (UK_ENTER(key) || key == 'n' || key == UK(KEY_RIGHT)) {
        return ACT_NEXT;
    } else if (key == 's') {
        if (dlg_yesno(ui, _("Skip this stage? The migration goes on without it."), false))
            session_skip_stage(ui->s, st, _("skipped by the user"));
    } else if (key == 'p') {
        dlg_text(ui, _(st->title), ss->preview ? ss->preview : "");
    } else if (key == 'l') {
        stage_show_log(ui, _("Log"), false);
    }
    return ACT_NONE;
}

const struct screen screen_stage = {
    .open = stage_open,
    .close = stage_close,
    .enter = stage_enter,
    .draw = stage_draw,
    .key = stage_key,
    .help = N_("A stage: the text says what it does, exactly what it changes and what it asks "
               "first; \"Will run\" lists the exact commands and SQL (p shows all of them), l shows "
               "the whole log. Enter runs the stage until it is done, then goes to the next one; "
               "r runs the stage, s skips it, n goes to the next stage. "
               "While it runs, the bar shows progress, throughput and the estimated time left; "
               "c cancels at the next safe point. A stage that needs confirmation asks you to "
               "type a word (for example the database name) or to answer yes or no. \"Needs first\" names what must hold "
               "before the stage may run (the checks passed, a verified backup, the NixOS stage); "
               "without it the stage is refused unless you type \"override\", which is recorded "
               "in the log and the report."),
};
