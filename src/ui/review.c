/* The log browser (--review, and 'v' in the wizard): every record of a migration's log with
 * time, stage (its title, as the screens name it), kind and text; the selected record's whole
 * text wrapped below the list; '/' searches (matches highlighted, n/N next/previous), 's'
 * filters by stage, 'e' shows errors only, 'c' clears the filters, Enter shows a record in
 * full, Esc or q goes back. */
#include "ui/uimain.h"
#include "ui/ui.h"
#include "mlog.h"
#include "stages/stage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COL_STAGE 10
#define STAGE_W 17 /* "Prepare database" */
#define COL_KIND (COL_STAGE + STAGE_W + 1)
#define COL_TEXT (COL_KIND + 9)

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

/* Rebuilds the list after a filter changed; the list starts again at its first record, so
 * the first error (or the stage's first record) is the one in view. */
static void apply_filters(struct review *r)
{
    free(r->shown);
    r->shown = xcalloc(r->e.n ? r->e.n : 1, sizeof *r->shown);
    r->n_shown = 0;
    for (size_t i = 0; i < r->e.n; i++) {
        const struct mlog_entry *en = &r->e.v[i];
        if (r->errors_only && !is_error(en))
            continue;
        if (r->stage && strcmp(en->stage, r->stage) != 0)
            continue;
        r->shown[r->n_shown++] = i;
    }
    r->sel = r->top = 0;
}

/* The stage's translated title as the screens show it; the log keeps the id, which is shown
 * only for a stage this program does not know. */
static const char *stage_name(const char *id)
{
    if (!*id)
        return "-";
    const struct stage *st = stage_find(id);
    return st ? _(st->title) : id;
}

static const char *stage_label(const struct mlog_entry *en)
{
    return stage_name(en->stage);
}

static void format_time(int64_t t, bool full, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, size, full ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
}

#define DETAIL_LINES 3 /* the selected record's text, wrapped, under a rule */

/* Rows: title, filters, header, the list, a rule and the detail lines, the status line, the
 * key bar. */
static int list_rows(void)
{
    int rows = LINES - 6 - DETAIL_LINES;
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
        sb_printf(&f, _("  stage: %s"), stage_name(r->stage));
    if (r->errors_only)
        sb_printf(&f, "  %s", _("errors only"));
    if (r->search)
        sb_printf(&f, _("  search: %s"), r->search);
    dr_text(1, 1, COLS - 2, sb_str(&f), ui_attr(UA_HEADING));
    sb_free(&f);
}

/* Draws s in w columns with every case-insensitive occurrence of needle (when set) in
 * reverse video. */
static void draw_highlighted(int y, int x, int w, const char *s, const char *needle, attr_t a)
{
    size_t nl = needle ? strlen(needle) : 0;
    const char *p = s;
    while (w > 0 && *p) {
        const char *m = nl ? strcasestr(p, needle) : NULL;
        size_t plain = m ? (size_t)(m - p) : strlen(p);
        if (plain) {
            char *part = xstrndup(p, plain);
            int used = dr_text(y, x, w, part, a);
            free(part);
            x += used;
            w -= used;
            p += plain;
        }
        if (!m || w <= 0)
            break;
        char *hit = xstrndup(m, nl);
        int used = dr_text(y, x, w, hit, a ^ A_REVERSE);
        free(hit);
        x += used;
        w -= used;
        p += nl;
    }
}

