/* Drawing helpers: text measured in display columns (translations change widths; CJK and
 * combining characters count right), wrapping, boxes, the title bar and the key bar. */
#include "ui/uimain.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Decodes the next character of s (locale encoding); invalid bytes become '?'. Returns the
 * bytes consumed (0 at the end). */
static size_t next_char(const char *s, mbstate_t *st, wchar_t *wc, int *width)
{
    if (!*s)
        return 0;
    size_t n = mbrtowc(wc, s, MB_CUR_MAX, st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        memset(st, 0, sizeof *st);
        *wc = L'?';
        n = 1;
    }
    if (*wc == L'\t' || *wc == L'\n' || *wc == L'\r')
        *wc = L' ';
    int cw = wcwidth(*wc);
    if (cw < 0) {
        *wc = L'?';
        cw = 1;
    }
    *width = cw;
    return n;
}

int dr_width(const char *s)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int total = 0, cw;
    wchar_t wc;
    size_t n;
    while ((n = next_char(s, &st, &wc, &cw)) > 0) {
        total += cw;
        s += n;
    }
    return total;
}

/* Ends a cut line with a marker ("…", or ">" without UTF-8), dropping characters from its end
 * until the marker fits in w columns. Returns the columns used. */
static int mark_cut(wchar_t *buf, int *len, int used, int w)
{
    while (*len > 0 && used + 1 > w) {
        int cw = wcwidth(buf[--*len]);
        used -= cw > 0 ? cw : 0;
    }
    if (used + 1 > w)
        return used;
    buf[(*len)++] = term_utf8() ? L'\u2026' : L'>';
    return used + 1;
}

int dr_text(int y, int x, int w, const char *s, attr_t a)
{
    if (w <= 0 || y < 0 || y >= LINES || !s)
        return 0;
    if (x + w > COLS)
        w = COLS - x;
    wchar_t buf[512];
    int used = 0, cw, len = 0;
    wchar_t wc;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n;
    bool cut = false;
    while ((n = next_char(s, &st, &wc, &cw)) > 0) {
        if (used + cw > w || len == (int)ARRAY_LEN(buf) - 1) {
            cut = true;
            break;
        }
        buf[len++] = wc;
        used += cw;
        s += n;
    }
    if (cut)
        used = mark_cut(buf, &len, used, w);
    attr_t old_attr;
    short old_pair;
    attr_get(&old_attr, &old_pair, NULL);
    attrset(a);
    mvaddnwstr(y, x, buf, len);
    attrset(old_attr);
    return used;
}

void dr_fill(int y, int x, int w, attr_t a)
{
    if (y < 0 || y >= LINES || w <= 0)
        return;
    attrset(a);
    mvhline(y, x, ' ', w);
    attrset(A_NORMAL);
}

/* Cuts a word wider than the line into pieces of at most w columns. */
static void append_long_word(const char *word, size_t len, int w, struct strbuf *out, int *col)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    char *copy = xstrndup(word, len);
    const char *p = copy;
    wchar_t wc;
    int cw;
    size_t n;
    while ((n = next_char(p, &st, &wc, &cw)) > 0) {
        if (*col + cw > w && *col > 0) {
            sb_append_char(out, '\n');
            *col = 0;
        }
        sb_append_len(out, p, n);
        *col += cw;
        p += n;
    }
    free(copy);
}

int dr_wrap(const char *s, int w, struct strbuf *out)
{
    if (w < 1)
        w = 1;
    int lines = 1, col = 0;
    bool hard_start = true; /* at the start of a line the text itself began: keep its indent */
    while (*s) {
        if (*s == '\n') {
            sb_append_char(out, '\n');
            lines++;
            col = 0;
            hard_start = true;
            s++;
            continue;
        }
        if (*s == ' ') {
            s++;
            if ((col > 0 || hard_start) && col < w) {
                sb_append_char(out, ' ');
                col++;
            }
            continue;
        }
        hard_start = false;
        size_t len = strcspn(s, " \n");
        char *word = xstrndup(s, len);
        int ww = dr_width(word);
        free(word);
        if (col > 0 && col + ww > w) {
            /* drop the space we added before this word */
            if (out->len && out->buf[out->len - 1] == ' ')
                out->buf[--out->len] = '\0';
            sb_append_char(out, '\n');
            lines++;
            col = 0;
        }
        size_t before = out->len;
        append_long_word(s, len, w, out, &col);
        for (size_t i = before; i < out->len; i++)
            lines += out->buf[i] == '\n';
        s += len;
    }
    return lines;
}

int dr_paragraph(int y, int x, int w, int h, const char *s, attr_t a)
{
    struct strbuf wrapped = {0};
    dr_wrap(s, w, &wrapped);
    int drawn = 0;
    const char *line = sb_str(&wrapped);
    while (drawn < h) {
        size_t len = strcspn(line, "\n");
        /* the last line of a text longer than h: the rest follows it, so dr_text marks the cut */
        char *copy = drawn + 1 == h && line[len] ? xstrdup(line) : xstrndup(line, len);
        dr_text(y + drawn, x, w, copy, a);
        free(copy);
        drawn++;
        if (!line[len])
            break;
        line += len + 1;
    }
    sb_free(&wrapped);
    return drawn;
}

