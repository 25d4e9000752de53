/* The terminal: curses setup, colours or monochrome, signals, and the one loop that waits for
 * keys and worker events at the same time (poll on stdin and the queue's wake-up fd). */
#include "ui/uimain.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REDRAW_INTERVAL 0.1 /* seconds: at most ~10 redraws a second while events stream in */

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t interrupted;
static bool is_open;  /* curses is set up (term_open) and not closed */
static bool detached; /* term_detach: the terminal is gone, curses must not touch it */
static bool utf8;
static bool colours;
static attr_t attrs[UA_COUNT];

static void on_stop(int sig)
{
    stop_signal = sig;
}

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Installed before initscr: ncurses leaves handlers alone that are not SIG_DFL. No
 * SA_RESTART, so poll() returns at once with EINTR. */
static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

static void setup_attrs(void)
{
    const char *no_color = getenv("NO_COLOR");
    colours = has_colors() && !(no_color && *no_color);
    attrs[UA_TITLE] = A_REVERSE | A_BOLD;
    attrs[UA_BANNER] = A_REVERSE;
    attrs[UA_KEY] = A_REVERSE;
    attrs[UA_SELECTED] = A_REVERSE;
    attrs[UA_OK] = A_BOLD;
    attrs[UA_FAIL] = A_BOLD;
    attrs[UA_WARN] = A_BOLD;
    attrs[UA_DIM] = A_NORMAL;
    attrs[UA_HEADING] = A_BOLD;
    if (!colours)
        return;
    start_color();
    use_default_colors();
    init_pair(1, COLOR_GREEN, -1);
    init_pair(2, COLOR_RED, -1);
    init_pair(3, COLOR_YELLOW, -1);
    init_pair(4, COLOR_BLACK, COLOR_YELLOW);
    init_pair(5, COLOR_CYAN, -1);
    attrs[UA_OK] = COLOR_PAIR(1) | A_BOLD;
    attrs[UA_FAIL] = COLOR_PAIR(2) | A_BOLD;
    attrs[UA_WARN] = COLOR_PAIR(3) | A_BOLD;
    attrs[UA_BANNER] = COLOR_PAIR(4) | A_BOLD;
    attrs[UA_HEADING] = COLOR_PAIR(5) | A_BOLD;
}

attr_t ui_attr(enum ui_attr a)
{
    return attrs[a];
}

bool term_utf8(void)
{
    return utf8;
}

const char *ui_sym(enum ui_sym s)
{
    static const char *const uni[] = {"✓", "✗", "–", "▶", "·", "…", "█", "░"};
    static const char *const ascii[] = {"+", "x", "-", ">", ".", "...", "#", "-"};
    return utf8 ? uni[s] : ascii[s];
}

int term_open(const char *no_tty_message)
{
    if (is_open)
        return 0; /* the attached viewer hands its terminal on to the wizard */
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "%s\n", no_tty_message);
        return -1;
    }
    utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    stop_signal = 0;
    interrupted = 0;
    install_signals();
    set_escdelay(50);
    if (!initscr()) {
        fprintf(stderr, "%s\n", no_tty_message);
        return -1;
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    setup_attrs();
    is_open = true;
    return 0;
}

void term_close(void)
{
    if (is_open && !detached && !isendwin())
        endwin();
    is_open = false;
}

void term_detach(void)
{
    /* No endwin(): it would write to the dead terminal and set its modes. What curses still
     * holds is freed at exit. */
    detached = true;
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN; /* the hang-ups that follow the first (the shell's, tmux's) */
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_stop; /* no Ctrl-C without a terminal: a kill -INT stops, as SIGTERM */
    sigaction(SIGINT, &sa, NULL);
    stop_signal = 0;
    interrupted = 0;
}

bool term_stop_requested(int *sig)
{
    if (sig)
        *sig = stop_signal;
    return stop_signal != 0;
}

/* ---- drawing schedule ---- */

void ui_draw(struct ui *ui)
{
    if (detached)
        return;
    erase();
    if (!dr_too_small()) {
        if (ui->draw_base)
            ui->draw_base(ui, ui->draw_arg);
        for (int i = 0; i < ui->n_ov; i++)
            ui->ov[i].draw(ui->ov[i].arg);
    }
    refresh();
    ui->dirty = false;
    ui->last_draw = now_monotonic();
}

