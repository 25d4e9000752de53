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
    size_t cursor;       /* byte offset of the cursor in input (a character boundary) */
    size_t scroll;       /* byte offset of the first character the field shows */
    const char *message; /* an error under the input, may be NULL */
    const char *keys;    /* hint line at the bottom of the box */
};

/* Display columns of the first n bytes of the UTF-8 text s (an invalid byte counts as one). */
static int width_n(const char *s, size_t n)
{
    int cols = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < n && s[i];) {
        wchar_t wc;
        size_t len = mbrtowc(&wc, s + i, n - i, &st);
        if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
            memset(&st, 0, sizeof st);
            cols++, i++;
            continue;
        }
        int cw = wcwidth(wc);
        cols += cw > 0 ? cw : 0;
        i += len;
    }
    return cols;
}

/* Byte offset of the character after / before the one at offset i of s (UTF-8). */
static size_t next_char(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return len;
    i++;
    while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

static size_t prev_char(const char *s, size_t i)
{
    if (i == 0)
        return 0;
    i--;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* Horizontal scrolling: the field of fw columns shows the cursor, with the text before it
 * scrolled out only as far as needed. */
static void scroll_to_cursor(struct dialog *d, int fw)
{
    size_t len = strlen(d->input);
    if (d->cursor > len)
        d->cursor = len;
    if (d->scroll > d->cursor)
        d->scroll = d->cursor;
    while (d->scroll < d->cursor && width_n(d->input + d->scroll, d->cursor - d->scroll) > fw - 1)
        d->scroll = next_char(d->input, len, d->scroll);
}

static void dialog_draw(void *arg)
{
    struct dialog *d = arg;
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
    int cur_y = -1, cur_x = 0;
    if (d->input) {
        int fw = w - 5; /* field columns; the cursor may sit one past the last character */
        scroll_to_cursor(d, fw);
        dr_fill(row, x + 2, w - 4, A_UNDERLINE);
        dr_text(row, x + 2, fw, d->input + d->scroll, A_UNDERLINE);
        if (d->scroll > 0)
            dr_text(row, x + 1, 1, term_utf8() ? "…" : "<", A_BOLD);
        if (width_n(d->input + d->scroll, strlen(d->input + d->scroll)) > fw)
            dr_text(row, x + 2 + fw, 1, term_utf8() ? "…" : ">", A_BOLD);
        cur_y = row;
        cur_x = x + 2 + width_n(d->input + d->scroll, d->cursor - d->scroll);
        row++;
    }
    if (d->message)
        dr_text(row++, x + 2, w - 4, d->message, ui_attr(UA_FAIL));
    dr_text(y + h - 2, x + 2, w - 4, d->keys, ui_attr(UA_DIM));
    if (cur_y >= 0)
        move(cur_y, cur_x); /* the visible cursor (curs_set in edit_loop) stays here */
}

static bool ui_is_yes_key(int key)
{
    /* TRANSLATORS: the key that answers "yes" in yes/no questions (one letter). */
    const char *yes = _("y");
    return key == 'y' || key == 'Y' || (yes[0] && key == (unsigned char)yes[0]) ||
           (yes[0] && key == (unsigned char)yes[0] - 'a' + 'A');
}

/* The line under a yes/no question: which answer Enter gives, as [Y/n] or [y/N]. */
static const char *default_hint(bool enter_yes)
{
    return enter_yes ? _("[Y/n]  Enter answers yes; Tab switches")
                     : _("[y/N]  Enter answers no; Tab switches");
}

bool dlg_yesno(struct ui *ui, const char *question, bool default_yes)
{
    bool enter_yes = default_yes;
    struct dialog d = {.title = _("Question"),
                       .text = question,
                       .prompt = default_hint(enter_yes),
                       .keys = _("y yes   n no   Esc no")};
    ui_push_overlay(ui, dialog_draw, &d);
    ui_draw(ui);
    bool answer = false;
    for (;;) {
        int k = ui_getkey(ui);
        if (ui_is_yes_key(k) || (UK_ENTER(k) && enter_yes)) {
            answer = true;
            break;
        }
        if (k == 'n' || k == 'N' || k == UK_ESC || k == UK_STOP || UK_ENTER(k))
            break;
        if (k == '\t' || k == UK(KEY_BTAB) || k == UK(KEY_LEFT) || k == UK(KEY_RIGHT)) {
            enter_yes = !enter_yes;
            d.prompt = default_hint(enter_yes);
            ui_draw(ui);
        }
        if (k == UK(KEY_RESIZE) || k == UK_EVENT)
            ui_draw(ui);
    }
    ui_pop_overlay(ui);
    ui_draw(ui);
    return answer;
}

/* Removes bytes [from, to) of text. */
static void cut_range(struct strbuf *text, size_t from, size_t to)
{
    if (from >= to)
        return;
    memmove(text->buf + from, text->buf + to, text->len - to + 1);
    text->len -= to - from;
}

/* Line editing on a strbuf of UTF-8 text with the cursor at byte offset *cur, as readline:
 * Left/Right, Home/End (Ctrl-A/E) move by characters; Backspace and Delete remove one;
 * Ctrl-W the word before the cursor, Ctrl-U everything before it, Ctrl-K everything after;
 * any other printable character is inserted at the cursor. */
static void edit_key(struct strbuf *text, size_t *cur, int k)
{
    const char *s = sb_str(text);
    size_t len = text->len, c = *cur > len ? len : *cur;
    if (k == UK(KEY_LEFT) || k == 2) /* Ctrl-B */
        c = prev_char(s, c);
    else if (k == UK(KEY_RIGHT) || k == 6) /* Ctrl-F */
        c = next_char(s, len, c);
    else if (k == UK(KEY_HOME) || k == 1) /* Ctrl-A */
        c = 0;
    else if (k == UK(KEY_END) || k == 5) /* Ctrl-E */
        c = len;
    else if (k == UK(KEY_BACKSPACE) || k == 127 || k == 8) {
        size_t p = prev_char(s, c);
        cut_range(text, p, c);
        c = p;
    } else if (k == UK(KEY_DC) || k == 4) { /* Delete, Ctrl-D */
        cut_range(text, c, next_char(s, len, c));
    } else if (k == 23) { /* Ctrl-W: the blanks before the cursor, then the word */
        size_t p = c;
        while (p > 0 && (s[p - 1] == ' ' || s[p - 1] == '\t'))
            p--;
        while (p > 0 && s[p - 1] != ' ' && s[p - 1] != '\t')
            p--;
        cut_range(text, p, c);
        c = p;
    } else if (k == 21) { /* Ctrl-U */
        cut_range(text, 0, c);
        c = 0;
    } else if (k == 11) { /* Ctrl-K */
        cut_range(text, c, len);
    } else if (k >= 32 && k < 0x1000000 && k != 127) {
        char mb[MB_LEN_MAX];
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t n = wcrtomb(mb, (wchar_t)k, &st);
        if (n != (size_t)-1) {
            sb_append_len(text, mb, n); /* grows the buffer; then move the tail up */
            memmove(text->buf + c + n, text->buf + c, len - c);
            memcpy(text->buf + c, mb, n);
            c += n;
        }
    }
    *cur = c;
}

/* Runs an edit line in dialog d until Enter is accepted or Esc. With expected set, Enter is
 * accepted only when the text matches it exactly. Returns true on acceptance. */
static bool edit_loop(struct ui *ui, struct dialog *d, struct strbuf *text, const char *expected)
{
    ui_push_overlay(ui, dialog_draw, d);
    bool ok = false;
    d->cursor = text->len;
    curs_set(1);
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
        edit_key(text, &d->cursor, k);
    }
    curs_set(0);
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
                       .keys = _("Enter accept   Esc cancel   Ctrl-A/E/W/U/K edit")};
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
    if (!expected || !*expected) /* a stage's yes/no before a change: Enter alone says no */
        return dlg_yesno(ui, question, false);
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
    sb_append(&text, "\n\n");
    sb_printf(&text,
              _("Stage marks:\n"
                "  %s  done\n"
                "  %s  failed\n"
                "  %s  running now\n"
                "  %s  interrupted: stopped or killed before it finished; r resumes it\n"
                "  %s  skipped\n"
                "  %s  not run yet"),
              ui_sym(SYM_OK), ui_sym(SYM_FAIL), ui_sym(SYM_RUN), "!", ui_sym(SYM_SKIP),
              ui_sym(SYM_PENDING));
    sb_append(&text, "\n\n");
    /* TRANSLATORS: keep the keys; align the explanations in one column. */
    sb_append(&text, _("All keys (the key bar's first pair is what Enter does):\n"
                       "  F10        quit, as q\n"
                       "  Tab        the next setting or answer; Shift-Tab the previous one\n"
                       "  n, Right   the next screen (settings, checks, stages)\n"
                       "  Up/Down    select a setting; scroll a log or a text\n"
                       "  PgUp/PgDn  scroll a page\n"
                       "  p          show in full what is cut with \"…\"; a stage's commands\n"
                       "  l          a stage's whole log\n"
                       "  r          run the stage (again); resume (welcome)\n"
                       "  s          skip the stage\n"
                       "  c          cancel the running stage at its next safe point\n"
                       "  v          browse the migration log\n"
                       "  o          start over (welcome, unfinished migration)\n"
                       "  y, n       answer a question; Enter gives the capital one: [Y/n]\n"
                       "In the log browser: Enter a record in full, / search, n/N next and "
                       "previous match, s stage filter, e errors only, c clear the filters, "
                       "Esc or q close."));
    dlg_text(ui, _("Help"), sb_str(&text));
    sb_free(&text);
}
