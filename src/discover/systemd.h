/* The systemd side: `systemctl show/start/stop/is-active` for the NixOS Immich units,
 * always through the plan's systemctl_command. */
#ifndef IM_SYSTEMD_H
#define IM_SYSTEMD_H

#include "discover/inspect.h"
#include "plan.h"
#include "report.h"

#define UNIT_SERVER "immich-server.service"
#define UNIT_ML "immich-machine-learning.service"

/* `systemctl show UNIT [-p PROPS]` (props NULL = all). Returns 0 or -1 (err). */
int systemd_show(const struct plan *p, const char *unit, const char *props, struct unit_info *ui,
                 const struct reporter *rep, struct strbuf *err);
/* `systemctl VERB immich-server.service immich-machine-learning.service`. */
int systemd_both(const struct plan *p, const char *verb, const struct reporter *rep,
                 struct strbuf *err);

/* What `systemctl show UNIT -p ActiveState,SubState,NRestarts` says. */
struct unit_state {
    char active[32]; /* "active", "activating", "failed", ...; "" when not said */
    char sub[32];    /* "running", "auto-restart", ... */
    long restarts;   /* NRestarts: automatic restarts since the last start; -1 unknown */
};
int systemd_state(const struct plan *p, const char *unit, const struct reporter *rep,
                  struct unit_state *st, struct strbuf *err);
/* Parses that output (outside input: odd values are left unknown). */
void unit_state_parse(struct unit_state *st, const char *text);

/* Seconds to wait for units and for Immich to answer: IMMICH_MIGRATE_WAIT_TIMEOUT, else
 * fallback. */
double wait_timeout(double fallback);

/* Sleeps up to `seconds` in small steps; returns false when the user cancelled. */
bool sleep_cancellable(const struct reporter *rep, double seconds);

#endif
