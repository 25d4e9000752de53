/* The final words of a migration: what was moved, where the log and backups are, and how to
 * remove the old Docker installation once the user is satisfied. */
#ifndef IM_SUMMARY_H
#define IM_SUMMARY_H

#include "discover/verify.h"
#include "plan.h"

/* res may be NULL (verify did not run); log_path/backup_path may be NULL. */
void migration_summary(const struct plan *p, const struct verify_result *res, double duration_seconds,
                       const char *log_path, const char *backup_path, struct strbuf *out);

#endif
