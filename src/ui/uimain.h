/* Inside the UI: the terminal, drawing helpers, dialogs, the run view and the screens.
 * Only the UI thread uses any of this. */
#ifndef IM_UI_UIMAIN_H
#define IM_UI_UIMAIN_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "common.h"
#include "events.h"
#include "session.h"
#include "worker.h"

/* Keys as ui_getkey() returns them: typed characters are their code point; curses' function
 * keys are UK(KEY_...), so the two never collide; plus a few pseudo keys. */
#define UK(k) ((int)(k) | 0x1000000)
#define UK_STOP 0x2000001      /* SIGHUP/SIGTERM: finish at a safe point and leave */
#define UK_INTERRUPT 0x2000002 /* SIGINT (Ctrl-C): treated like q */
#define UK_EVENT 0x2000003     /* the worker finished or asks something */
#define UK_TICK 0x2000004      /* ui_getkey_within: the time passed without a key */
#define UK_ESC 27
#define UK_ENTER(k) ((k) == '\n' || (k) == '\r' || (k) == UK(KEY_ENTER))
#define UK_HELP(k) ((k) == '?' || (k) == UK(KEY_F(1)))
#define UK_F10 UK(KEY_F(10)) /* quits, as in htop and mc */

/* Attributes; colour pairs only when the terminal has colours and NO_COLOR is unset. */
enum ui_attr {
    UA_TITLE,
    UA_BANNER,
    UA_KEY,
    UA_SELECTED,
    UA_OK,
    UA_FAIL,
    UA_WARN,
    UA_DIM,
    UA_HEADING,
    UA_COUNT
};
attr_t ui_attr(enum ui_attr a);

/* Symbols with an ASCII fallback when the locale is not UTF-8. */
enum ui_sym {
    SYM_OK,
    SYM_FAIL,
    SYM_SKIP,
    SYM_RUN,
    SYM_PENDING,
    SYM_ELLIPSIS,
    SYM_BAR_FULL,
    SYM_BAR_EMPTY
};
const char *ui_sym(enum ui_sym s);

/* ---- the running stage as the UI sees it (fed by events) ---- */
#define RUN_LOG_MAX 500

struct run_line {
    enum record_kind kind;
    int exit_status;
    char *text;
};

struct run_view {
    const struct stage *stage; /* the stage these lines belong to, NULL before any run */
    bool running;
    bool finished;
    int result; /* enum stage_result once finished */
    char *error;
    /* progress */
    bool have_progress;
    char unit[16];
    uint64_t done, total;
    char *current;
    double t_start, t_sample, rate; /* rate: smoothed units per second */
    uint64_t done_sample;
    /* log ring: the newest RUN_LOG_MAX lines */
    struct run_line lines[RUN_LOG_MAX];
    size_t first, count;
    int scroll; /* lines scrolled back from the newest */
    /* a confirmation the worker waits for */
    bool question;
    char *q_text, *q_expected;
};

void runview_reset(struct run_view *rv, const struct stage *st);
void runview_free(struct run_view *rv);
void runview_apply(struct run_view *rv, const struct event *ev);
const struct run_line *runview_line(const struct run_view *rv, size_t i); /* 0 = oldest */
/* Draws the progress bar and figures in one line, the current item in the next. */
void runview_draw_progress(const struct run_view *rv, int y, int x, int w);
/* Draws the log pane; with checks_style, messages/errors become pass/fail lines. */
void runview_draw_log(const struct run_view *rv, int y, int x, int w, int h, bool checks_style);
/* Every record in the ring, oldest first, in full (unwrapped, one per line, with the marks
 * the log pane shows), for the pager; appended to out. */
void runview_full_text(const struct run_view *rv, bool checks_style, struct strbuf *out);
void format_amount(const char *unit, uint64_t n, char *buf, size_t size);
void format_duration(double seconds, char *buf, size_t size);

/* ---- the UI state ---- */
struct overlay {
    void (*draw)(void *arg);
    void *arg;
};

struct wizard; /* the wizard's own state (wizard.c) */

/* What every part of the UI shares: the session (plan and journal), the worker and what its
 * events told (the run view), the drawing schedule and the status line. Each screen keeps
 * its own state in a struct of its own (struct screen); the log browser in struct review. */
struct ui {
    struct session *s;                           /* NULL when only reviewing */
    struct worker *w;                            /* NULL when only reviewing */
    struct wizard *wiz;                          /* NULL when only reviewing */
    void (*draw_base)(struct ui *ui, void *arg); /* the screen under the overlays */
    void *draw_arg;                              /* draw_base's arg */
    struct overlay ov[4];
    int n_ov;
    bool dirty;  /* something changed since the last draw */
    bool notify; /* a run finished or a question arrived */
    double last_draw;
    struct run_view run; /* the running (or last) stage, fed by the worker's events */
    char *status;        /* a transient message on the result line */
};

/* ---- terminal (term.c) ---- */
/* 0, or -1 when stdin/stdout is not a terminal (no_tty_message is printed then). When the
 * terminal is open already (the attached viewer hands it on to the wizard), 0 at once. */
int term_open(const char *no_tty_message);
void term_close(void);
/* The terminal hung up and the program goes on without it: stdin, stdout and stderr become
 * /dev/null, curses is abandoned without writing to the terminal (nothing is drawn any more,
 * term_close does nothing); further SIGHUP are ignored, SIGTERM and SIGINT stop
 * (term_stop_requested). */
