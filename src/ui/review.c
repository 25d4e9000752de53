/* The log browser (--review, and 'v' in the wizard): every record of a migration's log with
 * time, stage, kind and text; '/' searches, 's' filters by stage, 'e' shows errors only,
 * Enter shows a record in full. */
#include "ui/uimain.h"
#include "ui/ui.h"
#include "mlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct review {
    const char *dir;
    struct mlog_entries e;
    size_t *shown; /* indexes into e.v that pass the filters */
    size_t n_shown;
    size_t sel, top;
    bool errors_only;
    char *stage;  /* NULL = every stage */
    char *search; /* last search text, NULL = none */
};

static bool is_error(const struct mlog_entry *en)
{
    return en->kind == REC_ERROR || (en->kind == REC_COMMAND && en->exit_status > 0);
}

static void apply_filters(struct review *r)
{
    size_t keep = r->n_shown ? r->shown[r->sel < r->n_shown ? r->sel : 0] : 0;
    free(r->shown);
    r->shown = xcalloc(r->e.n ? r->e.n : 1, sizeof *r->shown);
    r->n_shown = 0;
    size_t new_sel = 0;
    for (size_t i = 0; i < r->e.n; i++) {
        const struct mlog_entry *en = &r->e.v[i];
        if (r->errors_only && !is_error(en))
            continue;
        if (r->stage && strcmp(en->stage, r->stage) != 0)
            continue;
        if (i <= keep)
            new_sel = r->n_shown;
        r->shown[r->n_shown++] = i;
    }
    r->sel = new_sel;
}

static const char *stage_label(const struct mlog_entry *en)
{
    return *en->stage ? en->stage : "-";
}

static void format_time(int64_t t, bool full, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, size, full ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
}

static int list_rows(void)
{
    int rows = LINES - 4;
    return rows < 1 ? 1 : rows;
}

static void keep_visible(struct review *r)
{
    size_t rows = (size_t)list_rows();
    if (r->n_shown && r->sel >= r->n_shown)
        r->sel = r->n_shown - 1;
    if (r->top > r->sel)
        r->top = r->sel;
    if (r->sel >= r->top + rows)
        r->top = r->sel - rows + 1;
}

static void draw_filters(const struct review *r)
{
    struct strbuf f = {0};
    sb_printf(&f, _("%zu of %zu records"), r->n_shown, r->e.n);
    if (r->stage)
        sb_printf(&f, _("  stage: %s"), r->stage);
    if (r->errors_only)
        sb_printf(&f, "  %s", _("errors only"));
    if (r->search)
        sb_printf(&f, _("  search: %s"), r->search);
    dr_text(1, 1, COLS - 2, sb_str(&f), ui_attr(UA_HEADING));
    sb_free(&f);
}

static void review_draw(struct review *r)
{
    char *title = xasprintf(_("immich-migrate %s review of %s"), term_utf8() ? "—" : "-", r->dir);
    dr_title(title, NULL);
    free(title);
    draw_filters(r);
    keep_visible(r);
    int y = 2;
    dr_text(y, 1, 8, _("Time"), A_BOLD);
    dr_text(y, 10, 14, _("Stage"), A_BOLD);
    dr_text(y, 25, 8, _("Kind"), A_BOLD);
    dr_text(y, 34, COLS - 35, _("Text"), A_BOLD);
    y++;
    if (!r->n_shown)
        dr_text(y, 1, COLS - 2,
                r->e.n ? _("No record matches the filters.") : _("The log is empty."), A_NORMAL);
    for (int row = 0; row < list_rows() && r->top + (size_t)row < r->n_shown; row++) {
        size_t i = r->top + (size_t)row;
        const struct mlog_entry *en = &r->e.v[r->shown[i]];
        bool sel = i == r->sel;
        attr_t a = sel ? ui_attr(UA_SELECTED) : is_error(en) ? ui_attr(UA_FAIL) : A_NORMAL;
        if (sel)
            dr_fill(y + row, 0, COLS, a);
        char t[32];
        format_time(en->time, false, t, sizeof t);
        dr_text(y + row, 1, 8, t, a);
        dr_text(y + row, 10, 14, stage_label(en), a);
        dr_text(y + row, 25, 8, record_kind_name(en->kind), a);
        size_t len = strcspn(en->text, "\n");
        char *first = xstrndup(en->text, len);
        dr_text(y + row, 34, COLS - 35, first, a);
        free(first);
    }
    static const char *const keys[] = {
        "Enter", N_("Show"),   "/", N_("Search"), "n", N_("Next match"), "s", N_("Stage"),
        "e",     N_("Errors"), "?", N_("Help"),   "q", N_("Quit")};
    dr_keybar(keys, ARRAY_LEN(keys));
}