/* The selected record's whole text, wrapped, under the list (the text column is narrow). */
static void draw_detail(const struct review *r)
{
    int y = 3 + list_rows();
    dr_hline(y, 0, COLS, NULL);
    if (!r->n_shown)
        return;
    const struct mlog_entry *en = &r->e.v[r->shown[r->sel]];
    struct strbuf wrapped = {0};
    int n = dr_wrap(en->text, COLS - 2, &wrapped);
    const char *line = sb_str(&wrapped);
    for (int i = 0; i < n && i < DETAIL_LINES && line; i++) {
        const char *end = strchr(line, '\n');
        char *one = end ? xstrndup(line, (size_t)(end - line)) : xstrdup(line);
        bool cut = i == DETAIL_LINES - 1 && n > DETAIL_LINES;
        if (cut) {
            char *more = xasprintf("%s %s", one, ui_sym(SYM_ELLIPSIS));
            free(one);
            one = more;
        }
        draw_highlighted(y + 1 + i, 1, COLS - 2, one, r->search, A_NORMAL);
        free(one);
        line = end ? end + 1 : NULL;
    }
    sb_free(&wrapped);
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
    dr_text(y, COL_STAGE, STAGE_W, _("Stage"), A_BOLD);
    dr_text(y, COL_KIND, 8, _("Kind"), A_BOLD);
    dr_text(y, COL_TEXT, COLS - COL_TEXT - 1, _("Text"), A_BOLD);
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
        dr_text(y + row, COL_STAGE, STAGE_W, stage_label(en), a);
        dr_text(y + row, COL_KIND, 8, record_kind_name(en->kind), a);
        size_t len = strcspn(en->text, "\n");
        /* the first line; when more follow, it ends with "…" as a cut line does (Enter shows
         * the record in full) */
        char *first = en->text[len] ? xasprintf("%.*s %s", (int)len, en->text, ui_sym(SYM_ELLIPSIS))
                                    : xstrndup(en->text, len);
        draw_highlighted(y + row, COL_TEXT, COLS - COL_TEXT - 1, first, r->search, a);
        free(first);
    }
    draw_detail(r);
    /* s (stage) and e (errors) share one pair: the bar fits 80 columns in German too */
    static const char *const keys[] = {"Enter", N_("Show"),   "/", N_("Search"), "n/N", N_("Match"),
                                       "s/e",   N_("Filter"), "c", N_("Clear"),  "?",   N_("Help"),
                                       "Esc",   N_("Back")};
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

static bool matches(const struct review *r, const struct mlog_entry *en)
{
    return strcasestr(en->text, r->search) || strcasestr(en->stage, r->search) ||
           strcasestr(stage_label(en), r->search);
}

/* Selects the next record (dir 1) or the previous one (dir -1), from the selected one and
 * wrapping, whose text or stage (id or title) contains the search text, ignoring case. */
static bool find_match(struct review *r, int dir, bool include_current)
{
    if (!r->search || !r->n_shown)
        return false;
    for (size_t step = include_current ? 0 : 1; step <= r->n_shown; step++) {
        size_t off = dir > 0 ? step : r->n_shown - step % r->n_shown;
        size_t i = (r->sel + off) % r->n_shown;
        if (matches(r, &r->e.v[r->shown[i]])) {
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
        if (r->search && !find_match(r, 1, true))
            ui_set_status(ui, _("Not found."));
    }
    sb_free(&text);
}

/* Returns false when the browser should close. */
static bool review_key(struct ui *ui, struct review *r, int k)
{
    size_t page = (size_t)list_rows();
    if (k == 'q' || k == 'Q' || k == UK_ESC || k == UK_F10 || k == UK_STOP || k == UK_INTERRUPT)
        return false;
    if (k == 'c') {
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
    } else if ((k == 'n' || k == 'N') && !find_match(r, k == 'n' ? 1 : -1, false)) {
        ui_set_status(ui, r->search ? _("Not found.") : _("Search first with /."));
    } else if (k == 's') {
        next_stage_filter(r);
    } else if (k == 'e') {
        r->errors_only = !r->errors_only;
        apply_filters(r);
    } else if (UK_HELP(k)) {
        dlg_help(ui, N_("Review: every record of the migration log, oldest first; the "
                        "selected record's whole text is shown under the list. Enter shows "
                        "the selected record in full; / searches and highlights the matches "
                        "(n finds the next match, N the previous one); s cycles the stage "
                        "filter; e shows only errors; c clears the filters and the search; "
                        "Esc or q closes the review."));
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
