/* The final words of a migration: what was moved, where the log and backups are, and how to
 * remove the old Docker installation once the user is satisfied. */
#ifndef IM_SUMMARY_H
#define IM_SUMMARY_H

#include "discover/verify.h"
#include "plan.h"

/* What the summary tells besides the plan; every pointer may be NULL (not known) and every
 * path "" (none). */
struct summary_facts {
    const struct verify_result *res; /* what the verify stage counted; NULL: it did not run */
    double duration_seconds;         /* since the migration started */
    bool downtime_known;             /* Immich has been stopped and started again */
    double downtime_seconds;         /* from the end of Stop Docker to the end of Start Immich */
    const char *log_path;
    const char *archive_path;   /* the library archive */
    const char *base_path;      /* the base archive archive_path (a catch-up) completes */
    const char *dump_path;      /* the database dump */
    const char *nixos_file;     /* the services.immich settings, written out */
    const char *review_command; /* how to browse the log later */
};

/* Appends the counts, the time, where the library, backups, log and NixOS settings are, and the
 * next steps (remove the Docker installation when satisfied, keep the backups until then). */
void migration_summary(const struct plan *p, const struct summary_facts *f, struct strbuf *out);

#endif
