/* Session settings for index builds, sized from the target's memory (see import_int.h). */
#include "common.h"
#include "pg/import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define MWM_CAP_KB (2LL * 1024 * 1024) /* 2 GiB per session */
#define MAX_PAR_WORKERS 4

/* MemAvailable of this machine in kB, or -1. */
static long long mem_available_kb(void)
{
    FILE *f = fopen("/proc/meminfo", "re");
    if (!f)
        return -1;
    char line[256];
    long long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* Free space of /dev/shm in kB (parallel builds allocate their shared memory there), or -1. */
static long long shm_free_kb(void)
{
    struct statvfs st;
    if (statvfs("/dev/shm", &st) != 0)
        return -1;
    return (long long)((unsigned long long)st.f_bavail * st.f_frsize / 1024);
}

/* One row of: the session's maintenance_work_mem and shared_buffers in kB, and whether the
 * server is on this machine (Unix socket or loopback). */
static int ask_server(PGconn *conn, long long *mwm_kb, long long *sb_kb, bool *local)
{
    PGresult *res = PQexec(conn, "SELECT pg_catalog.pg_size_bytes(pg_catalog.current_setting("
                                 "'maintenance_work_mem')) / 1024, "
                                 "pg_catalog.pg_size_bytes(pg_catalog.current_setting('shared_buffers')) / "
                                 "1024, pg_catalog.inet_server_addr() IS NULL OR "
                                 "pg_catalog.inet_server_addr() << '127.0.0.0/8' OR "
                                 "pg_catalog.inet_server_addr() = '::1'");
    int rc = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        *mwm_kb = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        *sb_kb = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        *local = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
        rc = 0;
    }
    PQclear(res);
    return rc;
}

void import_tune(PGconn *conn, int jobs, struct import_tuning *t)
{
    memset(t, 0, sizeof *t);
    t->par_workers = -1;
    long long def_kb, sb_kb;
    if (ask_server(conn, &def_kb, &sb_kb, &t->local) < 0) {
        snprintf(t->why, sizeof t->why, "%s", _("the server's settings could not be read"));
        return;
    }
    t->default_kb = def_kb;
    if (jobs < 1)
        jobs = 1;
    /* Local: a quarter of the memory available now (Immich is stopped during the import);
     * remote: the server's shared_buffers, by convention a quarter of its memory. Shared by
     * the sessions that may build indexes at the same time. */
    long long avail = t->local ? mem_available_kb() : -1;
    long long budget = avail > 0 ? avail / 4 : sb_kb;
    long long kb = budget / jobs;
    if (kb > MWM_CAP_KB)
        kb = MWM_CAP_KB;
    if (kb < def_kb)
        kb = def_kb;
    t->mwm_kb = kb;
    snprintf(t->why, sizeof t->why,
             avail > 0 ? _("a quarter of MemAvailable %lld MiB over %d session(s), at most 2048 MiB")
                       : _("shared_buffers %lld MiB over %d session(s), at most 2048 MiB"),
             (avail > 0 ? avail : sb_kb) / 1024, jobs);
    /* Server-side parallel index builds for the serial path, only where we can see that the
     * server's /dev/shm holds their shared memory (pgvector's hnsw puts the whole graph,
     * maintenance_work_mem bytes, there). Remote: none (a container's /dev/shm is often 64 MB). */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    long long shm = t->local ? shm_free_kb() : -1;
    if (!t->local || ncpu < 2 || shm < 2 * kb)
        t->par_workers = 0;
    else
        t->par_workers = ncpu - 1 > MAX_PAR_WORKERS ? MAX_PAR_WORKERS : (int)(ncpu - 1);
}

int import_tune_apply(PGconn *conn, const struct import_tuning *t, int par_workers, struct strbuf *err)
{
    char sql[128];
    if (t->mwm_kb > t->default_kb) {
        snprintf(sql, sizeof sql, "SET maintenance_work_mem = '%lldkB'", t->mwm_kb);
        PGresult *res = PQexec(conn, sql);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            sb_printf(err, _("cannot set maintenance_work_mem: %s"), PQresultErrorMessage(res));
        PQclear(res);
        if (!ok)
            return -1;
    }
    if (par_workers >= 0) {
        snprintf(sql, sizeof sql, "SET max_parallel_maintenance_workers = %d", par_workers);
        PGresult *res = PQexec(conn, sql);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            sb_printf(err, _("cannot set max_parallel_maintenance_workers: %s"),
                      PQresultErrorMessage(res));
        PQclear(res);
        if (!ok)
            return -1;
    }
    return 0;
}