void term_detach(void);
bool term_utf8(void);
bool term_stop_requested(int *sig);
/* The next key, pumping worker events and redrawing at most ~10 times a second meanwhile. */
int ui_getkey(struct ui *ui);
/* The same, but UK_TICK when timeout_ms pass without a key (for screens that poll files). */
int ui_getkey_within(struct ui *ui, int timeout_ms);
/* Processes worker events for up to timeout_ms without reading keys. */
void ui_pump(struct ui *ui, int timeout_ms);
void ui_draw(struct ui *ui); /* now */
void ui_push_overlay(struct ui *ui, void (*draw)(void *), void *arg);
void ui_pop_overlay(struct ui *ui);
void ui_set_status(struct ui *ui, const char *text);

/* ---- drawing helpers (draw.c); widths are display columns ---- */
int dr_width(const char *s);
/* clipped to w columns; a cut text ends with a "…" marker; returns columns used */
int dr_text(int y, int x, int w, const char *s, attr_t a);
void dr_fill(int y, int x, int w, attr_t a);
/* Word-wraps s to width w into out ('\n' between lines); returns the number of lines. */
int dr_wrap(const char *s, int w, struct strbuf *out);
/* Draws at most h wrapped lines of s (the last ends with "…" when more would follow); returns
 * the lines drawn. */
int dr_paragraph(int y, int x, int w, int h, const char *s, attr_t a);
void dr_box(int y, int x, int h, int w, const char *title);
void dr_hline(int y, int x, int w, const char *title);
void dr_title(const char *left, const char *right);
/* The bottom line: pairs of key and (translated) label. */
void dr_keybar(const char *const *pairs, size_t n);
bool dr_too_small(void); /* draws a notice when the terminal is far too small */

/* ---- dialogs (dialog.c), modal over the current screen ---- */
/* y = true; n / Esc = false; Enter gives default_yes, shown as [Y/n] or [y/N] (Tab, Left
 * and Right switch what Enter gives). */
bool dlg_yesno(struct ui *ui, const char *question, bool default_yes);
/* The user must type expected exactly; Esc = false. expected NULL = yes/no, Enter = no. */
bool dlg_confirm_typed(struct ui *ui, const char *question, const char *expected);
/* Edits a line of text; returns true with the result in out, false on Esc. */
bool dlg_input(struct ui *ui, const char *title, const char *prompt, const char *initial,
               struct strbuf *out);
void dlg_text(struct ui *ui, const char *title, const char *text); /* pager: Esc/q/Enter close */
void dlg_help(struct ui *ui, const char *screen_help);

/* ---- the wizard's screens ---- */
/* A screen of the wizard. Its state is its own: open makes it when the wizard starts, close
 * frees it when the wizard ends, and the other callbacks get it as self (one state per
 * screen; the stage screen's serves every stage). open and close may be NULL (no state). */
struct screen {
    void *(*open)(struct ui *ui);
    void (*close)(void *self);
    void (*enter)(struct ui *ui, void *self); /* on every visit; may be NULL */
    void (*draw)(struct ui *ui, void *self);
    int (*key)(struct ui *ui, void *self, int key); /* returns an ACT_ value */
    const char *help;                               /* N_() */
};
enum { ACT_NONE, ACT_NEXT, ACT_BACK, ACT_QUIT, ACT_EXIT, ACT_JUMP };

extern const struct screen screen_welcome, screen_settings, screen_checks, screen_stage, screen_finish;

/* wizard.c; ui->wiz is set */
const struct stage *wiz_stage_at(const struct ui *ui, int pos); /* stage of a stage screen */
const struct stage *wiz_current_stage(const struct ui *ui); /* of the screen shown, or NULL */
/* Every stage in stage_list() order; *n gets their number. */
const struct stage *const *wiz_stages(const struct ui *ui, size_t *n);
/* session_open found an unfinished migration when the wizard started (ui_wizard_run). */
bool wiz_found_unfinished(const struct ui *ui);
/* The unfinished journal shown before resume / start over; NULL when there is none. */
const struct journal *wiz_peek_journal(const struct ui *ui);
int wiz_first_open_pos(const struct ui *ui); /* first screen whose stage is not done */
void wiz_jump(struct ui *ui, int pos);
enum stage_status wiz_status(const struct ui *ui, const struct stage *st);
bool wiz_start_stage(struct ui *ui, const struct stage *st);
void wiz_draw_header(struct ui *ui, const char *title); /* title bar + demo banner; returns */
int wiz_body_top(const struct ui *ui);
/* scr_stage.c, shared with the checks screen */
void stage_draw_result(struct ui *ui, const struct stage *st, int y);
bool stage_common_key(struct ui *ui, int key);
/* Opens the pager on every record of the run view in full (checks_style: as findings). */
void stage_show_log(struct ui *ui, const char *title, bool checks_style);
/* "Interrupted at <time>; r resumes it" when the journal shows st killed while running or
 * cancelled back to pending; NULL otherwise. The caller frees it. */
char *stage_interrupted_text(const struct ui *ui, const struct stage *st);
/* The last run of st shown in ui->run ended, and then a changed setting put st back to
 * pending (session_plan_changed): its findings no longer describe the settings. */
bool stage_results_stale(const struct ui *ui, const struct stage *st);
int review_browse(struct ui *ui, const char *dir); /* review.c, inside a running UI */

#endif
