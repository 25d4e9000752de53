/* The migration log: append-only, one line per record, mode 0600, passwords redacted before
 * anything is written. Read back by --review and --report. */
#ifndef IM_MLOG_H
#define IM_MLOG_H

#include <stdio.h>

#include "common.h"
#include "report.h"

#define MLOG_FILE "migration.log"

struct mlog;

/* Opens (creating with 0600, O_EXCL the first time) DIR/migration.log for appending. */
struct mlog *mlog_open(const char *dir, struct strbuf *err);
void mlog_close(struct mlog *log);
/* Appends one record for stage (NULL = the program itself). Thread-safe; redacts. */
void mlog_write(struct mlog *log, const char *stage, const struct record *rec);

struct mlog_entry {
    int64_t time;
    char *stage; /* "" for the program itself */
    enum record_kind kind;
    int exit_status;
    double duration;
    int64_t bytes;
    int64_t rows;
    char *text; /* command line (shell-quoted argv), SQL, message */
};

struct mlog_entries {
    struct mlog_entry *v;
    size_t n;
};

/* Reads DIR/migration.log. Returns 0, or -1 with a message. */
int mlog_read(const char *dir, struct mlog_entries *out, struct strbuf *err);
/* Reads the records appended to DIR/migration.log since byte *offset (when more than max_bytes
 * are new, only the last max_bytes: a viewer wants the newest), whole lines only, and moves
 * *offset past them; a log shorter than *offset is read from its start. Returns 0, or -1 with
 * a message. */
int mlog_read_new(const char *dir, uint64_t *offset, size_t max_bytes, struct mlog_entries *out,
                  struct strbuf *err);
void mlog_entries_free(struct mlog_entries *e);

#endif
