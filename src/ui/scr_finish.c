/* Finish: the result (assets, time, the backups, the NixOS settings, the log), the next steps
 * and every stage's state, scrolled when it does not fit; the NixOS settings unframed (p), to copy. */
#include "ui/uimain.h"
#include "finish.h"
#include "journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct finish_screen {
    int top;          /* the first body line shown */
    char *nixos_path; /* where the NixOS settings were written, NULL when they could not be */
};

/* One line of the body. */
struct body_line {
    char *text;
    attr_t attr;
    const char *status; /* a stage's row: its state (translated), drawn in its own column */
    attr_t status_attr;
    char *reason; /* a stage's row: what the journal says about it */
};

struct body {
    struct body_line *v;
    size_t n, cap;
};

static struct body_line *body_add(struct body *b, const char *text, attr_t a)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 32;
        b->v = xrealloc(b->v, b->cap * sizeof *b->v);
    }
    b->v[b->n] = (struct body_line){.text = xstrdup(text), .attr = a};
    return &b->v[b->n++];
}

/* Adds text word-wrapped to width w, one body line per wrapped line. Text that begins with
 * blanks keeps them, and its continuation lines are indented two more (a hanging indent). */
static void body_add_wrapped(struct body *b, const char *text, int w, attr_t a)
{
    int indent = (int)strspn(text, " ");
    int hang = indent ? indent + 2 : 0;
    struct strbuf wrapped = {0};
    dr_wrap(text + indent, w - hang > 10 ? w - hang : 10, &wrapped);
    const char *line = sb_str(&wrapped);
    for (bool first = true;; first = false) {
        const char *nl = strchr(line, '\n');
        char *one = xasprintf("%*s%.*s", first ? indent : hang, "",
                              (int)(nl ? (size_t)(nl - line) : strlen(line)), line);
        body_add(b, one, a);
        free(one);
        if (!nl)
            break;
        line = nl + 1;
    }
    sb_free(&wrapped);
}

static void body_free(struct body *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].text);
        free(b->v[i].reason);
    }
    free(b->v);
}

static bool migration_complete(struct ui *ui)
{
    size_t n;
    const struct stage *const *stages = wiz_stages(ui, &n);
    for (size_t i = 0; i < n; i++) {
        enum stage_status st = wiz_status(ui, stages[i]);
        if (st != ST_DONE && st != ST_SKIPPED)
            return false;
    }
    return true;
}

static void add_stage_rows(struct ui *ui, struct body *b)
{
    static const char *const names[] = {N_("pending"), N_("running"), N_("done"), N_("failed"),
                                        N_("skipped")};
    size_t n;
    const struct stage *const *stages = wiz_stages(ui, &n);
    for (size_t i = 0; i < n; i++) {
        enum stage_status st = wiz_status(ui, stages[i]);
        struct body_line *l = body_add(b, _(stages[i]->title), A_NORMAL);
        l->status = _(names[st]);
        l->status_attr = st == ST_DONE     ? ui_attr(UA_OK)
                         : st == ST_FAILED ? ui_attr(UA_FAIL)
                                           : A_NORMAL;
        struct strbuf reason = {0};
        if (ui->s->journal)
            journal_reason(ui->s->journal, stages[i]->id, &reason);
        l->reason = sb_detach(&reason);
    }
}

/* The result, the hint to the NixOS settings and the next steps, wrapped to w. */
static void add_result(struct ui *ui, const struct finish_screen *fs, struct body *b, int w)
{
    struct strbuf text = {0};
    session_result(ui->s, &text);
    /* each line of the result wraps on its own, keeping its indentation */
    const char *line = sb_str(&text);
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *one = xstrndup(line, len);
        if (!*one)
            body_add(b, "", A_NORMAL);
        else
            body_add_wrapped(b, one, w, A_NORMAL);
        free(one);
        line += len + (nl != NULL);
    }
    sb_free(&text);
    if (fs->nixos_path)
        body_add_wrapped(b, _("Press p to show the NixOS settings without a frame, to copy them."),
                         w, ui_attr(UA_DIM));
}

static void build_body(struct ui *ui, const struct finish_screen *fs, struct body *b, int w)
{
    bool complete = migration_complete(ui);
    body_add_wrapped(
        b, complete ? _("The migration is complete.") : _("The migration is not complete yet."), w,
        ui_attr(complete ? UA_OK : UA_WARN));
    body_add(b, "", A_NORMAL);
    if (complete) { /* the result first; the stages below it */
        add_result(ui, fs, b, w);
        body_add(b, "", A_NORMAL);
        body_add(b, _("Stages:"), A_BOLD);
        add_stage_rows(ui, b);
    } else { /* what is left to do first */
        char *log = xasprintf(_("The log is in %s/%s; v browses it."), ui->s->state_dir, MLOG_FILE);
        body_add_wrapped(b, log, w, A_NORMAL);
        free(log);
        body_add(b, "", A_NORMAL);
        add_stage_rows(ui, b);
        body_add(b, "", A_NORMAL);
        add_result(ui, fs, b, w);
    }
}

/* The rows the body may use: from below the header to above the status line. */
static int body_rows(struct ui *ui)
{
    int rows = LINES - 2 - wiz_body_top(ui);
    return rows > 1 ? rows : 1;
}

static int max_top(struct ui *ui, const struct body *b)
{
    int m = (int)b->n - body_rows(ui);
    return m > 0 ? m : 0;
}

