/* The wizard: the order of screens, the keys every screen shares (help, back, quit), running
 * a stage on the worker, answering its questions, and leaving cleanly (q, SIGHUP, SIGTERM). */
#include "ui/uimain.h"
#include "rollback.h"
#include "ui/ui.h"
#include "journal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Screen positions: welcome, settings, checks (the "discover" stage), one screen for every
 * other stage in stage_list() order, finish. */
#define POS_CHECKS 2
#define FIRST_STAGE_POS 3

/* A stage run on the worker: what run_stage_job gets. */
struct stage_job {
    struct session *s;
    const struct stage *st;
};

/* The kinds of screen; screen_at() says which one shows at a position. */
enum { SCR_WELCOME, SCR_SETTINGS, SCR_CHECKS, SCR_STAGE, SCR_FINISH, SCR_COUNT };
static const struct screen *const screens[SCR_COUNT] = {
    [SCR_WELCOME] = &screen_welcome, [SCR_SETTINGS] = &screen_settings,
    [SCR_CHECKS] = &screen_checks,   [SCR_STAGE] = &screen_stage,
    [SCR_FINISH] = &screen_finish,
};

struct wizard {
    const struct stage *const *stages;
    size_t nstages;
    int pos; /* 0 welcome, 1 settings, 2 checks, 3.. stage screens, last finish */
    int npos;
    bool found_unfinished;
    struct journal *peek; /* the unfinished journal shown before resume / start over */
    const struct stage *rollback_offered; /* rollback already offered after this stage failed */
    struct stage_job job;                 /* the worker's argument while a stage runs */
    void *state[SCR_COUNT];               /* each screen's own state (struct screen) */
};

/* The checks screen shows the stage that establishes the checks gate (stage.h). */
static const struct stage *discover_stage(const struct wizard *wz)
{
    for (size_t i = 0; i < wz->nstages; i++)
        if (wz->stages[i]->provides & GATE_CHECKS)
            return wz->stages[i];
    return wz->stages[0];
}

const struct stage *wiz_stage_at(const struct ui *ui, int pos)
{
    const struct wizard *wz = ui->wiz;
    if (pos == POS_CHECKS)
        return discover_stage(wz);
    if (pos < FIRST_STAGE_POS || pos >= wz->npos - 1)
        return NULL;
    int want = pos - FIRST_STAGE_POS;
    for (size_t i = 0; i < wz->nstages; i++) {
        if (wz->stages[i] == discover_stage(wz))
            continue;
        if (want-- == 0)
            return wz->stages[i];
    }
    return NULL;
}

const struct stage *wiz_current_stage(const struct ui *ui)
{
    return wiz_stage_at(ui, ui->wiz->pos);
}

const struct stage *const *wiz_stages(const struct ui *ui, size_t *n)
{
    *n = ui->wiz->nstages;
    return ui->wiz->stages;
}

const struct journal *wiz_peek_journal(const struct ui *ui)
{
    return ui->wiz->peek;
}

bool wiz_found_unfinished(const struct ui *ui)
{
    return ui->wiz->found_unfinished;
}

enum stage_status wiz_status(const struct ui *ui, const struct stage *st)
{
    if (ui->s->journal)
        return journal_status(ui->s->journal, st->id);
    if (ui->wiz->peek)
        return journal_status(ui->wiz->peek, st->id);
    return ST_PENDING;
}

int wiz_first_open_pos(const struct ui *ui)
{
    for (int pos = POS_CHECKS; pos < ui->wiz->npos - 1; pos++) {
        enum stage_status st = wiz_status(ui, wiz_stage_at(ui, pos));
        if (st != ST_DONE && st != ST_SKIPPED)
            return pos;
    }
    return ui->wiz->npos - 1;
}

/* The screen kind shown at pos. */
static int screen_at(const struct wizard *wz, int pos)
{
    if (pos == 0)
        return SCR_WELCOME;
    if (pos == 1)
        return SCR_SETTINGS;
    if (pos == POS_CHECKS)
        return SCR_CHECKS;
    if (pos == wz->npos - 1)
        return SCR_FINISH;
    return SCR_STAGE;
}

