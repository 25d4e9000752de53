/* How work tells the world what it does. Stages and libraries (src/pg, src/sys, src/stages)
 * call these functions; they never print or draw themselves. Behind a reporter sits either
 * the worker's event queue (wizard), stderr (batch and stage subcommands), or nothing. */
#ifndef IM_REPORT_H
#define IM_REPORT_H

#include <stdbool.h>
#include <stdint.h>

/* X-macro: record kinds and their names in the log. */
#define RECORD_KINDS(X) \
    X(REC_MESSAGE, "message") \
    X(REC_COMMAND, "command") \
    X(REC_SQL, "sql") \
    X(REC_FILEOP, "file") \
    X(REC_WARNING, "warning") \
    X(REC_ERROR, "error") \
    X(REC_OVERRIDE, "override") /* a gate passed over by the user (stage.h) */

enum record_kind {
#define X(id, name) id,
    RECORD_KINDS(X)
#undef X
        REC_KIND_COUNT
};

const char *record_kind_name(enum record_kind kind);
/* Parses a name back; returns -1 when unknown. */
int record_kind_from_name(const char *name);

/* One entry of the migration log. Numbers are -1 where they do not apply. */
struct record {
    enum record_kind kind;
    const char *text;        /* message, SQL statement or file operation, never NULL */
    const char *const *argv; /* REC_COMMAND: the exact argv, NULL-terminated; else NULL */
    int exit_status;
    double duration; /* seconds */
    int64_t bytes;
    int64_t rows;
};

/* A record with every number set to "does not apply". */
#define RECORD_INIT(k, t) \
    { \
        .kind = (k), .text = (t), .argv = NULL, .exit_status = -1, .duration = -1, .bytes = -1, \
        .rows = -1 \
    }

/* Progress of the running step. unit is "bytes", "files", "rows", "entries", "statements"
 * (not translated: the UI formats it). total is 0 when unknown. */
struct progress {
    const char *unit;
    uint64_t done;
    uint64_t total;
    const char *current; /* what is being worked on now (a table, a file), may be NULL */
};

/* The unit's name in the user's language ("files" -> "Dateien"); an unknown unit as it is. */
const char *report_unit_label(const char *unit);

struct reporter {
    void (*on_record)(void *ud, const struct record *rec);
    void (*on_progress)(void *ud, const struct progress *p);
    bool (*is_cancelled)(void *ud);
    /* Asks the user to confirm a destructive step. When expected is non-NULL the user must
     * type exactly that text. Returns true when confirmed. */
    bool (*confirm)(void *ud, const char *question, const char *expected);
    void *ud;
};

/* Each function accepts a NULL reporter (and NULL callbacks) and then does nothing;
 * report_confirm then answers false, report_cancelled false. */
void report_record(const struct reporter *r, const struct record *rec);
void report_msg(const struct reporter *r, enum record_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void report_progress(const struct reporter *r, const char *unit, uint64_t done, uint64_t total,
                     const char *current);
bool report_cancelled(const struct reporter *r);
bool report_confirm(const struct reporter *r, const char *question, const char *expected);

/* A reporter for command-line use: records and throttled progress lines go to stderr
 * (one plain line each, prefixed with the stage name when set). assume_yes answers every
 * confirmation with yes (--yes); otherwise, with a terminal on stdin, the question is asked
 * there, and without one the answer is no. Cancellation follows SIGINT/SIGTERM/SIGHUP once
 * cli_signals_install() was called. */
struct cli_reporter_state {
    const char *stage;
    bool assume_yes;
    bool quiet_progress;
    double last_progress;
};
void cli_reporter_init(struct reporter *r, struct cli_reporter_state *st, const char *stage,
                       bool assume_yes);
void cli_signals_install(void);
/* The signal number that asked us to stop, or 0. */
int cli_stop_signal(void);

#endif
