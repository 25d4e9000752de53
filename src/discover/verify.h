/* Proof that the migrated Immich has what it needs: every file its database names exists
 * under the NixOS layout and belongs to media_owner, the .immich markers are there, and the
 * server's journal since the start shows no errors. Paths that were already dangling in the
 * Docker install (see paths.h) are reported apart, as a warning: only what the migration
 * lost fails. */
#ifndef IM_VERIFY_H
#define IM_VERIFY_H

#include "plan.h"
#include "report.h"

struct verify_result {
    uint64_t paths; /* paths listed in the database */
    uint64_t present;
    uint64_t missing;  /* lost by the migration: fails */
    uint64_t dangling; /* missing, but already missing in the source: warning */
    uint64_t wrong_owner;
    uint64_t bytes; /* size of the files present */
    uint64_t assets;
    int markers_missing;
    int journal_errors; /* -1 when the journal could not be read */
};

/* Is this a line Immich logs for an error? */
bool journal_line_is_error(const char *line);

/* Everything above; returns 0 (all good), 1 (something lost or journal errors), -1. */
int verify_all(const struct plan *p, const char *dangling_file, const char *since,
               const struct reporter *rep, struct verify_result *res, struct strbuf *err);

#endif