void ui_push_overlay(struct ui *ui, void (*draw)(void *), void *arg)
{
    if (ui->n_ov < (int)ARRAY_LEN(ui->ov))
        ui->ov[ui->n_ov++] = (struct overlay){draw, arg};
}

void ui_pop_overlay(struct ui *ui)
{
    if (ui->n_ov > 0)
        ui->n_ov--;
}

void ui_set_status(struct ui *ui, const char *text)
{
    free(ui->status);
    ui->status = text ? xstrdup(text) : NULL;
}

/* ---- events ---- */

static void drain_events(struct ui *ui)
{
    if (!ui->w)
        return;
    struct event *list = event_take_all(worker_events(ui->w));
    if (!list)
        return;
    for (struct event *ev = list; ev; ev = ev->next) {
        runview_apply(&ui->run, ev);
        if (ev->kind == EV_DONE) {
            worker_join(ui->w);
            ui->notify = true;
        } else if (ev->kind == EV_QUESTION) {
            ui->notify = true;
        }
    }
    event_list_free(list);
    ui->dirty = true;
}

static int wait_input(struct ui *ui, int timeout_ms, bool with_stdin)
{
    struct pollfd pfd[2];
    nfds_t n = 0;
    if (with_stdin)
        pfd[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
    int wfd_index = -1;
    if (ui->w) {
        wfd_index = (int)n;
        pfd[n++] = (struct pollfd){.fd = worker_fd(ui->w), .events = POLLIN};
    }
    int rc = poll(pfd, n, timeout_ms);
    if (rc > 0 && wfd_index >= 0 && (pfd[wfd_index].revents & POLLIN))
        drain_events(ui);
    /* The terminal hung up without a SIGHUP reaching us (e.g. under nohup): same as SIGHUP,
     * instead of polling a dead fd in a busy loop. */
    if (rc > 0 && with_stdin && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) && !stop_signal)
        stop_signal = SIGHUP;
    return rc;
}

static int next_timeout(const struct ui *ui)
{
    bool running = ui->w && worker_running(ui->w);
    if (ui->dirty) {
        int ms = (int)((ui->last_draw + REDRAW_INTERVAL - now_monotonic()) * 1000);
        return ms < 0 ? 0 : ms;
    }
    return running ? (int)(REDRAW_INTERVAL * 1000) : -1;
}

void ui_pump(struct ui *ui, int timeout_ms)
{
    wait_input(ui, timeout_ms, false);
}

/* The next key; UK_TICK once timeout_ms (-1: never) has passed without one. */
static int getkey_until(struct ui *ui, int timeout_ms)
{
    double deadline = timeout_ms < 0 ? 0 : now_monotonic() + timeout_ms / 1000.0;
    for (;;) {
        if (stop_signal)
            return UK_STOP;
        if (interrupted) {
            interrupted = 0;
            return UK_INTERRUPT;
        }
        wint_t wc;
        int rc = get_wch(&wc);
        if (rc == KEY_CODE_YES)
            return UK(wc);
        if (rc == OK)
            return (int)wc;
        if (ui->notify) {
            ui->notify = false;
            return UK_EVENT;
        }
        /* While a stage runs the screen ticks (throughput, ETA) at most every 100 ms. */
        bool running = ui->w && worker_running(ui->w);
        if ((ui->dirty || running) && now_monotonic() - ui->last_draw >= REDRAW_INTERVAL)
            ui_draw(ui);
        int wait_ms = next_timeout(ui);
        if (timeout_ms >= 0) {
            int left = (int)((deadline - now_monotonic()) * 1000);
            if (left <= 0)
                return UK_TICK;
            if (wait_ms < 0 || wait_ms > left)
                wait_ms = left;
        }
        int rc_poll = wait_input(ui, wait_ms, true);
        if (rc_poll < 0 && errno != EINTR)
            return UK_STOP; /* the terminal is gone */
    }
}

int ui_getkey(struct ui *ui)
{
    return getkey_until(ui, -1);
}

int ui_getkey_within(struct ui *ui, int timeout_ms)
{
    return getkey_until(ui, timeout_ms);
}
