/* Settings: every value of the plan, where it came from, and whether it is valid. Enter
 * edits the selected value; an edited value counts as "typed" and is saved in the journal. */
#include "ui/uimain.h"
#include "redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define SOURCE_WIDTH 20 /* "Konfigurationsdatei" fits */

struct settings_screen {
    int sel, top; /* the selected row (a plan key), the first row shown */
};

static void *settings_open(struct ui *ui)
{
    (void)ui;
    return xcalloc(1, sizeof(struct settings_screen));
}

/* Lines the selected value takes in the detail pane, wrapped to its width: all of them, but
 * the list keeps at least 3 rows. */
static int value_lines(const struct ui *ui, int sel)
{
    char *value = redact_dup(plan_get(&ui->s->plan, (enum plan_key)sel));
    struct strbuf wrapped = {0};
    int n = *value ? dr_wrap(value, COLS - 4, &wrapped) : 1;
    sb_free(&wrapped);
    free(value);
    int max = LINES - 1 - 4 - (wiz_body_top(ui) + 2) - 3;
    if (n > max)
        n = max;
    return n < 1 ? 1 : n;
}

/* The detail pane: a rule, the whole value, the help line, two lines of message. */
static int detail_lines(const struct ui *ui, int sel)
{
    return 1 + value_lines(ui, sel) + 1 + 2;
}

static int list_rows(const struct ui *ui, int sel)
{
    int rows = LINES - 1 - detail_lines(ui, sel) - (wiz_body_top(ui) + 1);
    return rows < 1 ? 1 : rows;
}

static void keep_visible(const struct ui *ui, struct settings_screen *ss)
{
    if (ss->sel < 0)
        ss->sel = 0;
    if (ss->sel >= PLAN_KEY_COUNT)
        ss->sel = PLAN_KEY_COUNT - 1;
    int rows = list_rows(ui, ss->sel);
    if (ss->top > ss->sel)
        ss->top = ss->sel;
    if (ss->sel >= ss->top + rows)
        ss->top = ss->sel - rows + 1;
}

/* Does text name key as a word (not as part of a longer key such as target_db_name)? */
static bool names_key(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = strstr(text, key); p; p = strstr(p + 1, key)) {
        bool before = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');
        if (before && after)
            return true;
    }
    return false;
}

/* The failed finding of the last checks run that names key k, NULL when none: the checks
 * disproved a value its own form check accepts. Findings made with other settings (stale)
 * say nothing about this value. */
static const char *checks_disproved(const struct ui *ui, enum plan_key k)
{
    const struct run_view *rv = &ui->run;
    if (!rv->stage || !(rv->stage->provides & GATE_CHECKS) || !rv->finished ||
        stage_results_stale(ui, rv->stage))
        return NULL;
    for (size_t i = 0; i < rv->count; i++) {
        const struct run_line *l = runview_line(rv, i);
        if (l->kind == REC_ERROR && l->text && names_key(l->text, plan_key_name(k)))
            return l->text;
    }
    return NULL;
}

static void draw_row(struct ui *ui, int y, enum plan_key k, bool selected)
{
    const struct plan *p = &ui->s->plan;
    struct strbuf why = {0};
    bool ok = plan_validate_value(p, k, plan_get(p, k), true, &why);
    sb_free(&why);
    attr_t base = selected ? ui_attr(UA_SELECTED) : A_NORMAL;
    if (selected)
        dr_fill(y, 0, COLS, base);
    int src_w = SOURCE_WIDTH, key_w = 20;
    if (ok && checks_disproved(ui, k)) /* valid in form, but a check failed on it */
        dr_text(y, 1, 1, "!", selected ? base : ui_attr(UA_WARN));
    else
        dr_text(y, 1, 1, ok ? ui_sym(SYM_OK) : ui_sym(SYM_FAIL),
                selected ? base : ui_attr(ok ? UA_OK : UA_FAIL));
    dr_text(y, 3, key_w, plan_key_name(k), base);
    char *value = redact_dup(plan_get(p, k)); /* a DSN's password never reaches the screen */
    int val_w = COLS - 3 - key_w - src_w - 2;
    const char *shown = *value ? value : _("(not set)");
    /* a cut value ends with dr_text's "…"; the detail pane and p show it all */
    dr_text(y, 3 + key_w, val_w, shown, base);
    free(value);
    dr_text(y, COLS - src_w - 1, src_w, _(plan_source_label(p->v[k].source)), base);
}

static void draw_detail(struct ui *ui, enum plan_key k, int y)
{
    const struct plan *p = &ui->s->plan;
    dr_hline(y++, 0, COLS, plan_key_name(k));
    char *value = redact_dup(plan_get(p, k));
    int n = value_lines(ui, (int)k);
    dr_paragraph(y, 2, COLS - 4, n, *value ? value : _("(not set)"), A_BOLD);
    free(value);
    y += n;
    dr_text(y++, 2, COLS - 4, _(plan_key_help(k)), A_NORMAL);
    struct strbuf why = {0};
    char *safe = NULL;
    if (ui->status) {
        dr_paragraph(y, 2, COLS - 4, 2, ui->status, ui_attr(UA_WARN));
    } else if (!plan_validate_value(p, k, plan_get(p, k), true, &why)) {
        safe = redact_dup(sb_str(&why));
        dr_paragraph(y, 2, COLS - 4, 2, safe, ui_attr(UA_FAIL));
    } else if (checks_disproved(ui, k)) {
        safe = redact_dup(checks_disproved(ui, k));
        dr_paragraph(y, 2, COLS - 4, 2, safe, ui_attr(UA_WARN));
    } else if (p->v[k].origin) {
        safe = redact_dup(p->v[k].origin);
        dr_text(y, 2, COLS - 4, safe, ui_attr(UA_DIM));
    }
    free(safe);
    sb_free(&why);
}

