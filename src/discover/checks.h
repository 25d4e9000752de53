/* The pre-flight checks: each a pass/fail line and, when it fails, what to do. A failed check
 * stops the migration before anything changes. WARN lines do not stop it. */
#ifndef IM_CHECKS_H
#define IM_CHECKS_H

#include "discover/discover.h"

enum check_status { CHECK_PASS, CHECK_WARN, CHECK_FAIL };

struct check {
    const char *name; /* translated title */
    enum check_status status;
    char *detail; /* what was found */
    char *fix;    /* what to do (FAIL/WARN), may be NULL */
};

struct check_list {
    struct check *v;
    size_t n;
};

void check_list_free(struct check_list *l);
int check_list_failures(const struct check_list *l);

/* Every check on the source and the target. state_dir is where the lock lives. */
void checks_run(const struct discovery *d, const struct plan *p, const char *state_dir,
                struct check_list *out);
/* Only the checks that need the NixOS units and PostgreSQL (version, media location,
 * extensions, superuser, media owner): run again by the NixOS stage once the units exist. When
 * require_target is true, a target that is not there yet fails instead of warning. */
void checks_target(const struct discovery *d, const struct plan *p, bool require_target,
                   struct check_list *out);

/* One record per check (REC_MESSAGE for pass, REC_WARNING, REC_ERROR for fail). */
void checks_report(const struct check_list *l, const struct reporter *rep);
/* "PASS  name: detail" lines, with "      -> fix" under failures and warnings. */
void checks_format(const struct check_list *l, struct strbuf *out);

#endif
