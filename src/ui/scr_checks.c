/* Checks: runs the "discover" stage and shows its findings as pass/fail lines. */
#include "ui/uimain.h"
#include "journal.h"

#include <stdlib.h>

struct checks_screen {
    bool started; /* the checks ran by themselves on the first visit */
};

static void *checks_open(struct ui *ui)
{
    (void)ui;
    return xcalloc(1, sizeof(struct checks_screen));
}

static void checks_enter(struct ui *ui, void *self)
{
    struct checks_screen *cs = self;
    const struct stage *st = wiz_current_stage(ui);
    /* The first visit runs the checks by itself; later visits show the last result. */
    if (!cs->started && wiz_status(ui, st) != ST_DONE) {
        cs->started = true;
        wiz_start_stage(ui, st);
    }
}

static void checks_draw(struct ui *ui, void *self)
{
    (void)self;
    const struct stage *st = wiz_current_stage(ui);
    wiz_draw_header(ui, _("Checks"));
    int y = wiz_body_top(ui);
    y += dr_paragraph(y, 2, COLS - 4, 3, _(st->describe), A_NORMAL);
    bool ours = ui->run.stage == st;
    if (ours)
        runview_draw_progress(&ui->run, y, 2, COLS - 4);
    y += 2;
    dr_hline(y++, 0, COLS, _("Findings"));
    int result_y = LINES - 2;
    if (stage_results_stale(ui, st)) /* found with other settings: said before they are shown */
        y += dr_paragraph(y, 1, COLS - 2, 2,
                          _("Stale: the settings changed since these checks ran; n runs the "
                            "checks again."),
                          ui_attr(UA_WARN));
    if (ours)
        runview_draw_log(&ui->run, y, 1, COLS - 2, result_y - y, true);
    stage_draw_result(ui, st, result_y);
    /* The first pair is what Enter does. */
    static const char *const idle_keys[] = {"Enter/n", N_("Next"),      "r",   N_("Run again"),
                                            "p",       N_("Full text"), "Esc", N_("Back"),
                                            "?",       N_("Help"),      "q",   N_("Quit")};
    static const char *const stale_keys[] = {"Enter/n", N_("Run again"), "Esc", N_("Back"),
                                             "?",       N_("Help"),      "q",   N_("Quit")};
    static const char *const busy_keys[] = {"Enter/p", N_("Full text"), "c", N_("Cancel"),
                                            "?",       N_("Help"),      "q", N_("Quit")};
    if (worker_running(ui->w))
        dr_keybar(busy_keys, ARRAY_LEN(busy_keys));
    else if (stage_results_stale(ui, st))
        dr_keybar(stale_keys, ARRAY_LEN(stale_keys));
    else
        dr_keybar(idle_keys, ARRAY_LEN(idle_keys));
}

static int checks_key(struct ui *ui, void *self, int key)
{
    (void)self;
    const struct stage *st = wiz_current_stage(ui);
    if (stage_common_key(ui, key))
        return ACT_NONE;
    if (key == 'p' || (UK_ENTER(key) && worker_running(ui->w))) {
        stage_show_log(ui, _("Findings"), true);
        return ACT_NONE;
    }
    if (worker_running(ui->w))
        return ACT_NONE;
    bool stale = stage_results_stale(ui, st);
    if (key == 'r' || ((key == 'n' || UK_ENTER(key)) && stale)) {
        wiz_start_stage(ui, st);
    } else if (UK_ENTER(key) || key == 'n' || key == UK(KEY_RIGHT)) {
        /* Looking ahead is always allowed: the session refuses every stage that needs the
         * checks until they passed, unless the user types an override there. */
        return ACT_NEXT;
    }
    return ACT_NONE;
}

const struct screen screen_checks = {
    .open = checks_open,
    .close = free,
    .enter = checks_enter,
    .draw = checks_draw,
    .key = checks_key,
    .help = N_("Checks: the wizard looks at the Docker installation and the NixOS target and "
               "lists what it found; a failed check says why. p (or Enter while they run) shows every "
               "finding in full. r runs the checks again (for "
               "example after changing a setting) until Docker was stopped, Enter or n goes on. After a "
               "setting changed, the findings shown are marked stale and Enter or n runs the checks "
               "again. Until the "
               "checks passed with the current settings, the stages that change something refuse "
               "to run unless you type \"override\" when asked (recorded in the log)."),
};
