/* What the UI knows about the running (or last) stage: progress with a smoothed rate and
 * ETA, the newest log records in a ring (memory stays bounded however long a stage talks),
 * the result, and a pending confirmation question. */
#include "ui/uimain.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE_SAMPLE_SECONDS 0.5

static void clear_lines(struct run_view *rv)
{
    for (size_t i = 0; i < rv->count; i++)
        free(rv->lines[(rv->first + i) % RUN_LOG_MAX].text);
    rv->first = rv->count = 0;
}

void runview_free(struct run_view *rv)
{
    clear_lines(rv);
    free(rv->error);
    free(rv->current);
    free(rv->q_text);
    free(rv->q_expected);
    memset(rv, 0, sizeof *rv);
}

void runview_reset(struct run_view *rv, const struct stage *st)
{
    runview_free(rv);
    rv->stage = st;
    rv->running = true;
    rv->t_start = rv->t_sample = now_monotonic();
}

static void add_line(struct run_view *rv, const struct event *ev)
{
    if (rv->count == RUN_LOG_MAX) {
        free(rv->lines[rv->first].text);
        rv->first = (rv->first + 1) % RUN_LOG_MAX;
        rv->count--;
    }
    struct run_line *l = &rv->lines[(rv->first + rv->count) % RUN_LOG_MAX];
    l->kind = ev->rec_kind;
    l->exit_status = ev->exit_status;
    l->text = xstrdup(ev->text ? ev->text : "");
    rv->count++;
    if (rv->scroll > 0 && rv->scroll < (int)rv->count)
        rv->scroll++; /* keep the lines the user scrolled to in place */
}

static void apply_progress(struct run_view *rv, const struct event *ev)
{
    if (!rv->have_progress || strcmp(rv->unit, ev->unit) != 0 || ev->done < rv->done) {
        /* a new phase (other unit, or counting again): restart the rate */
        rv->rate = 0;
        rv->t_sample = ev->time;
        rv->done_sample = ev->done;
    }
    rv->have_progress = true;
    memcpy(rv->unit, ev->unit, sizeof rv->unit);
    rv->done = ev->done;
    rv->total = ev->total;
    free(rv->current);
    rv->current = ev->text ? xstrdup(ev->text) : NULL;
    double dt = ev->time - rv->t_sample;
    if (dt >= RATE_SAMPLE_SECONDS) {
        double inst = (double)(ev->done - rv->done_sample) / dt;
        rv->rate = rv->rate > 0 ? 0.7 * rv->rate + 0.3 * inst : inst;
        rv->t_sample = ev->time;
        rv->done_sample = ev->done;
    }
}

/* A stage that ended: its bar reads 100 % with the final figures when it succeeded (an
 * estimated total, as the dump's, becomes the amount done), and the item being worked on is
 * no longer shown (it is finished; a failure's reason is on the result line). */
static void finish_progress(struct run_view *rv, int result)
{
    free(rv->current);
    rv->current = NULL;
    if (rv->have_progress && result == STAGE_OK && rv->done > 0)
        rv->total = rv->done;
    rv->rate = 0; /* a finished stage has no rate and no time left */
}

void runview_apply(struct run_view *rv, const struct event *ev)
{
    switch (ev->kind) {
    case EV_PROGRESS: apply_progress(rv, ev); break;
    case EV_RECORD: add_line(rv, ev); break;
    case EV_QUESTION:
        free(rv->q_text);
        free(rv->q_expected);
        rv->q_text = xstrdup(ev->text ? ev->text : "");
        rv->q_expected = ev->expected ? xstrdup(ev->expected) : NULL;
        rv->question = true;
        break;
    case EV_DONE:
        finish_progress(rv, ev->result);
        rv->running = false;
        rv->finished = true;
        rv->result = ev->result;
        free(rv->error);
        rv->error = xstrdup(ev->text ? ev->text : "");
        rv->question = false;
        break;
    }
}