static void show_record(struct ui *ui, const struct mlog_entry *en)
{
    struct strbuf text = {0};
    char t[32];
    format_time(en->time, true, t, sizeof t);
    sb_printf(&text, _("Time: %s\nStage: %s\nKind: %s\n"), t, stage_label(en),
              record_kind_name(en->kind));
    if (en->exit_status >= 0)
        sb_printf(&text, _("Exit status: %d\n"), en->exit_status);
    if (en->duration >= 0)
        sb_printf(&text, _("Duration: %.3f s\n"), en->duration);
    if (en->bytes >= 0)
        sb_printf(&text, _("Bytes: %lld\n"), (long long)en->bytes);
    if (en->rows >= 0)
        sb_printf(&text, _("Rows: %lld\n"), (long long)en->rows);
    sb_printf(&text, "\n%s", en->text);
    dlg_text(ui, _("Record"), sb_str(&text));
    sb_free(&text);
}

/* Selects the next record (after the selected one, wrapping) whose text or stage contains
 * the search text, ignoring case. */
static bool find_next(struct review *r, bool include_current)
{
    if (!r->search || !r->n_shown)
        return false;
    for (size_t step = include_current ? 0 : 1; step <= r->n_shown; step++) {
        size_t i = (r->sel + step) % r->n_shown;
        const struct mlog_entry *en = &r->e.v[r->shown[i]];
        if (strcasestr(en->text, r->search) || strcasestr(en->stage, r->search)) {
            r->sel = i;
            return true;
        }
    }
    return false;
}

/* Cycles the stage filter: all, then every stage in the order it first appears in the log. */
static void next_stage_filter(struct review *r)
{
    const char *after = r->stage;
    bool passed = after == NULL;
    const char *next = NULL;
    for (size_t i = 0; i < r->e.n && !next; i++) {
        const char *st = r->e.v[i].stage;
        if (!*st)
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(r->e.v[j].stage, st) == 0;
        if (seen)
            continue;
        if (passed)
            next = st;
        else if (strcmp(st, after) == 0)
            passed = true;
    }
    free(r->stage);
    r->stage = next ? xstrdup(next) : NULL;
    apply_filters(r);
}

static void search(struct ui *ui, struct review *r)
{
    struct strbuf text = {0};
    if (dlg_input(ui, _("Search"), _("Find records containing:"), r->search, &text)) {
        free(r->search);
        r->search = text.len ? xstrdup(sb_str(&text)) : NULL;
        if (r->search && !find_next(r, true))
            ui_set_status(ui, _("Not found."));
    }
    sb_free(&text);
}

