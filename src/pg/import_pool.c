/* Worker connections for the parallel steps: one thread per connection, one job at a time.
 * Only the main thread talks to the reporter; workers leave their results in the job. */
#include "common.h"
#include "pg/import_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct worker {
    struct pool *pool;
    pthread_t thread;
    bool started;
    PGconn *conn;
    struct import_job *job; /* assigned, running */
    bool done;              /* job finished, not collected yet */
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work, finished;
    bool quit;
    int n;
    struct worker *w;
    char *dsn;
    char *dbname;
    char **session;
    size_t nsession;
    bool failed;
    struct strbuf failure;
    struct import_tuning tune;
    pool_rows_cb rows_cb;
    void *rows_ud;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pool *p = w->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && (!w->job || w->done))
            pthread_cond_wait(&p->work, &p->mu);
        if (p->quit)
            break;
        struct import_job *job = w->job;
        pthread_mutex_unlock(&p->mu);
        import_run_job(w->conn, job);
        pthread_mutex_lock(&p->mu);
        w->done = true;
        pthread_cond_broadcast(&p->finished);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct pool *pool_new(int workers, const char *dsn)
{
    struct pool *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->finished, NULL);
    p->n = workers;
    p->w = xcalloc((size_t)workers, sizeof *p->w);
    for (int i = 0; i < workers; i++)
        p->w[i].pool = p;
    p->dsn = xstrdup(dsn);
    return p;
}

void pool_set_tuning(struct pool *p, const struct import_tuning *t)
{
    p->tune = *t;
}

void pool_on_rows(struct pool *p, pool_rows_cb cb, void *ud)
{
    p->rows_cb = cb;
    p->rows_ud = ud;
}

static void disconnect_all(struct pool *p)
{
    for (int i = 0; i < p->n; i++) {
        PQfinish(p->w[i].conn);
        p->w[i].conn = NULL;
    }
}

static void forget_session(struct pool *p)
{
    for (size_t i = 0; i < p->nsession; i++)
        free(p->session[i]);
    free(p->session);
    p->session = NULL;
    p->nsession = 0;
}

void pool_set_database(struct pool *p, const char *dbname)
{
    disconnect_all(p);
    forget_session(p);
    free(p->dbname);
    p->dbname = dbname ? xstrdup(dbname) : NULL;
}

static int exec_ok(PGconn *conn, const char *sql, struct strbuf *err)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : -1;
    if (rc < 0)
        sb_printf(err, _("a worker connection could not repeat a session setting: %s"),
                  PQresultErrorMessage(res));
    PQclear(res);
    return rc;
}

int pool_replay(struct pool *p, const char *stmt, struct strbuf *err)
{
    p->session = xrealloc(p->session, (p->nsession + 1) * sizeof *p->session);
    p->session[p->nsession++] = xstrdup(stmt);
    for (int i = 0; i < p->n; i++)
        if (p->w[i].conn && exec_ok(p->w[i].conn, stmt, err) < 0)
            return -1;
    return 0;
}

static int connect_worker(struct pool *p, struct worker *w, struct strbuf *err)
{
    w->conn = import_connect(p->dsn, p->dbname, err);
    if (!w->conn)
        return -1;
    /* our workers already build indexes side by side: no server workers on top of them */
    if (import_tune_apply(w->conn, &p->tune, 0, err) < 0)
        return -1;
    for (size_t i = 0; i < p->nsession; i++)
        if (exec_ok(w->conn, p->session[i], err) < 0)
            return -1;
    if (!w->started) {
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            sb_append(err, _("cannot start a worker thread"));
            return -1;
        }
        w->started = true;
    }
    return 0;
}

/* Hands finished jobs' results to the reporter. Called with the lock held. */
static void collect(struct pool *p, const struct reporter *rep)
{
    for (int i = 0; i < p->n; i++) {
        struct worker *w = &p->w[i];
        if (!w->job || !w->done)
            continue;
        struct import_job *job = w->job;
        if (job->failed) {
            if (!p->failed) {
                p->failed = true;
                sb_append(&p->failure, sb_str(&job->report));
            }
        } else {
            struct record rec = RECORD_INIT(REC_SQL, job->stmt);
            rec.duration = job->duration;
            if (job->is_copy) {
                rec.rows = job->rows_done;
                rec.bytes = (int64_t)job->length;
                if (p->rows_cb)
                    p->rows_cb(p->rows_ud, job->table, (uint64_t)job->rows_done);
            }
            report_record(rep, &rec);
        }
        import_job_free(job);
        w->job = NULL;
        w->done = false;
    }
}

static bool conflicts(const struct pool *p, const struct import_job *job)
{
    for (int i = 0; i < p->n; i++) {
        const struct import_job *o = p->w[i].job;
        if (o && !p->w[i].done && strcmp(o->table, job->table) == 0 && (o->exclusive || job->exclusive))
            return true;
    }
    return false;
}

int pool_submit(struct pool *p, struct import_job *job, const struct reporter *rep, struct strbuf *err)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        collect(p, rep);
        if (p->failed)
            break;
        struct worker *free_w = NULL;
        if (!conflicts(p, job))
            for (int i = 0; i < p->n && !free_w; i++)
                if (!p->w[i].job)
                    free_w = &p->w[i];
        if (free_w) {
            if (!free_w->conn) {
                pthread_mutex_unlock(&p->mu);
                int rc = connect_worker(p, free_w, err);
                pthread_mutex_lock(&p->mu);
                if (rc < 0) {
                    PQfinish(free_w->conn);
                    free_w->conn = NULL;
                    pthread_mutex_unlock(&p->mu);
                    import_job_free(job);
                    pool_drain(p, rep, err);
                    return -1;
                }
            }
            free_w->job = job;
            free_w->done = false;
            pthread_cond_broadcast(&p->work);
            pthread_mutex_unlock(&p->mu);
            return 0;
        }
        pthread_cond_wait(&p->finished, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    import_job_free(job);
    pool_drain(p, rep, err);
    return -1;
}

int pool_drain(struct pool *p, const struct reporter *rep, struct strbuf *err)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        collect(p, rep);
        bool busy = false;
        for (int i = 0; i < p->n; i++)
            busy |= p->w[i].job != NULL;
        if (!busy)
            break;
        pthread_cond_wait(&p->finished, &p->mu);
    }
    int rc = 0;
    if (p->failed) {
        if (!err->len)
            sb_append(err, sb_str(&p->failure));
        rc = -1;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void pool_free(struct pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++)
        if (p->w[i].started)
            pthread_join(p->w[i].thread, NULL);
    for (int i = 0; i < p->n; i++)
        import_job_free(p->w[i].job);
    disconnect_all(p);
    forget_session(p);
    free(p->w);
    free(p->dsn);
    free(p->dbname);
    sb_free(&p->failure);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->finished);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
