/* Preparing the NixOS database for the dump: what the guide's SQL block does, adapted to the
 * extensions the dump uses, with every check done before anything is dropped. */
#ifndef IM_DB_PREPARE_H
#define IM_DB_PREPARE_H

#include "common.h"
#include "report.h"

struct prepare_request {
    const char *dsn;         /* target_dsn (superuser) */
    const char *dbname;      /* target_db_name */
    const char *owner;       /* target_db_owner */
    char *const *extensions; /* what the dump creates */
    size_t nextensions;
    int dump_server_major; /* "Dumped from database version" major, 0 unknown */
    bool dry_run;          /* report the SQL, change nothing */
    bool assume_yes;       /* batch --yes: no confirmation asked */
};

/* Returns 0 done, 1 failed or refused (reason in err), 2 cancelled. */
int db_prepare_run(const struct prepare_request *rq, const struct reporter *rep, struct strbuf *err);

/* The SQL that would run (one statement per line), for previews: identifiers quoted the
 * simple way, without a connection. */
void db_prepare_preview(const struct prepare_request *rq, struct strbuf *out);

#endif
