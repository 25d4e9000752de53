/* Pieces shared by the importer's files (not a public interface). */
#ifndef IM_IMPORT_INT_H
#define IM_IMPORT_INT_H

#include "common.h"
#include "report.h"
#include "pg/pg_report.h"
#include "pg/sql_input.h"

#include <libpq-fe.h>

/* Connects with dsn, dbname replacing the DSN's when not NULL, and applies the import's
 * session settings (synchronous_commit off, a larger maintenance_work_mem). */
PGconn *import_connect(const char *dsn, const char *dbname, struct strbuf *err);

/* What the safety scan learned about the file. */
struct scan_summary {
    bool allows_transaction;  /* no \connect, CREATE DATABASE, VACUUM, BEGIN… */
    char why_no_transaction[160];
    uint64_t statements;
    uint64_t copy_blocks;
};

/* Reads the whole input once and refuses it (err, -1) when it holds a forbidden backslash
 * command, a \connect to another database, a broken \restrict pair, an unterminated
 * statement or COPY block, or a pg_dump header without its closing comment. */
int import_prescan(struct sql_input *in, const char *current_db, const char *target_db,
                   bool std_strings, int encoding, struct scan_summary *sum, struct strbuf *err);

/* A piece of work for a parallel worker: one statement, or a COPY and its data (the byte
 * range [offset, offset+length) of fd). */
struct import_job {
    char *stmt;
    struct stmt_where where; /* where.stmt == stmt; file/object owned below */
    char *object;
    char table[256];
    bool exclusive;          /* takes an exclusive lock on table (ADD CONSTRAINT) */
    bool is_copy;
    int fd;
    bool own_fd;
    uint64_t offset, length, rows_sent;
    bool check_rows;
    /* results */
    bool failed;
    struct strbuf report;
    double duration;
    int64_t rows_done;
};

void import_job_free(struct import_job *job);
/* Runs a COPY job's data from its fd on conn; on failure fills job->report. */
void import_run_job(PGconn *conn, struct import_job *job);

struct pool;
struct pool *pool_new(int workers, const char *dsn);
/* The database workers connect to, and the session statements they replay first. */
void pool_set_database(struct pool *p, const char *dbname);
int pool_replay(struct pool *p, const char *stmt, struct strbuf *err);
/* Queues a job (ownership passes); waits for a free worker. Returns -1 when some job failed
 * (its report in err). */
int pool_submit(struct pool *p, struct import_job *job, const struct reporter *rep,
                struct strbuf *err);
/* Waits until every job finished. Returns -1 when one failed (report in err). */
int pool_drain(struct pool *p, const struct reporter *rep, struct strbuf *err);
/* Rows each finished COPY job loaded, handed back to the caller: table, rows. */
typedef void (*pool_rows_cb)(void *ud, const char *table, uint64_t rows);
void pool_on_rows(struct pool *p, pool_rows_cb cb, void *ud);
void pool_free(struct pool *p);

#endif
