/* Pieces shared by the importer's files (not a public interface). */
#ifndef IM_IMPORT_INT_H
#define IM_IMPORT_INT_H

#include "common.h"
#include "report.h"
#include "pg/pg_report.h"
#include "pg/dump_walker.h"
#include "pg/sql_input.h"
#include "pg/sql_classify.h"
#include "pg/sql_meta.h"

#include <libpq-fe.h>

struct pg_import_options; /* pg/importer.h */

/* Connects with dsn, dbname replacing the DSN's when not NULL, with synchronous_commit off
 * (index-build settings: import_tune_apply). */
PGconn *import_connect(const char *dsn, const char *dbname, struct strbuf *err);

/* The index-build settings of every import session, sized once from the target's memory. */
struct import_tuning {
    long long default_kb; /* the session's maintenance_work_mem before ours */
    long long mwm_kb;     /* ours: >= default_kb, at most 2 GiB */
    int par_workers;      /* max_parallel_maintenance_workers for the serial path; -1 = keep */
    bool local;           /* the server runs on this machine */
    char why[160];        /* how mwm_kb was chosen, for the log */
};
/* On a fresh session (before any SET): maintenance_work_mem = a quarter of this machine's
 * MemAvailable when the server is local (Unix socket or loopback), else the server's
 * shared_buffers, divided by jobs, capped at 2 GiB, never below the server's own value.
 * max_parallel_maintenance_workers = CPUs - 1 (at most 4) when the server is local and
 * /dev/shm has room for twice that memory, else 0. */
void import_tune(PGconn *conn, int jobs, struct import_tuning *t);
/* SETs t's maintenance_work_mem (when above the default) and par_workers (when >= 0). */
int import_tune_apply(PGconn *conn, const struct import_tuning *t, int par_workers, struct strbuf *err);

/* What the safety scan learned about the file. */
struct scan_summary {
    bool allows_transaction; /* no \connect, CREATE DATABASE, VACUUM, ROLLBACK… */
    char why_no_transaction[160];
    uint64_t statements;
    uint64_t copy_blocks;
    char **extensions; /* CREATE EXTENSION names, in file order */
    size_t nextensions;
};
void scan_summary_free(struct scan_summary *sum);

/* Reads the whole input once and refuses it (err, -1) when it holds a forbidden backslash
 * command, a \connect to another database or inside BEGIN…COMMIT, a broken \restrict pair,
 * a statement sql_policy_check refuses, an unterminated statement, COPY block or BEGIN, or a
 * pg_dump header without its closing comment. */
int import_prescan(struct sql_input *in, const char *current_db, const char *target_db,
                   bool std_strings, int encoding, struct scan_summary *sum, struct strbuf *err);

/* How the lexer reads what follows a statement: both passes follow the file's own SET lines
 * (never the server), so they split the file the same way; the load checks that the server
 * agrees after every statement. */
void import_model_apply(struct sql_lexer *lx, const struct stmt_info *info);

/* A piece of work for a parallel worker: one statement, or a COPY and its data (the byte
 * range [offset, offset+length) of fd). */
struct import_job {
    char *stmt;
    struct stmt_where where; /* where.stmt == stmt; file/object owned below */
    char *object;
    char table[256];
    bool exclusive; /* takes an exclusive lock on table (ADD CONSTRAINT) */
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
/* Settings every worker session gets (no server-side parallel workers: ours run side by side). */
void pool_set_tuning(struct pool *p, const struct import_tuning *t);
int pool_replay(struct pool *p, const char *stmt, struct strbuf *err);
/* Queues a job (ownership passes); waits for a free worker. Returns -1 when some job failed
 * (its report in err). */
int pool_submit(struct pool *p, struct import_job *job, const struct reporter *rep, struct strbuf *err);
/* Waits until every job finished. Returns -1 when one failed (report in err). */
int pool_drain(struct pool *p, const struct reporter *rep, struct strbuf *err);
/* Rows each finished COPY job loaded, handed back to the caller: table, rows. */
typedef void (*pool_rows_cb)(void *ud, const char *table, uint64_t rows);
void pool_on_rows(struct pool *p, pool_rows_cb cb, void *ud);
void pool_free(struct pool *p);

/* The state of one import (importer.c runs it; import_copy.c and import_verify.c help). */
struct table_rows {
    char *name;
    uint64_t rows;
};

struct importer {
    const struct pg_import_options *o;
    const struct reporter *rep;
    const char *file;
    struct sql_input in;
    struct dump_walker w;
    PGconn *conn;
    char *db;
    char *target_db;
    bool txn;
    bool in_block;  /* inside the file's own BEGIN … COMMIT */
    bool superuser; /* the session is a superuser's (import alone may be) */
    struct import_tuning tune;
    struct meta_rules rules;
    struct pool *pool;
    struct table_rows *tables;
    size_t ntables;
    uint64_t statements, rows;
    double last_progress;
};

/* Progress: bytes of the file, what runs now (throttled unless force). */
void import_progress(struct importer *im, bool force);
/* Rows a COPY loaded into table (also the pool's callback). */
void import_add_rows(void *ud, const char *table, uint64_t rows);
/* Where the statement the walker just returned sits in the file. */
struct stmt_where import_where_now(struct importer *im);
/* A REC_SQL record for sql, started at t0 (rows/bytes -1 when they do not apply). */
void import_record_sql(struct importer *im, const char *sql, double t0, int64_t rows, int64_t bytes);
/* A job for the statement the walker just returned. */
struct import_job *import_new_job(struct importer *im, const struct stmt_info *info);
/* COPY … FROM stdin and its data, on the main connection or through the pool. */
int import_copy_serial(struct importer *im, const struct stmt_info *info, struct strbuf *err);
int import_copy_parallel(struct importer *im, const struct stmt_info *info, struct strbuf *err);
/* Before anything runs: every extension the dump creates is there or can be created by this
 * session; else err names it and the NixOS setting that provides it. */
int import_check_extensions(struct importer *im, const struct scan_summary *sum, struct strbuf *err);
/* CREATE EXTENSION / COMMENT ON EXTENSION / DROP EXTENSION IF EXISTS (pg_dump --clean) as the
 * database owner: returns 1 when handled
 * (skipped and reported), 0 to run the statement as it is, -1 on error. */
int import_extension_stmt(struct importer *im, const struct stmt_info *info, struct strbuf *err);
/* ANALYZE and the row-count check. */
int import_verify(struct importer *im, struct strbuf *err);

#endif