static void settings_draw(struct ui *ui, void *self)
{
    struct settings_screen *ss = self;
    wiz_draw_header(ui, _("Settings"));
    int y = wiz_body_top(ui);
    keep_visible(ui, ss);
    dr_text(y, 3, 20, _("Setting"), ui_attr(UA_HEADING));
    dr_text(y, 23, 30, _("Value"), ui_attr(UA_HEADING));
    dr_text(y, COLS - SOURCE_WIDTH - 1, SOURCE_WIDTH, _("Source"), ui_attr(UA_HEADING));
    y += 1;
    int rows = list_rows(ui, ss->sel);
    for (int i = 0; i < rows && ss->top + i < PLAN_KEY_COUNT; i++)
        draw_row(ui, y + i, (enum plan_key)(ss->top + i), ss->top + i == ss->sel);
    draw_detail(ui, (enum plan_key)ss->sel, LINES - 1 - detail_lines(ui, ss->sel));
    /* The first pair is what Enter does. */
    static const char *const keys[] = {
        "Enter", N_("Edit"), "Up/Down", N_("Select"), "p", N_("Full text"), "n", N_("Next"),
        "Esc",   N_("Back"), "?",       N_("Help"),   "q", N_("Quit")};
    dr_keybar(keys, ARRAY_LEN(keys));
}

/* library_backup = none (no archive of the library) is chosen only by typing "none" again
 * when asked; any other value needs nothing. */
static bool confirm_no_backup(struct ui *ui, enum plan_key k, const char *value)
{
    if (k != PLAN_library_backup || strcmp(value, "none") != 0)
        return true;
    return dlg_confirm_typed(ui,
                             _("library_backup = none writes no archive of the library. Choose it "
                               "only if you keep another backup: when the library moves, the old "
                               "one stays untouched and is the only backup until you delete it."),
                             "none");
}

/* The value is edited as shown, with its password redacted; the password is put back unless
 * the user typed a new one. Only a real change counts (it makes the checks run again). */
static void edit_selected(struct ui *ui, enum plan_key k)
{
    const char *old = plan_get(&ui->s->plan, k);
    char *shown = redact_dup(old);
    struct strbuf value = {0};
    if (dlg_input(ui, plan_key_name(k), _(plan_key_help(k)), shown, &value)) {
        char *edited = redact_restore(sb_str(&value), old);
        if (!edited) {
            ui_set_status(ui, _("Not changed: type the password in full instead of the asterisks."));
        } else if (strcmp(edited, old) != 0 && !confirm_no_backup(ui, k, edited)) {
            ui_set_status(ui, _("Not changed: library_backup = none needs the typed confirmation."));
        } else if (strcmp(edited, old) != 0) {
            plan_set(&ui->s->plan, k, edited, SRC_TYPED, NULL);
            session_plan_changed(ui->s);
        }
        free(edited);
    }
    free(shown);
    sb_free(&value);
}

/* The whole value (password redacted) and its help in the pager. */
static void show_value(struct ui *ui, enum plan_key k)
{
    char *value = redact_dup(plan_get(&ui->s->plan, k));
    char *text = xasprintf("%s\n\n%s", *value ? value : _("(not set)"), _(plan_key_help(k)));
    dlg_text(ui, plan_key_name(k), text);
    free(text);
    free(value);
}

static int settings_key(struct ui *ui, void *self, int key)
{
    struct settings_screen *ss = self;
    int page = list_rows(ui, ss->sel);
    if (key == UK(KEY_UP) || key == 'k' || key == UK(KEY_BTAB))
        ss->sel--;
    else if (key == UK(KEY_DOWN) || key == 'j' || key == '\t') /* Tab: the next field */
        ss->sel++;
    else if (key == UK(KEY_PPAGE))
        ss->sel -= page;
    else if (key == UK(KEY_NPAGE))
        ss->sel += page;
    else if (key == UK(KEY_HOME))
        ss->sel = 0;
    else if (key == UK(KEY_END))
        ss->sel = PLAN_KEY_COUNT - 1;
    else if (UK_ENTER(key) || key == 'e')
        edit_selected(ui, (enum plan_key)ss->sel);
    else if (key == 'p')
        show_value(ui, (enum plan_key)ss->sel);
    else if (key == 'n' || key == UK(KEY_RIGHT))
        return ACT_NEXT;
    keep_visible(ui, ss);
    return ACT_NONE;
}

const struct screen screen_settings = {
    .open = settings_open,
    .close = free,
    .draw = settings_draw,
    .key = settings_key,
    .help = N_("Settings: the values the migration uses, each with where it came from: the "
               "built-in default, the config file, discovered on this machine, or typed here. "
               "A mark shows values that fail their check (for example a path that must be "
               "absolute and exist); ! marks a value that a failed check of the last checks "
               "run names (its finding shows below the list). Select a value with the arrow "
               "keys (or Tab and Shift-Tab) and press Enter to edit it; p shows the whole value; n "
               "(or Right) goes on to the checks."),
};