static void draw_current(struct ui *ui, void *arg)
{
    struct wizard *wz = arg;
    int kind = screen_at(wz, wz->pos);
    screens[kind]->draw(ui, wz->state[kind]);
}

void wiz_jump(struct ui *ui, int pos)
{
    struct wizard *wz = ui->wiz;
    if (pos < 0)
        pos = 0;
    if (pos >= wz->npos)
        pos = wz->npos - 1;
    wz->pos = pos;
    ui_set_status(ui, NULL);
    int kind = screen_at(wz, pos);
    if (screens[kind]->enter)
        screens[kind]->enter(ui, wz->state[kind]);
}

int wiz_body_top(const struct ui *ui)
{
    return ui->s->opt->demo ? 3 : 2;
}

void wiz_draw_header(struct ui *ui, const char *title)
{
    const struct wizard *wz = ui->wiz;
    char *left = xasprintf("immich-migrate %s %s", term_utf8() ? "—" : "-", title);
    char *right = NULL;
    if (wz->pos >= POS_CHECKS && wz->pos < wz->npos - 1)
        right = xasprintf(_("Step %d of %d"), wz->pos - POS_CHECKS + 1, wz->npos - 1 - POS_CHECKS);
    if (COLS < 80 || LINES < 24) { /* drawn, but some text is cut or scrolled away */
        free(right);
        right = xstrdup(_("Too small: needs 80x24"));
    }
    dr_title(left, right);
    free(left);
    free(right);
    if (ui->s->opt->demo) {
        dr_fill(1, 0, COLS, ui_attr(UA_BANNER));
        const char *banner = _("DEMO — sandbox, nothing real is touched");
        int w = dr_width(banner);
        dr_text(1, w < COLS ? (COLS - w) / 2 : 0, COLS, banner, ui_attr(UA_BANNER));
    }
}

/* ---- running a stage ---- */

static int run_stage_job(void *arg, const struct reporter *rep, struct strbuf *err)
{
    struct stage_job *job = arg;
    return session_rerun_stage(job->s, job->st, rep, err);
}

bool wiz_start_stage(struct ui *ui, const struct stage *st)
{
    if (worker_running(ui->w))
        return false;
    runview_reset(&ui->run, st);
    ui->wiz->rollback_offered = NULL;
    ui->wiz->job = (struct stage_job){ui->s, st};
    if (worker_start(ui->w, run_stage_job, &ui->wiz->job) < 0) {
        ui->run.running = false;
        ui_set_status(ui, _("Cannot start the worker thread."));
        return false;
    }
    ui_set_status(ui, NULL);
    return true;
}

static void wiz_show_question(struct ui *ui)
{
    if (!ui->run.question)
        return;
    ui->run.question = false;
    bool yes = dlg_confirm_typed(ui, ui->run.q_text, ui->run.q_expected);
    worker_answer(ui->w, yes);
}

/* Cancels the running stage and waits until it reached its safe point (session_run_stage
 * returned, journal saved). With draw, the screen keeps showing what happens. */
static void cancel_and_wait(struct ui *ui, bool draw)
{
    if (!worker_running(ui->w))
        return;
    worker_cancel(ui->w);
    ui_set_status(ui, _("Stopping at a safe point..."));
    if (draw)
        ui_draw(ui);
    while (worker_running(ui->w)) {
        ui_pump(ui, 100);
        if (draw && ui->dirty)
            ui_draw(ui);
    }
}

static int rollback_job(void *arg, const struct reporter *rep, struct strbuf *err)
{
    return rollback_start_docker(arg, rep, err) == 0 ? STAGE_OK : STAGE_FAILED;
}

static int restore_owners_job(void *arg, const struct reporter *rep, struct strbuf *err)
{
    return rollback_restore_owners(arg, rep, err) == 0 ? STAGE_OK : STAGE_FAILED;
}