static void draw_line(const struct body_line *l, int y)
{
    if (!l->status) {
        dr_text(y, 2, COLS - 4, l->text, l->attr);
        return;
    }
    dr_text(y, 2, 26, l->text, l->attr);
    dr_text(y, 29, 10, l->status, l->status_attr);
    dr_text(y, 40, COLS - 41, l->reason, ui_attr(UA_DIM));
}

static void finish_draw(struct ui *ui, void *self)
{
    struct finish_screen *fs = self;
    wiz_draw_header(ui, _("Summary"));
    struct body b = {0};
    build_body(ui, fs, &b, COLS - 4);
    if (fs->top > max_top(ui, &b))
        fs->top = max_top(ui, &b);
    int y = wiz_body_top(ui), rows = body_rows(ui);
    for (int i = 0; i < rows && fs->top + i < (int)b.n; i++)
        draw_line(&b.v[fs->top + i], y + i);
    if (fs->top < max_top(ui, &b)) { /* more below: say so on the last row */
        dr_fill(y + rows - 1, 0, COLS, A_NORMAL);
        dr_text(y + rows - 1, 2, COLS - 4, _("(more below: Down, PgDn)"), ui_attr(UA_DIM));
    }
    if (ui->status)
        dr_text(LINES - 2, 2, COLS - 4, ui->status, ui_attr(UA_WARN));
    body_free(&b);
    static const char *const keys[] = {"Enter", N_("Exit"), "p",   N_("NixOS settings"),
                                       "v",     N_("Log"),  "Esc", N_("Back"),
                                       "?",     N_("Help"), "q",   N_("Quit")};
    dr_keybar(keys, ARRAY_LEN(keys));
}

/* Waits for Enter on the terminal left in its ordinary mode (line input). A hang-up or
 * terminate request ends the wait too; the wizard's loop then acts on it. */
static void wait_for_enter(void)
{
    char c;
    for (;;) {
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n == 1 && (c == '\n' || c == '\r'))
            return;
        if (n == 0 || (n < 0 && errno != EINTR) || (n < 0 && term_stop_requested(NULL)))
            return;
    }
}

/* The NixOS settings as plain lines on the terminal outside curses: no frame, no cut, long
 * lines wrapped by the terminal, so they can be selected and copied over SSH (and, with an
 * alternate screen, they stay on the terminal after the program ends). */
static void show_unframed(struct ui *ui, const struct finish_screen *fs)
{
    struct strbuf text = {0};
    session_nixos_settings(ui->s, &text);
    erase(); /* no frame left behind on terminals without an alternate screen */
    refresh();
    def_prog_mode();
    endwin();
    printf("\n# %s\n", _("services.immich settings for configuration.nix; also in:"));
    printf("# %s\n\n", fs->nixos_path);
    fputs(sb_str(&text), stdout);
    printf("\n%s", _("Press Enter to go back to the wizard."));
    fflush(stdout);
    wait_for_enter();
    reset_prog_mode();
    clearok(curscr, TRUE);
    refresh();
    ui->dirty = true;
    sb_free(&text);
}

static int finish_key(struct ui *ui, void *self, int key)
{
    struct finish_screen *fs = self;
    int page = body_rows(ui) - 1 > 1 ? body_rows(ui) - 1 : 1;
    if (UK_ENTER(key))
        return ACT_EXIT;
    else if (key == 'v')
        review_browse(ui, ui->s->state_dir);
    else if (key == 'p' && fs->nixos_path)
        show_unframed(ui, fs);
    else if (key == 'p')
        ui_set_status(ui, _("The NixOS settings could not be written to the state directory."));
    else if (key == UK(KEY_DOWN) || key == 'j')
        fs->top++;
    else if ((key == UK(KEY_UP) || key == 'k') && fs->top > 0)
        fs->top--;
    else if (key == UK(KEY_NPAGE) || key == ' ')
        fs->top += page;
    else if (key == UK(KEY_PPAGE))
        fs->top = fs->top > page ? fs->top - page : 0;
    else if (key == UK(KEY_HOME))
        fs->top = 0;
    else if (key == UK(KEY_END))
        fs->top = 1 << 20; /* drawing clamps it */
    return ACT_NONE;
}

static void *finish_open(struct ui *ui)
{
    (void)ui;
    return xcalloc(1, sizeof(struct finish_screen));
}

static void finish_close(void *self)
{
    struct finish_screen *fs = self;
    if (fs)
        free(fs->nixos_path);
    free(fs);
}

/* On every visit the NixOS settings are written again: the settings may have changed. */
static void finish_enter(struct ui *ui, void *self)
{
    struct finish_screen *fs = self;
    fs->top = 0;
    free(fs->nixos_path);
    struct strbuf err = {0};
    fs->nixos_path = session_write_nixos_settings(ui->s, &err);
    if (!fs->nixos_path && err.len)
        ui_set_status(ui, sb_str(&err));
    sb_free(&err);
}

const struct screen screen_finish = {
    .open = finish_open,
    .close = finish_close,
    .enter = finish_enter,
    .draw = finish_draw,
    .key = finish_key,
    .help = N_("Summary: the result (assets, time, the library archive and the database dump, "
               "where the log is), what to do next, and the state of every stage. Up/Down and "
               "PgUp/PgDn scroll. p shows the NixOS settings as plain lines without a frame, "
               "to select and copy them over SSH; they are also written to nixos-immich.nix in "
               "the state directory. v browses the log. Stages that failed or were not run can "
               "be run again: go back with Esc, or start the wizard again later; it resumes "
               "where the migration stopped."),
};
