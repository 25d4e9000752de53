#include "discover/systemd.h"
#include "sys/spawn.h"
#include "textesc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int systemd_show(const struct plan *p, const char *unit, const char *props, struct unit_info *ui,
                 const struct reporter *rep, struct strbuf *err)
{
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(p, PLAN_systemctl_command));
    argv_add(&a, "show");
    argv_add(&a, unit);
    if (props) {
        argv_add(&a, "-p");
        argv_add(&a, props);
    }
    struct strbuf out = {0}, errout = {0};
    int rc = run_capture(rep, argv_get(&a), &out, 1024 * 1024, &errout);
    argv_free(&a);
    *ui = (struct unit_info){0};
    if (rc != 0)
        sb_printf(err, _("systemctl show %s failed (exit %d): %s"), unit, rc, sb_str(&errout));
    else
        unit_info_parse(ui, sb_str(&out));
    sb_free(&out);
    sb_free(&errout);
    return rc == 0 ? 0 : -1;
}

int systemd_both(const struct plan *p, const char *verb, const struct reporter *rep, struct strbuf *err)
{
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(p, PLAN_systemctl_command));
    argv_add(&a, verb);
    argv_add(&a, UNIT_SERVER);
    argv_add(&a, UNIT_ML);
    struct strbuf errout = {0};
    int rc = run_capture(rep, argv_get(&a), NULL, 0, &errout);
    argv_free(&a);
    if (rc != 0) {
        while (errout.len && errout.buf[errout.len - 1] == '\n')
            errout.buf[--errout.len] = '\0';
        sb_printf(err, _("systemctl %s failed (exit %d): %s"), verb, rc, sb_str(&errout));
    }
    sb_free(&errout);
    return rc == 0 ? 0 : -1;
}

/* Copies a state word ("auto-restart") if it is one: lower-case letters and dashes. */
static void state_word(char *dst, size_t size, const char *v, size_t n)
{
    if (n == 0 || n >= size || strspn(v, "abcdefghijklmnopqrstuvwxyz-") < n)
        return;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

void unit_state_parse(struct unit_state *st, const char *text)
{
    *st = (struct unit_state){.restarts = -1};
    for (const char *l = text; *l;) {
        size_t n = strcspn(l, "\n");
        const char *eq = memchr(l, '=', n);
        if (eq) {
            size_t kn = (size_t)(eq - l), vn = n - kn - 1;
            const char *v = eq + 1;
            if (kn == 11 && strncmp(l, "ActiveState", kn) == 0)
                state_word(st->active, sizeof st->active, v, vn);
            else if (kn == 8 && strncmp(l, "SubState", kn) == 0)
                state_word(st->sub, sizeof st->sub, v, vn);
            else if (kn == 9 && strncmp(l, "NRestarts", kn) == 0 && vn && vn < 10 &&
                     strspn(v, "0123456789") >= vn)
                st->restarts = strtol(v, NULL, 10);
        }
        l += n;
        if (*l)
            l++;
    }
}

int systemd_state(const struct plan *p, const char *unit, const struct reporter *rep,
                  struct unit_state *st, struct strbuf *err)
{
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(p, PLAN_systemctl_command));
    argv_add(&a, "show");
    argv_add(&a, unit);
    argv_add(&a, "-p");
    argv_add(&a, "ActiveState,SubState,NRestarts");
    struct strbuf out = {0}, errout = {0};
    int rc = run_capture(rep, argv_get(&a), &out, 64 * 1024, &errout);
    argv_free(&a);
    unit_state_parse(st, rc == 0 ? sb_str(&out) : "");
    if (rc != 0) {
        while (errout.len && errout.buf[errout.len - 1] == '\n')
            errout.buf[--errout.len] = '\0';
        struct strbuf safe = {0};
        text_escape_line(sb_str(&errout), &safe);
        sb_printf(err, _("systemctl show %s failed (exit %d): %s"), unit, rc, sb_str(&safe));
        sb_free(&safe);
    }
    sb_free(&out);
    sb_free(&errout);
    return rc == 0 ? 0 : -1;
}

double wait_timeout(double fallback)
{
    const char *e = getenv("IMMICH_MIGRATE_WAIT_TIMEOUT");
    if (e && *e) {
        char *end;
        double v = strtod(e, &end);
        if (*end == '\0' && v > 0)
            return v;
    }
    return fallback;
}

bool sleep_cancellable(const struct reporter *rep, double seconds)
{
    double until = now_monotonic() + seconds;
    while (now_monotonic() < until) {
        if (report_cancelled(rep))
            return false;
        double left = until - now_monotonic();
        if (left > 0.1)
            left = 0.1;
        if (left <= 0)
            break;
        struct timespec ts = {0, (long)(left * 1e9)};
        nanosleep(&ts, NULL);
    }
    return !report_cancelled(rep);
}
