#include "db/dump.h"
#include "docker_argv.h"
#include "sys/spawn.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define TAIL_KEEP 4096

static const char complete_line[] = "-- PostgreSQL database dump complete";

void db_dump_argv(const struct plan *p, struct argv_builder *a)
{
    docker_argv(p, a);
    argv_add(a, "exec");
    argv_add(a, plan_get(p, PLAN_db_container));
    argv_add(a, "pg_dump");
    /* One word each: a value starting with "-" can never be read as another option. */
    argv_addf(a, "--username=%s", plan_get(p, PLAN_db_username));
    argv_addf(a, "--dbname=%s", plan_get(p, PLAN_db_database_name));
}

void db_size_argv(const struct plan *p, struct argv_builder *a)
{
    docker_psql_argv(p, "SELECT pg_database_size(current_database())", false, a);
}

char *db_dump_default_path(const struct plan *p, bool compress)
{
    time_t t = (time_t)now_wall();
    struct tm tm;
    char stamp[32];
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    return xasprintf("%s/immich-%s.sql%s", plan_get(p, PLAN_backup_dir), stamp, compress ? ".zst" : "");
}

static bool line_ok_after_end(const char *l, size_t n)
{
    return n == 0 || (n == 2 && memcmp(l, "--", 2) == 0) ||
           (n > 12 && memcmp(l, "\\unrestrict ", 12) == 0);
}

bool db_dump_tail_complete(const char *text, size_t len)
{
    size_t cl = strlen(complete_line);
    const char *found = NULL;
    for (size_t i = 0; i + cl <= len; i++)
        if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, complete_line, cl) == 0 &&
            (i + cl == len || text[i + cl] == '\n'))
            found = text + i;
    if (!found)
        return false;
    const char *p = found + cl, *end = text + len;
    while (p < end) {
        if (*p == '\n')
            p++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (!line_ok_after_end(p, (size_t)(le - p)))
            return false;
        p = le;
    }
    return true;
}

static void keep_tail(struct strbuf *tail, const char *data, size_t n)
{
    if (n >= TAIL_KEEP) {
        sb_reset(tail);
        sb_append_len(tail, data + n - TAIL_KEEP, TAIL_KEEP);
        return;
    }
    sb_append_len(tail, data, n);
    if (tail->len > 2 * TAIL_KEEP) {
        size_t drop = tail->len - TAIL_KEEP;
        memmove(tail->buf, tail->buf + drop, tail->len - drop + 1);
        tail->len -= drop;
    }
}

bool db_dump_file_complete(const char *path, struct strbuf *err)
{
    struct dump_reader *r = dump_reader_open(path, err);
    if (!r)
        return false;
    char *buf = xmalloc(CHUNK);
    struct strbuf tail = {0};
    ssize_t n;
    while ((n = dump_reader_read(r, buf, CHUNK, err)) > 0)
        keep_tail(&tail, buf, (size_t)n);
    bool ok = n == 0 && db_dump_tail_complete(sb_str(&tail), tail.len);
    free(buf);
    sb_free(&tail);
    dump_reader_close(r);
    return ok;
}

/* pg_database_size through the container's psql; 0 when it cannot be had (progress then
 * shows bytes without a total). */
static uint64_t database_size(const struct plan *p, const struct reporter *rep)
{
    struct argv_builder a = {0};
    struct strbuf out = {0}, err = {0};
    db_size_argv(p, &a);
    int rc = run_capture(rep, argv_get(&a), &out, 256, &err);
    uint64_t size = rc == 0 ? strtoull(sb_str(&out), NULL, 10) : 0;
    if (rc != 0)
        report_msg(rep, REC_WARNING, _("cannot ask for the database size: %s"), sb_str(&err));
    argv_free(&a);
    sb_free(&out);
    sb_free(&err);
    return size;
}

struct pump {
    struct child c;
    struct dump_writer *w;
    struct strbuf stderr_tail, tail;
    uint64_t bytes;
    bool write_failed;
};

