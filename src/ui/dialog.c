/* Modal dialogs drawn over the current screen. Each runs its own little key loop through
 * ui_getkey(), so worker events keep flowing (and the screen behind keeps updating) while a
 * dialog waits. A stop signal closes a dialog with its "no" answer. */
#include "ui/uimain.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct dialog {
    const char *title;
    const char *text;    /* wrapped body */
    const char *prompt;  /* a line under the body, may be NULL */
    const char *input;   /* the edited text, NULL = no input field */
    const char *message; /* an error under the input, may be NULL */
    const char *keys;    /* hint line at the bottom of the box */
};

static void dialog_draw(void *arg)
{
    const struct dialog *d = arg;
    int w = COLS - 8 > 70 ? 70 : COLS - 8;
    struct strbuf wrapped = {0};
    int body = dr_wrap(d->text, w - 4, &wrapped);
    sb_free(&wrapped);
    /* border, body, blank, prompt, input, message, blank, keys, border */
    int extra = (d->prompt ? 1 : 0) + (d->input ? 1 : 0) + (d->message ? 1 : 0) + 2;
    int h = body + extra + 2;
    if (h > LINES - 2) {
        body -= h - (LINES - 2);
        h = LINES - 2;
    }
    int y = (LINES - h) / 2, x = (COLS - w) / 2;
    dr_box(y, x, h, w, d->title);
    int row = y + 1;
    row += dr_paragraph(row, x + 2, w - 4, body, d->text, A_NORMAL) + 1;
    if (d->prompt)
        dr_text(row++, x + 2, w - 4, d->prompt, A_BOLD);
    if (d->input) {
        /* the field shows the end of the text when it is longer than the box */
        const char *shown = d->input;
        while (dr_width(shown) > w - 6)
            shown += mblen(shown, MB_CUR_MAX) > 0 ? mblen(shown, MB_CUR_MAX) : 1;
        dr_fill(row, x + 2, w - 4, A_UNDERLINE);
        int used = dr_text(row, x + 2, w - 5, shown, A_UNDERLINE);
        dr_text(row, x + 2 + used, 1, "_", A_BOLD);
        row++;
    }
    if (d->message)
        dr_text(row++, x + 2, w - 4, d->message, ui_attr(UA_FAIL));
    dr_text(y + h - 2, x + 2, w - 4, d->keys, ui_attr(UA_DIM));
}

bool ui_is_yes_key(int key)
{
    /* TRANSLATORS: the key that answers "yes" in yes/no questions (one letter). */
    const char *yes = _("y");
    return key == 'y' || key == 'Y' || (yes[0] && key == (unsigned char)yes[0]) ||
           (yes[0] && key == (unsigned char)yes[0] - 'a' + 'A');
}

bool dlg_yesno(struct ui *ui, const char *question)
{
    struct dialog d = {.title = _("Question"), .text = question, .keys = _("y yes   n no   Esc no")};
    ui_push_overlay(ui, dialog_draw, &d);
    ui_draw(ui);
    bool answer = false;
    for (;;) {
        int k = ui_getkey(ui);
        if (ui_is_yes_key(k)) {
            answer = true;
            break;
        }
        if (k == 'n' || k == 'N' || k == UK_ESC || k == UK_STOP)
            break;
        if (k == UK(KEY_RESIZE) || k == UK_EVENT)
            ui_draw(ui);
    }
    ui_pop_overlay(ui);
    ui_draw(ui);
    return answer;
}

/* Line editing on a strbuf of UTF-8 text: append characters, Backspace removes the last one. */
static void edit_key(struct strbuf *text, int k)
{
    if (k == UK(KEY_BACKSPACE) || k == 127 || k == 8) {
        if (!text->len)
            return;
        size_t i = text->len - 1;
        while (i > 0 && ((unsigned char)text->buf[i] & 0xC0) == 0x80)
            i--;
        text->len = i;
        text->buf[i] = '\0';
        return;
    }
    if (k == 21) { /* Ctrl-U clears */
        sb_reset(text);
        return;
    }
    if (k < 32 || k >= 0x1000000)
        return;
    char mb[MB_LEN_MAX];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = wcrtomb(mb, (wchar_t)k, &st);
    if (n != (size_t)-1)
        sb_append_len(text, mb, n);
}

/* Runs an edit line in dialog d until Enter is accepted or Esc. With expected set, Enter is
 * accepted only when the text matches it exactly. Returns true on acceptance. */