const struct run_line *runview_line(const struct run_view *rv, size_t i)
{
    return i < rv->count ? &rv->lines[(rv->first + i) % RUN_LOG_MAX] : NULL;
}

void format_amount(const char *unit, uint64_t n, char *buf, size_t size)
{
    if (strcmp(unit, "bytes") == 0) {
        struct strbuf text = {0};
        format_bytes(n, &text);
        snprintf(buf, size, "%s", sb_str(&text));
        sb_free(&text);
        return;
    }
    const char *label = report_unit_label(unit);
    snprintf(buf, size, "%" PRIu64 " %s", n, label);
}

void format_duration(double seconds, char *buf, size_t size)
{
    if (seconds < 0)
        seconds = 0;
    uint64_t s = (uint64_t)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, size, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
}

static void draw_bar(int y, int x, int w, double fraction)
{
    int full = (int)(fraction * w + 0.5);
    for (int i = 0; i < w; i++)
        dr_text(y, x + i, 1, ui_sym(i < full ? SYM_BAR_FULL : SYM_BAR_EMPTY),
                i < full ? ui_attr(UA_OK) : A_NORMAL);
}

void runview_draw_progress(const struct run_view *rv, int y, int x, int w)
{
    if (!rv->have_progress) {
        if (rv->running) {
            char t[32];
            format_duration(now_monotonic() - rv->t_start, t, sizeof t);
            char *line = xasprintf(_("Working %s  %s"), ui_sym(SYM_ELLIPSIS), t);
            dr_text(y, x, w, line, A_NORMAL);
            free(line);
        }
        return;
    }
    char done[32], total[32], rate[48] = "", eta[48] = "";
    format_amount(rv->unit, rv->done, done, sizeof done);
    format_amount(rv->unit, rv->total, total, sizeof total);
    /* a rate of the time waited ("seconds/s") says nothing: waits show only the time */
    if (rv->rate > 0 && strcmp(rv->unit, "seconds") != 0) {
        char r[32];
        format_amount(rv->unit, (uint64_t)rv->rate, r, sizeof r);
        snprintf(rate, sizeof rate, _("%s/s"), r);
        if (rv->total > rv->done && rv->running) {
            char d[32];
            format_duration((double)(rv->total - rv->done) / rv->rate, d, sizeof d);
            snprintf(eta, sizeof eta, _("ETA %s"), d);
        }
    }
    struct strbuf figures = {0};
    if (rv->total > 0) {
        double f = (double)rv->done / (double)rv->total;
        if (f > 1)
            f = 1;
        sb_printf(&figures, "%3d%%  %s / %s", (int)(f * 100), done, total);
        int bar_w = w / 3;
        draw_bar(y, x, bar_w, f);
        x += bar_w + 1;
        w -= bar_w + 1;
    } else {
        sb_append(&figures, done);
    }
    if (*rate)
        sb_printf(&figures, "  %s", rate);
    if (*eta)
        sb_printf(&figures, "  %s", eta);
    dr_text(y, x, w, sb_str(&figures), A_NORMAL);
    sb_free(&figures);
    if (rv->current && *rv->current)
        dr_text(y + 1, x, w, rv->current, ui_attr(UA_DIM));
}

static attr_t line_attr(const struct run_line *l)
{
    switch (l->kind) {
    case REC_ERROR: return ui_attr(UA_FAIL);
    case REC_WARNING:
    case REC_OVERRIDE: return ui_attr(UA_WARN);
    case REC_COMMAND:
    case REC_SQL:
    case REC_FILEOP: return ui_attr(UA_DIM);
    default: return A_NORMAL;
    }
}

static const char *line_mark(const struct run_line *l, bool checks_style)
{
    switch (l->kind) {
    case REC_ERROR: return checks_style ? _("[FAIL]") : "!";
    case REC_WARNING: return checks_style ? _("[WARN]") : "!";
    case REC_OVERRIDE: return "!";
    case REC_MESSAGE: return checks_style ? _("[ ok ]") : " ";
    case REC_COMMAND: return checks_style ? "     $" : "$";
    case REC_SQL: return checks_style ? "     #" : "#";
    default: return " ";
    }
}