/* Moves pg_dump's stdout into the writer and keeps its stderr, until both pipes close. */
static int pump_output(struct pump *pm, const struct reporter *rep, uint64_t total, struct strbuf *err)
{
    char *buf = xmalloc(CHUNK);
    int rc = 0;
    while (pm->c.stdout_fd >= 0 || pm->c.stderr_fd >= 0) {
        struct pollfd fds[2] = {{pm->c.stdout_fd, POLLIN, 0}, {pm->c.stderr_fd, POLLIN, 0}};
        if (poll(fds, 2, 200) < 0 && errno != EINTR)
            break;
        if (report_cancelled(rep)) {
            kill(pm->c.pid, SIGTERM);
            sb_append(err, _("cancelled"));
            rc = -1;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(fds[i].fd, buf, CHUNK);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(fds[i].fd);
                *(i == 0 ? &pm->c.stdout_fd : &pm->c.stderr_fd) = -1;
                continue;
            }
            if (i == 1) {
                sb_append_len(&pm->stderr_tail, buf, (size_t)n);
                if (pm->stderr_tail.len > 65536) { /* keep the end: that is where errors are */
                    size_t drop = pm->stderr_tail.len - 65536;
                    memmove(pm->stderr_tail.buf, pm->stderr_tail.buf + drop, 65536 + 1);
                    pm->stderr_tail.len = 65536;
                }
                continue;
            }
            pm->bytes += (uint64_t)n;
            keep_tail(&pm->tail, buf, (size_t)n);
            if (!pm->write_failed && dump_writer_write(pm->w, buf, (size_t)n, err) < 0) {
                pm->write_failed = true;
                kill(pm->c.pid, SIGTERM);
                rc = -1;
            }
            report_progress(rep, "bytes", pm->bytes, total, NULL);
        }
    }
    free(buf);
    return rc;
}

static void command_record(const struct reporter *rep, struct argv_builder *a, int status,
                           double started, uint64_t bytes)
{
    struct strbuf text = {0};
    argv_format(argv_get(a), &text);
    struct record rec = RECORD_INIT(REC_COMMAND, sb_str(&text));
    rec.argv = argv_get(a);
    rec.exit_status = status;
    rec.duration = now_monotonic() - started;
    rec.bytes = (int64_t)bytes;
    report_record(rep, &rec);
    sb_free(&text);
}

int db_dump_run(const struct plan *p, const char *out_path, const struct reporter *rep,
                struct strbuf *err)
{
    uint64_t total = database_size(p, rep);
    struct pump pm = {0};
    /* Written under a temporary name: a dump killed midway never looks finished. */
    char *partial = xasprintf("%s.partial", out_path);
    pm.w = dump_writer_create(partial, dump_compression_for_name(out_path), 2, err);
    if (!pm.w) {
        free(partial);
        return -1;
    }
    struct argv_builder a = {0};
    db_dump_argv(p, &a);
    if (child_start(&pm.c, argv_get(&a), SPAWN_PIPE_STDOUT | SPAWN_PIPE_STDERR, err) < 0) {
        dump_writer_abort(pm.w);
        argv_free(&a);
        free(partial);
        return -1;
    }
    int rc = pump_output(&pm, rep, total, err);
    int status = child_wait(&pm.c);
    command_record(rep, &a, status, pm.c.started, pm.bytes);
    if (rc == 0 && status != 0) {
        sb_printf(err, _("pg_dump failed (exit status %d)"), status);
        rc = -1;
    } else if (rc == 0 && !db_dump_tail_complete(sb_str(&pm.tail), pm.tail.len)) {
        sb_append(err,
                  _("the dump is incomplete: it does not end with pg_dump's \"dump complete\" line"));
        rc = -1;
    }
    if (rc < 0 && pm.stderr_tail.len)
        sb_printf(err, ": %s", sb_str(&pm.stderr_tail));
    if (rc == 0)
        rc = dump_writer_finish(pm.w, true, err);
    else
        dump_writer_abort(pm.w);
    if (rc == 0 && link(partial, out_path) < 0) { /* link: never replaces an existing file */
        sb_printf(err, _("cannot create %s: %s"), out_path, strerror(errno));
        rc = -1;
    }
    if (rc == 0 || access(partial, F_OK) == 0)
        unlink(partial);
    free(partial);
    if (rc == 0)
        report_msg(rep, REC_FILEOP, _("wrote %s (%llu bytes of SQL)"), out_path,
                   (unsigned long long)pm.bytes);
    argv_free(&a);
    sb_free(&pm.stderr_tail);
    sb_free(&pm.tail);
    return rc;
}