/* Runs job (a rollback) in the worker, on the failed stage's run view. */
static void start_rollback(struct ui *ui, int (*job)(void *, const struct reporter *, struct strbuf *))
{
    runview_reset(&ui->run, ui->run.stage);
    ui->wiz->job.st = NULL; /* the worker runs no stage: a hang-up stops it */
    if (worker_start(ui->w, job, ui->s) < 0)
        ui_set_status(ui, _("Cannot start the worker thread."));
}

/* A stage failed before the import: offer to give the user the Docker installation back. */
static void offer_rollback(struct ui *ui)
{
    struct run_view *rv = &ui->run;
    /* A stage refused by its gates left the journal as it was: nothing failed to undo. */
    if (!rv->finished || rv->result != STAGE_FAILED || rv->stage == ui->wiz->rollback_offered ||
        worker_running(ui->w) || wiz_status(ui, rv->stage) != ST_FAILED)
        return;
    if (!rollback_possible(ui->s, rv->stage)) {
        /* After the import: what chown changed can still be put back. Not by default: it is
         * only wanted to go back to the Docker installation, and chown would run again. */
        char *owners = rollback_owners_hint(ui->s);
        ui->wiz->rollback_offered = rv->stage;
        if (!owners)
            return;
        char *q = xasprintf(_("\"%s\" failed. %s. Put them back now? Only needed to go back to "
                              "the Docker installation; a resume runs Set owner again."),
                            _(rv->stage->title), owners);
        free(owners);
        bool yes = dlg_yesno(ui, q, false);
        free(q);
        if (yes)
            start_rollback(ui, restore_owners_job);
        return;
    }
    ui->wiz->rollback_offered = rv->stage;
    char *q = xasprintf(_("\"%s\" failed before the import. Start the Docker containers %s and %s "
                          "again, so the old installation runs as before? (Nothing else is changed.)"),
                        _(rv->stage->title), plan_get(&ui->s->plan, PLAN_server_container),
                        plan_get(&ui->s->plan, PLAN_ml_container));
    bool yes = dlg_yesno(ui, q, true);
    free(q);
    if (yes)
        start_rollback(ui, rollback_job);
}

static bool confirm_quit(struct ui *ui)
{
    if (worker_running(ui->w))
        return dlg_yesno(ui,
                         _("A stage is running. Quit? It stops at the next safe point; "
                           "you can resume later."),
                         true);
    return dlg_yesno(ui, _("Quit?"), true);
}

/* Returns -1 to go on, else the exit status. */
static int handle_action(struct ui *ui, int act)
{
    switch (act) {
    case ACT_NEXT: wiz_jump(ui, ui->wiz->pos + 1); break;
    case ACT_BACK:
        if (worker_running(ui->w))
            ui_set_status(ui, _("A stage is running: cancel it with c first."));
        else if (ui->wiz->pos > 0)
            wiz_jump(ui, ui->wiz->pos - 1);
        break;
    case ACT_QUIT:
        if (confirm_quit(ui)) {
            cancel_and_wait(ui, true);
            return 0;
        }
        break;
    case ACT_EXIT: cancel_and_wait(ui, true); return 0;
    default: break;
    }
    return -1;
}

/* Is the worker running a stage that goes on when the terminal hangs up (stage.h)? */
static bool running_survives_hangup(const struct ui *ui)
{
    const struct stage *st = ui->wiz->job.st;
    return worker_running(ui->w) && st && st->survives_hangup;
}

/* The terminal hung up during such a stage: it goes on without the terminal (the lock, the
 * log and the journal stay as they are; a new immich-migrate attaches to it, ui/attach.c).
 * When it ends the program stops: no further stage starts unattended. A SIGTERM meanwhile
 * stops it at its next safe point. Returns the exit status. */
