/* Welcome: what the wizard does, the stages with their state, and, when an unfinished
 * migration was found, the choice between resume, review and start over. */
#include "ui/uimain.h"
#include "journal.h"

#include <stdlib.h>

struct welcome_screen {
    bool choosing; /* an unfinished migration waits for resume, review or start over */
};

static void *welcome_open(struct ui *ui)
{
    struct welcome_screen *ws = xcalloc(1, sizeof *ws);
    ws->choosing = wiz_found_unfinished(ui);
    return ws;
}

static const char *status_symbol(enum stage_status st, attr_t *a)
{
    switch (st) {
    case ST_DONE: *a = ui_attr(UA_OK); return ui_sym(SYM_OK);
    case ST_FAILED: *a = ui_attr(UA_FAIL); return ui_sym(SYM_FAIL);
    case ST_SKIPPED: *a = A_NORMAL; return ui_sym(SYM_SKIP);
    case ST_RUNNING: *a = ui_attr(UA_WARN); return ui_sym(SYM_RUN);
    default: *a = A_NORMAL; return ui_sym(SYM_PENDING);
    }
}

/* One stage per line with its state mark; two columns when the list would not fit. */
static int draw_stage_list(struct ui *ui, int y, int rows)
{
    size_t nstages;
    const struct stage *const *stages = wiz_stages(ui, &nstages);
    int cols = (int)nstages > rows && COLS >= 48 ? 2 : 1;
    int per_col = ((int)nstages + cols - 1) / cols;
    int col_w = (COLS - 4) / cols;
    for (size_t i = 0; i < nstages; i++) {
        int row = (int)i % per_col, col = (int)i / per_col;
        if (row >= rows)
            continue;
        if (row == rows - 1 && col == cols - 1 && i + 1 < nstages) { /* no room for the rest */
            char *more = xasprintf(_("%s %zu more"), ui_sym(SYM_ELLIPSIS), nstages - i);
            dr_text(y + row, 2 + col * col_w, col_w - 1, more, ui_attr(UA_DIM));
            free(more);
            break;
        }
        int x = 2 + col * col_w;
        attr_t a;
        const char *mark = status_symbol(wiz_status(ui, stages[i]), &a);
        char *interrupted = stage_interrupted_text(ui, stages[i]);
        if (interrupted) /* not running now: the mark says it did not finish */
            mark = "!", a = ui_attr(UA_WARN);
        char *num = xasprintf("%2zu.", i + 1);
        dr_text(y + row, x, 4, num, A_NORMAL);
        free(num);
        dr_text(y + row, x + 4, 2, mark, a);
        char *title = interrupted ? xasprintf(_("%s (interrupted)"), _(stages[i]->title))
                                  : xstrdup(_(stages[i]->title));
        dr_text(y + row, x + 6, col_w - 7, title, A_NORMAL);
        free(title);
        free(interrupted);
    }
    return per_col < rows ? per_col : rows;
}

/* "Next: 4. Back up (interrupted at ...; r resumes it)" for a resumed migration. */
static char *next_stage_text(const struct ui *ui)
{
    size_t n;
    const struct stage *const *stages = wiz_stages(ui, &n);
    for (size_t i = 0; i < n; i++) {
        enum stage_status st = wiz_status(ui, stages[i]);
        if (st == ST_DONE || st == ST_SKIPPED)
            continue;
        char *why = stage_interrupted_text(ui, stages[i]);
        char *text = why ? xasprintf(_("Next: %zu. %s (%s)"), i + 1, _(stages[i]->title), why)
                         : xasprintf(_("Next: %zu. %s"), i + 1, _(stages[i]->title));
        free(why);
        return text;
    }
    return xstrdup(_("Next: every stage is done; the finish screen shows the result."));
}

static void welcome_draw(struct ui *ui, void *self)
{
    const struct welcome_screen *ws = self;
    wiz_draw_header(ui, _("Welcome"));
    int y = wiz_body_top(ui);
    y += dr_paragraph(y, 2, COLS - 4, 6,
                      _("This wizard moves an Immich installation from Docker Compose to the NixOS "
                        "services.immich module, one stage at a time. Each stage shows what it will "
                        "run before it runs. Everything is recorded in a journal and a log, so you "
                        "can stop at any time and resume later."),
                      A_NORMAL) +
         1;
    dr_text(y++, 2, COLS - 4, _("Stages:"), ui_attr(UA_HEADING));
    bool choosing = ws->choosing;
    int reserve = choosing ? 4 : 2;
    y += draw_stage_list(ui, y, LINES - 1 - reserve - y) + 1;
    static const char *const keys[] = {"Enter", N_("Start"), "v", N_("Review log"),
                                       "?",     N_("Help"),  "q", N_("Quit")};
    static const char *const choose_keys[] = {"Enter", N_("Resume"),     "v", N_("Review"),
                                              "o",     N_("Start over"), "?", N_("Help"),
                                              "q",     N_("Quit")};
    if (choosing || ui->s->resumed) {
        char *next = next_stage_text(ui);
        dr_text(y - 1, 2, COLS - 4, next, ui_attr(UA_HEADING));
        free(next);
    }
    if (choosing) {
        char *text = xasprintf(_("An unfinished migration was found in %s. Resume it, review its log, "
                                 "or start over (the old journal is kept)."),
                               ui->s->state_dir);
        dr_paragraph(y, 2, COLS - 4, 2, text, ui_attr(UA_WARN));
        free(text);
        dr_keybar(choose_keys, ARRAY_LEN(choose_keys));
    } else {
        dr_keybar(keys, ARRAY_LEN(keys));
    }
    if (ui->status)
        dr_text(LINES - 2, 2, COLS - 4, ui->status, ui_attr(UA_WARN));
}

static void show_error(struct ui *ui, const char *what, struct strbuf *err)
{
    char *text = xasprintf("%s: %s", what, sb_str(err));
    ui_set_status(ui, text);
    free(text);
}

static int choose(struct ui *ui, struct welcome_screen *ws, int key)
{
    struct strbuf err = {0};
    int act = ACT_NONE;
    if (key == 'r' || UK_ENTER(key)) { /* resuming is the default */
        if (session_resume(ui->s, &err) < 0) {
            show_error(ui, _("Cannot resume"), &err);
        } else {
            ws->choosing = false;
            wiz_jump(ui, wiz_first_open_pos(ui));
        }
    } else if (key == 'o') {
        if (dlg_yesno(ui, _("Start over? The old journal is kept as a dated copy."), false)) {
            if (session_start_over(ui->s, &err) < 0) {
                show_error(ui, _("Cannot start over"), &err);
            } else {
                ws->choosing = false;
                act = ACT_NEXT;
            }
        }
    }
    sb_free(&err);
    return act;
}

static int welcome_key(struct ui *ui, void *self, int key)
{
    struct welcome_screen *ws = self;
    if (key == 'v') {
        review_browse(ui, ui->s->state_dir);
        return ACT_NONE;
    }
    if (ws->choosing)
        return choose(ui, ws, key);
    if (UK_ENTER(key)) {
        if (ui->s->resumed) {
            wiz_jump(ui, wiz_first_open_pos(ui));
            return ACT_NONE;
        }
        return ACT_NEXT;
    }
    return ACT_NONE;
}

const struct screen screen_welcome = {
    .open = welcome_open,
    .close = free,
    .draw = welcome_draw,
    .key = welcome_key,
    .help = N_("Welcome: the list shows every stage of the migration and its state "
               "(done, failed, skipped or still to do). Enter starts with the settings. "
               "v browses the migration log."),
};
