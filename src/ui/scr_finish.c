/* Finish: every stage's state and where the log is. */
#include "ui/uimain.h"
#include "finish.h"
#include "journal.h"

#include <stdlib.h>

static void finish_draw(struct ui *ui, void *self)
{
    (void)self;
    size_t nstages;
    const struct stage *const *stages = wiz_stages(ui, &nstages);
    wiz_draw_header(ui, _("Summary"));
    int y = wiz_body_top(ui);
    bool complete = true;
    for (size_t i = 0; i < nstages; i++) {
        enum stage_status st = wiz_status(ui, stages[i]);
        complete &= st == ST_DONE || st == ST_SKIPPED;
    }
    dr_text(y++, 2, COLS - 4,
            complete ? _("The migration is complete.") : _("The migration is not complete yet."),
            ui_attr(complete ? UA_OK : UA_WARN));
    y++;
    int rows = LINES - 5 - y;
    for (size_t i = 0; i < nstages && (int)i < rows; i++) {
        const struct stage *stage = stages[i];
        enum stage_status st = wiz_status(ui, stage);
        static const char *const names[] = {N_("pending"), N_("running"), N_("done"), N_("failed"),
                                            N_("skipped")};
        attr_t a = st == ST_DONE ? ui_attr(UA_OK) : st == ST_FAILED ? ui_attr(UA_FAIL) : A_NORMAL;
        dr_text(y, 2, 26, _(stage->title), A_NORMAL);
        dr_text(y, 29, 10, _(names[st]), a);
        struct strbuf reason = {0};
        if (ui->s->journal)
            journal_reason(ui->s->journal, stage->id, &reason);
        dr_text(y, 40, COLS - 41, sb_str(&reason), ui_attr(UA_DIM));
        sb_free(&reason);
        y++;
    }
    char *where = xasprintf(_("The log is in %s/%s; browse it later with immich-migrate --review."),
                            ui->s->state_dir, MLOG_FILE);
    dr_paragraph(LINES - 4, 2, COLS - 4, 2, where, A_NORMAL);
    free(where);
    static const char *const keys[] = {"Enter", N_("Exit"),       "s",   N_("Summary"),
                                       "v",     N_("Review log"), "Esc", N_("Back"),
                                       "?",     N_("Help"),       "q",   N_("Quit")};
    dr_keybar(keys, ARRAY_LEN(keys));
}

static int finish_key(struct ui *ui, void *self, int key)
{
    (void)self;
    if (UK_ENTER(key))
        return ACT_EXIT;
    if (key == 'v')
        review_browse(ui, ui->s->state_dir);
    if (key == 's') {
        struct strbuf text = {0};
        session_summary(ui->s, &text);
        dlg_text(ui, _("Summary"), sb_str(&text));
        sb_free(&text);
    }
    return ACT_NONE;
}

const struct screen screen_finish = {
    .draw = finish_draw,
    .key = finish_key,
    .help = N_("Summary: the state of every stage. Stages that failed or were not run can be "
               "run again: go back with Esc, or start the wizard again later; it resumes where "
               "the migration stopped. s shows the summary (counts, duration, where the log and "
               "backups are, how to remove the old Docker installation); v browses the log."),
};
