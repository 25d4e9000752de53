#include "common.h"
#include "textesc.h"
#include "report.h"
#include "redact.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const kind_names[] = {
#define X(id, name) name,
    RECORD_KINDS(X)
#undef X
};

const char *record_kind_name(enum record_kind kind)
{
    return (unsigned)kind < REC_KIND_COUNT ? kind_names[kind] : "?";
}

int record_kind_from_name(const char *name)
{
    for (int i = 0; i < REC_KIND_COUNT; i++)
        if (strcmp(kind_names[i], name) == 0)
            return i;
    return -1;
}

void report_record(const struct reporter *r, const struct record *rec)
{
    if (r && r->on_record)
        r->on_record(r->ud, rec);
}

void report_msg(const struct reporter *r, enum record_kind kind, const char *fmt, ...)
{
    if (!r || !r->on_record)
        return;
    struct strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    struct record rec = RECORD_INIT(kind, sb_str(&sb));
    r->on_record(r->ud, &rec);
    sb_free(&sb);
}

void report_progress(const struct reporter *r, const char *unit, uint64_t done, uint64_t total,
                     const char *current)
{
    if (!r || !r->on_progress)
        return;
    struct progress p = {.unit = unit, .done = done, .total = total, .current = current};
    r->on_progress(r->ud, &p);
}

bool report_cancelled(const struct reporter *r)
{
    return r && r->is_cancelled && r->is_cancelled(r->ud);
}

bool report_confirm(const struct reporter *r, const char *question, const char *expected)
{
    return r && r->confirm && r->confirm(r->ud, question, expected);
}

/* ---- the command-line reporter ---- */

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cli_stop_signal(void)
{
    return stop_signal;
}

static void cli_on_record(void *ud, const struct record *rec)
{
    struct cli_reporter_state *st = ud;
    struct strbuf line = {0};
    if (st->stage)
        sb_printf(&line, "[%s] ", st->stage);
    sb_printf(&line, "%s: ", record_kind_name(rec->kind));
    if (rec->argv) {
        for (size_t i = 0; rec->argv[i]; i++) {
            if (i)
                sb_append_char(&line, ' ');
            sb_append(&line, rec->argv[i]);
        }
    } else {
        sb_append(&line, rec->text);
    }
    if (rec->exit_status >= 0)
        sb_printf(&line, _(" (exit %d)"), rec->exit_status);
    struct strbuf safe = {0}, shown = {0};
    redact_secrets(sb_str(&line), &safe);
    ctl_escape(sb_str(&safe), true, &shown); /* names and other programs' words: no escapes */
    fprintf(stderr, "%s\n", sb_str(&shown));
    sb_free(&shown);
    sb_free(&safe);
    sb_free(&line);
}

const char *report_unit_label(const char *unit)
{
    static const char *const units[][2] = {
        {"files", N_("files")},           {"rows", N_("rows")},       {"entries", N_("entries")},
        {"statements", N_("statements")}, {"seconds", N_("seconds")}, {"bytes", N_("bytes")},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i][0]) == 0)
            return _(units[i][1]);
    return unit;
}

static void cli_on_progress(void *ud, const struct progress *p)
{
    struct cli_reporter_state *st = ud;
    if (st->quiet_progress)
        return;
    double t = now_monotonic();
    bool finished = p->total && p->done >= p->total;
    if (!finished && t - st->last_progress < 1.0)
        return;
    st->last_progress = t;
    if (st->stage)
        fprintf(stderr, "[%s] ", st->stage);
    if (strcmp(p->unit, "bytes") == 0) { /* human units, as the wizard shows them */
        struct strbuf done = {0}, total = {0};
        format_bytes(p->done, &done);
        format_bytes(p->total, &total);
        if (p->total)
            fprintf(stderr, _("progress: %s of %s (%.0f%%)"), sb_str(&done), sb_str(&total),
                    100.0 * (double)p->done / (double)p->total);
        else
            fprintf(stderr, _("progress: %s"), sb_str(&done));
        sb_free(&done);
        sb_free(&total);
    } else if (p->total) {
        fprintf(stderr, _("progress: %llu/%llu %s (%.0f%%)"), (unsigned long long)p->done,
                (unsigned long long)p->total, report_unit_label(p->unit),
                100.0 * (double)p->done / (double)p->total);
    } else {
        fprintf(stderr, _("progress: %llu %s"), (unsigned long long)p->done,
                report_unit_label(p->unit));
    }
    if (p->current) {
        char *shown = ctl_escape_dup(p->current, false);
        fprintf(stderr, " %s", shown);
        free(shown);
    }
    fputc('\n', stderr);
}

static bool cli_is_cancelled(void *ud)
{
    return stop_signal != 0;
}

static bool cli_confirm(void *ud, const char *question, const char *expected)
{
    struct cli_reporter_state *st = ud;
    if (st->assume_yes)
        return true;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, _("%s\nNot confirmed: no terminal to ask on (use --yes).\n"), question);
        return false;
    }
    /* TRANSLATORS: the word the user types to confirm a destructive step. */
    const char *word = expected ? expected : _("yes");
    fprintf(stderr, _("%s\nType \"%s\" to confirm: "), question, word);
    char answer[512];
    if (!fgets(answer, sizeof answer, stdin))
        return false;
    answer[strcspn(answer, "\r\n")] = '\0';
    /* The English word is always accepted too: scripts should not depend on the locale. */
    return strcmp(answer, word) == 0 || (!expected && strcmp(answer, "yes") == 0);
}

void cli_reporter_init(struct reporter *r, struct cli_reporter_state *st, const char *stage,
                       bool assume_yes)
{
    memset(st, 0, sizeof *st);
    st->stage = stage;
    st->assume_yes = assume_yes;
    st->last_progress = -10;
    r->on_record = cli_on_record;
    r->on_progress = cli_on_progress;
    r->is_cancelled = cli_is_cancelled;
    r->confirm = cli_confirm;
    r->ud = st;
}
