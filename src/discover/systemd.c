#include "discover/systemd.h"
#include "sys/spawn.h"

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

int systemd_both(const struct plan *p, const char *verb, const struct reporter *rep,
                 struct strbuf *err)
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

bool systemd_is_active(const struct plan *p, const char *unit, const struct reporter *rep)
{
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(p, PLAN_systemctl_command));
    argv_add(&a, "is-active");
    argv_add(&a, unit);
    struct strbuf out = {0};
    int rc = run_capture(rep, argv_get(&a), &out, 4096, NULL);
    argv_free(&a);
    bool active = rc == 0 && strncmp(sb_str(&out), "active", 6) == 0;
    sb_free(&out);
    return active;
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