static bool edit_loop(struct ui *ui, struct dialog *d, struct strbuf *text, const char *expected)
{
    ui_push_overlay(ui, dialog_draw, d);
    bool ok = false;
    for (;;) {
        d->input = sb_str(text);
        ui_draw(ui);
        int k = ui_getkey(ui);
        if (k == UK_ESC || k == UK_STOP)
            break;
        if (UK_ENTER(k)) {
            if (!expected || strcmp(sb_str(text), expected) == 0) {
                ok = true;
                break;
            }
            d->message = _("That does not match; type it exactly, or press Esc.");
            continue;
        }
        d->message = NULL;
        edit_key(text, k);
    }
    ui_pop_overlay(ui);
    ui_draw(ui);
    return ok;
}

bool dlg_input(struct ui *ui, const char *title, const char *prompt, const char *initial,
               struct strbuf *out)
{
    struct strbuf text = {0};
    sb_append(&text, initial ? initial : "");
    struct dialog d = {.title = title,
                       .text = prompt,
                       .input = sb_str(&text),
                       .keys = _("Enter accept   Esc cancel   Ctrl-U clear")};
    bool ok = edit_loop(ui, &d, &text, NULL);
    if (ok) {
        sb_reset(out);
        sb_append(out, sb_str(&text));
    }
    sb_free(&text);
    return ok;
}

bool dlg_confirm_typed(struct ui *ui, const char *question, const char *expected)
{
    if (!expected || !*expected)
        return dlg_yesno(ui, question);
    struct strbuf text = {0};
    char *prompt = xasprintf(_("Type \"%s\" to confirm:"), expected);
    struct dialog d = {.title = _("Confirm"),
                       .text = question,
                       .prompt = prompt,
                       .input = "",
                       .keys = _("Enter confirm   Esc cancel")};
    bool ok = edit_loop(ui, &d, &text, expected);
    free(prompt);
    sb_free(&text);
    return ok;
}

/* ---- a scrolling text viewer ---- */

struct pager {
    const char *title;
    struct strbuf wrapped;
    int lines, top;
};

static void pager_draw(void *arg)
{
    struct pager *p = arg;
    int h = LINES - 2, w = COLS - 4;
    dr_box(1, 2, h, w, p->title);
    const char *line = sb_str(&p->wrapped);
    for (int i = 0; i < p->top && *line; i++) {
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : line + strlen(line);
    }
    for (int row = 0; row < h - 3 && *line; row++) {
        size_t len = strcspn(line, "\n");
        char *copy = xstrndup(line, len);
        dr_text(2 + row, 4, w - 4, copy, A_NORMAL);
        free(copy);
        line += len + (line[len] ? 1 : 0);
    }
    dr_text(h - 1, 4, w - 4, _("Up/Down/PgUp/PgDn scroll   Esc, q or Enter close"), ui_attr(UA_DIM));
}

void dlg_text(struct ui *ui, const char *title, const char *text)
{
    struct pager p = {.title = title};
    for (;;) {
        sb_reset(&p.wrapped);
        p.lines = dr_wrap(text, COLS - 8, &p.wrapped);
        int page = LINES - 5 > 1 ? LINES - 5 : 1;
        int max_top = p.lines > page ? p.lines - page : 0;
        if (p.top > max_top)
            p.top = max_top;
        if (p.top < 0)
            p.top = 0;
        if (ui->n_ov == 0 || ui->ov[ui->n_ov - 1].arg != &p)
            ui_push_overlay(ui, pager_draw, &p);
        ui_draw(ui);
        int k = ui_getkey(ui);
        if (k == UK_ESC || k == 'q' || UK_ENTER(k) || k == UK_STOP)
            break;
        if (k == UK(KEY_DOWN) || k == 'j')
            p.top++;
        else if (k == UK(KEY_UP) || k == 'k')
            p.top--;
        else if (k == UK(KEY_NPAGE) || k == ' ')
            p.top += page;
        else if (k == UK(KEY_PPAGE))
            p.top -= page;
        else if (k == UK(KEY_HOME))
            p.top = 0;
        else if (k == UK(KEY_END))
            p.top = max_top;
    }
    ui_pop_overlay(ui);
    sb_free(&p.wrapped);
    ui_draw(ui);
}

void dlg_help(struct ui *ui, const char *screen_help)
{
    struct strbuf text = {0};
    if (screen_help && *screen_help)
        sb_printf(&text, "%s\n\n", _(screen_help));
    sb_append(&text, _("Keys everywhere:\n"
                       "  ? or F1   this help\n"
                       "  Esc       back to the previous screen (or close a dialog)\n"
                       "  q         quit (asks first; a running stage stops at a safe point)\n"
                       "  Enter     the main action of the screen\n\n"
                       "Every step is written to the journal and the log in the state directory, "
                       "so an interrupted migration can be resumed and reviewed later."));
    dlg_text(ui, _("Help"), sb_str(&text));
    sb_free(&text);
}