static int finish_detached(struct ui *ui, int sig)
{
    term_detach();
    session_detach(ui->s, ui->wiz->job.st);
    while (worker_running(ui->w)) {
        ui_pump(ui, 500);
        if (ui->run.question) { /* nobody is there to answer */
            ui->run.question = false;
            worker_answer(ui->w, false);
        }
        int stop = 0;
        if (term_stop_requested(&stop) && !worker_cancel_requested(ui->w)) {
            worker_cancel(ui->w);
            sig = stop;
        }
    }
    return 128 + sig;
}

static int wizard_loop(struct ui *ui, bool at_next_stage)
{
    wiz_jump(ui, at_next_stage ? wiz_first_open_pos(ui) : 0);
    if (at_next_stage)
        ui_set_status(ui, _("The detached stage has ended; the wizard continues here."));
    for (;;) {
        ui_draw(ui);
        wiz_show_question(ui);
        offer_rollback(ui);
        int k = ui_getkey(ui);
        int sig = 0;
        if (k == UK_STOP && term_stop_requested(&sig)) {
            if (sig == SIGHUP && running_survives_hangup(ui))
                return finish_detached(ui, sig);
            /* SSH dropped or asked to terminate: no drawing, the terminal may be gone. */
            cancel_and_wait(ui, false);
            return 128 + sig;
        }
        if (k == UK(KEY_RESIZE) || k == UK_STOP)
            continue;
        if (k != UK_EVENT)
            ui_set_status(ui, NULL); /* a message lasts until the next key */
        int kind = screen_at(ui->wiz, ui->wiz->pos);
        if (UK_HELP(k)) {
            dlg_help(ui, screens[kind]->help);
            continue;
        }
        int act = screens[kind]->key(ui, ui->wiz->state[kind], k);
        if (act == ACT_NONE && (k == 'q' || k == 'Q' || k == UK_F10 || k == UK_INTERRUPT))
            act = ACT_QUIT;
        else if (act == ACT_NONE && k == UK_ESC)
            act = ACT_BACK;
        int rc = handle_action(ui, act);
        if (rc >= 0)
            return rc;
    }
}

/* The wizard's state before its first screen: the stages, what session_open found, and
 * every screen's own state. */
static void wizard_init(struct wizard *wz, struct ui *ui, bool found_unfinished)
{
    memset(wz, 0, sizeof *wz);
    ui->wiz = wz;
    ui->draw_base = draw_current;
    ui->draw_arg = wz;
    wz->stages = stage_list(&wz->nstages);
    wz->npos = FIRST_STAGE_POS + (int)wz->nstages - 1 + 1;
    wz->found_unfinished = found_unfinished;
    if (found_unfinished) {
        struct strbuf err = {0};
        wz->peek = journal_load(ui->s->state_dir, &err);
        sb_free(&err);
    }
    for (int i = 0; i < SCR_COUNT; i++)
        wz->state[i] = screens[i]->open ? screens[i]->open(ui) : NULL;
}

static void wizard_free(struct wizard *wz)
{
    for (int i = 0; i < SCR_COUNT; i++)
        if (screens[i]->close)
            screens[i]->close(wz->state[i]);
    journal_free(wz->peek);
}

int ui_wizard_run(struct session *s, bool found_unfinished, bool at_next_stage)
{
    if (term_open(_("immich-migrate: the wizard needs a terminal; use --batch to run without one")) < 0)
        return 2;
    struct ui ui;
    memset(&ui, 0, sizeof ui);
    ui.s = s;
    ui.w = worker_new();
    if (!ui.w) {
        term_close();
        fprintf(stderr, _("immich-migrate: cannot create the worker's event queue\n"));
        return 1;
    }
    struct wizard wz;
    wizard_init(&wz, &ui, found_unfinished);
    int rc = wizard_loop(&ui, at_next_stage);
    worker_free(ui.w);
    term_close();
    runview_free(&ui.run);
    wizard_free(&wz);
    free(ui.status);
    if (rc > 128)
        fprintf(stderr,
                _("immich-migrate: stopped by signal %d; the state is saved, continue with --resume\n"),
                rc - 128);
    return rc;
}