/* Returns false when the browser should close. */
static bool review_key(struct ui *ui, struct review *r, int k)
{
    size_t page = (size_t)list_rows();
    if (k == 'q' || k == 'Q' || k == UK_STOP || k == UK_INTERRUPT)
        return false;
    if (k == UK_ESC) {
        if (!r->stage && !r->errors_only && !r->search)
            return false;
        free(r->stage);
        free(r->search);
        r->stage = r->search = NULL;
        r->errors_only = false;
        apply_filters(r);
    } else if (k == UK(KEY_DOWN) || k == 'j') {
        if (r->sel + 1 < r->n_shown)
            r->sel++;
    } else if (k == UK(KEY_UP) || k == 'k') {
        if (r->sel > 0)
            r->sel--;
    } else if (k == UK(KEY_NPAGE) || k == ' ') {
        r->sel = r->sel + page < r->n_shown ? r->sel + page : (r->n_shown ? r->n_shown - 1 : 0);
    } else if (k == UK(KEY_PPAGE)) {
        r->sel = r->sel > page ? r->sel - page : 0;
    } else if (k == UK(KEY_HOME) || k == 'g') {
        r->sel = 0;
    } else if (k == UK(KEY_END) || k == 'G') {
        r->sel = r->n_shown ? r->n_shown - 1 : 0;
    } else if (UK_ENTER(k) && r->n_shown) {
        show_record(ui, &r->e.v[r->shown[r->sel]]);
    } else if (k == '/') {
        search(ui, r);
    } else if (k == 'n' && !find_next(r, false)) {
        ui_set_status(ui, _("Not found."));
    } else if (k == 's') {
        next_stage_filter(r);
    } else if (k == 'e') {
        r->errors_only = !r->errors_only;
        apply_filters(r);
    } else if (UK_HELP(k)) {
        dlg_help(ui, N_("Review: every record of the migration log, oldest first. Enter shows "
                        "the selected record in full; / searches (n finds the next match); s "
                        "cycles the stage filter; e shows only errors; Esc clears the filters, "
                        "q closes the review."));
    }
    return true;
}

static void draw_review_base(struct ui *ui, void *arg)
{
    review_draw(arg);
    if (ui->status)
        dr_text(LINES - 2, 1, COLS - 2, ui->status, ui_attr(UA_WARN));
}

/* The browser loop over an already read log, inside a running UI. */
static void review_loop(struct ui *ui, struct review *r)
{
    void (*saved_draw)(struct ui *, void *) = ui->draw_base;
    void *saved_arg = ui->draw_arg;
    int saved_ov = ui->n_ov;
    ui->n_ov = 0;
    ui->draw_arg = r;
    ui->draw_base = draw_review_base;
    apply_filters(r);
    for (;;) {
        ui_draw(ui);
        int k = ui_getkey(ui);
        if (k == UK(KEY_RESIZE) || k == UK_EVENT)
            continue;
        ui_set_status(ui, NULL);
        if (!review_key(ui, r, k))
            break;
    }
    ui->draw_base = saved_draw;
    ui->draw_arg = saved_arg;
    ui->n_ov = saved_ov;
}

int review_browse(struct ui *ui, const char *dir)
{
    struct review r = {.dir = dir};
    struct strbuf err = {0};
    if (mlog_read(dir, &r.e, &err) < 0) {
        ui_set_status(ui, sb_str(&err));
        sb_free(&err);
        return -1;
    }
    sb_free(&err);
    review_loop(ui, &r);
    mlog_entries_free(&r.e);
    free(r.shown);
    free(r.stage);
    free(r.search);
    return 0;
}

int ui_review_run(const char *dir)
{
    struct review r = {.dir = dir};
    struct strbuf err = {0};
    if (mlog_read(dir, &r.e, &err) < 0) {
        fprintf(stderr, "immich-migrate: %s\n", sb_str(&err));
        sb_free(&err);
        return 1;
    }
    sb_free(&err);
    int rc = 0;
    if (term_open(_("immich-migrate: the review needs a terminal; use --report to print the log")) < 0) {
        rc = 2;
    } else {
        struct ui ui;
        memset(&ui, 0, sizeof ui);
        review_loop(&ui, &r);
        term_close();
        free(ui.status);
        int sig = 0;
        if (term_stop_requested(&sig))
            rc = 128 + sig;
    }
    mlog_entries_free(&r.e);
    free(r.shown);
    free(r.stage);
    free(r.search);
    return rc;
}