/* Line drawing: curses' ACS characters (Unicode lines under UTF-8); plain ASCII otherwise,
 * because a terminal with a mismatched character set shows ACS as letters ("qqqq"). */
static chtype line_char(char which)
{
    if (!term_utf8())
        return which == '-' ? '-' : which == '|' ? '|' : '+';
    switch (which) {
    case '-': return ACS_HLINE;
    case '|': return ACS_VLINE;
    case '1': return ACS_ULCORNER;
    case '2': return ACS_URCORNER;
    case '3': return ACS_LLCORNER;
    default: return ACS_LRCORNER;
    }
}

void dr_box(int y, int x, int h, int w, const char *title)
{
    for (int i = 0; i < h; i++)
        dr_fill(y + i, x, w, A_NORMAL);
    mvaddch(y, x, line_char('1'));
    mvaddch(y, x + w - 1, line_char('2'));
    mvaddch(y + h - 1, x, line_char('3'));
    mvaddch(y + h - 1, x + w - 1, line_char('4'));
    mvhline(y, x + 1, line_char('-'), w - 2);
    mvhline(y + h - 1, x + 1, line_char('-'), w - 2);
    mvvline(y + 1, x, line_char('|'), h - 2);
    mvvline(y + 1, x + w - 1, line_char('|'), h - 2);
    if (title && *title) {
        char *t = xasprintf(" %s ", title);
        dr_text(y, x + 2, w - 4, t, A_BOLD);
        free(t);
    }
}

void dr_hline(int y, int x, int w, const char *title)
{
    mvhline(y, x, line_char('-'), w);
    if (title && *title) {
        char *t = xasprintf(" %s ", title);
        dr_text(y, x + 2, w - 4, t, ui_attr(UA_HEADING));
        free(t);
    }
}

void dr_title(const char *left, const char *right)
{
    dr_fill(0, 0, COLS, ui_attr(UA_TITLE));
    int rw = right ? dr_width(right) : 0;
    if (rw > COLS / 2)
        rw = COLS / 2;
    dr_text(0, 1, COLS - rw - 3, left, ui_attr(UA_TITLE));
    if (right)
        dr_text(0, COLS - rw - 1, rw, right, ui_attr(UA_TITLE));
}

/* A pair's columns: key, a space, label, and the gap before the next pair. */
static int pair_width(const char *const *pair, int gap)
{
    return dr_width(pair[0]) + 1 + dr_width(_(pair[1])) + gap;
}

static int draw_pair(int x, const char *const *pair, int gap)
{
    int y = LINES - 1;
    x += dr_text(y, x, COLS - x, pair[0], ui_attr(UA_KEY)) + 1;
    x += dr_text(y, x, COLS - x, _(pair[1]), A_NORMAL) + gap;
    return x;
}

/* Is pair i (an index into pairs) always shown: the first (what Enter does), the last two
 * (help and quit, by convention) and "Esc" (back)? */
static bool pair_fixed(const char *const *pairs, size_t n, size_t i)
{
    return i == 0 || i + 4 >= n || strcmp(pairs[i], "Esc") == 0;
}

/* The columns all pairs take with gap columns between them (none after the last). */
static int bar_width(const char *const *pairs, size_t n, int gap)
{
    int w = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        w += pair_width(pairs + i, gap);
    return w - gap;
}

/* Two columns between pairs; one when that makes every pair fit (long translations: the keys
 * stand out in reverse video, so one space still parts them). Then the fixed pairs are
 * always shown, the others in order as far as they fit beside them. */
void dr_keybar(const char *const *pairs, size_t n)
{
    dr_fill(LINES - 1, 0, COLS, A_NORMAL);
    int room = COLS - 1; /* the last column stays empty, as on every line of text */
    int gap = bar_width(pairs, n, 2) <= room ? 2 : 1;
    int budget = room + gap; /* no gap after the last pair */
    for (size_t i = 0; i + 1 < n; i += 2)
        if (pair_fixed(pairs, n, i))
            budget -= pair_width(pairs + i, gap);
    int x = 0;
    for (size_t i = 0; i + 1 < n && x < COLS; i += 2) {
        if (!pair_fixed(pairs, n, i)) {
            if (pair_width(pairs + i, gap) > budget)
                continue;
            budget -= pair_width(pairs + i, gap);
        }
        x = draw_pair(x, pairs + i, gap);
    }
}

bool dr_too_small(void)
{
    if (COLS >= 40 && LINES >= 12)
        return false;
    dr_paragraph(0, 0, COLS, LINES, _("The terminal is too small: please make it at least 80x24."),
                 A_BOLD);
    return true;
}