/* The checks already say PASS/FAIL/WARN in their text, in the user's language (checks.c's
 * status_word); the mark column says it once. */
static const char *without_verdict(const char *text)
{
    const char *const words[] = {_("PASS"), _("FAIL"), _("WARN"), "PASS", "FAIL", "WARN", "OK"};
    for (size_t i = 0; i < ARRAY_LEN(words); i++) {
        size_t n = strlen(words[i]);
        if (strncmp(text, words[i], n) == 0 && text[n] == ' ')
            return text + n + 1;
    }
    return text;
}

/* The text a record shows, wrapped to w columns; returns its line count. */
static int wrap_record(const struct run_line *l, bool checks_style, int w, struct strbuf *out)
{
    sb_reset(out);
    return dr_wrap(checks_style ? without_verdict(l->text) : l->text, w, out);
}

/* Draws one record's wrapped lines from line `skip` on, at most h; the mark goes on the first
 * line drawn. Returns the lines drawn. */
static int draw_record(const struct run_line *l, const char *wrapped, int skip, int y, int x, int w,
                       int h, bool checks_style)
{
    int mark_w = checks_style ? 7 : 2;
    attr_t a = line_attr(l);
    attr_t mark_attr = checks_style && l->kind == REC_MESSAGE ? ui_attr(UA_OK) : a;
    int drawn = 0;
    for (int i = 0; drawn < h; i++) {
        size_t len = strcspn(wrapped, "\n");
        if (i >= skip) {
            if (drawn == 0) /* a record whose first lines scrolled away says so: "…" */
                dr_text(y, x, mark_w, skip > 0 ? ui_sym(SYM_ELLIPSIS) : line_mark(l, checks_style),
                        mark_attr);
            char *copy = xstrndup(wrapped, len);
            dr_text(y + drawn, x + mark_w, w - mark_w, copy, a);
            free(copy);
            drawn++;
        }
        if (!wrapped[len])
            break;
        wrapped += len + 1;
    }
    return drawn;
}

void runview_full_text(const struct run_view *rv, bool checks_style, struct strbuf *out)
{
    for (size_t i = 0; i < rv->count; i++) {
        const struct run_line *l = runview_line(rv, i);
        const char *mark = line_mark(l, checks_style);
        sb_printf(out, "%s%s%s\n", mark, *mark && strcmp(mark, " ") != 0 ? " " : "",
                  checks_style ? without_verdict(l->text) : l->text);
    }
    if (rv->count == 0)
        sb_append(out, _("Nothing has been logged yet."));
}

/* Whole records, wrapped: the newest (less the scroll) at the bottom, older ones above as far
 * as they fit; the oldest shown may lose its first lines. */
void runview_draw_log(const struct run_view *rv, int y, int x, int w, int h, bool checks_style)
{
    if (h <= 0 || rv->count == 0)
        return;
    int tw = w - (checks_style ? 7 : 2);
    size_t scroll = (size_t)rv->scroll < rv->count ? (size_t)rv->scroll : rv->count - 1;
    size_t end = rv->count - scroll, start = end;
    int total = 0;
    struct strbuf wrapped = {0};
    while (start > 0 && total < h)
        total += wrap_record(runview_line(rv, --start), checks_style, tw, &wrapped);
    int skip = total > h ? total - h : 0;
    for (size_t i = start; i < end && h > 0; i++) {
        const struct run_line *l = runview_line(rv, i);
        wrap_record(l, checks_style, tw, &wrapped);
        int n = draw_record(l, sb_str(&wrapped), skip, y, x, w, h, checks_style);
        skip = 0;
        y += n;
        h -= n;
    }
    sb_free(&wrapped);
}
