/* Discovery plus pre-flight checks, shared by the "discover" stage and `immich-migrate check`.
 *
 * What discovery finds is handed on to later stages as artifacts (stages/artifact.h lists
 * them with their types and encodings). */
#ifndef IM_PREFLIGHT_H
#define IM_PREFLIGHT_H

#include "discover/checks.h"
#include "discover/discover.h"

/* Discovers source and target, runs every check, and (when state_dir is set) scans the
 * source's paths for files already missing. write_dangling false = count only (dry run).
 * Returns the number of failed checks. */
int preflight_run(struct plan *p, const char *state_dir, bool write_dangling,
                  const struct reporter *rep, struct discovery *d, struct check_list *checks);

/* "a\nb\n" -> "a,b" (malloc'd). */
char *list_to_commas(const char *list);

#endif
