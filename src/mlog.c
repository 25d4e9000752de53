#include "mlog.h"
#include "redact.h"
#include "textesc.h"
#include "sys/atomic_file.h"
#include "sys/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MLOG_MAGIC "# immich-migrate log 1\n"

struct mlog {
    int fd;
    pthread_mutex_t lock;
};

struct mlog *mlog_open(const char *dir, struct strbuf *err)
{
    if (make_private_dir(dir, err) < 0)
        return NULL;
    char *path = xasprintf("%s/%s", dir, MLOG_FILE);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool fresh = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        sb_printf(err, _("cannot open the log %s: %s"), path, strerror(errno));
        free(path);
        return NULL;
    }
    free(path);
    if (fresh && write(fd, MLOG_MAGIC, strlen(MLOG_MAGIC)) < 0) {
        sb_printf(err, _("cannot write the log: %s"), strerror(errno));
        close(fd);
        return NULL;
    }
    struct mlog *log = xcalloc(1, sizeof *log);
    log->fd = fd;
    pthread_mutex_init(&log->lock, NULL);
    return log;
}

void mlog_close(struct mlog *log)
{
    if (!log)
        return;
    fsync(log->fd);
    close(log->fd);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

void mlog_write(struct mlog *log, const char *stage, const struct record *rec)
{
    if (!log)
        return;
    struct strbuf text = {0};
    if (rec->argv)
        argv_format(rec->argv, &text);
    else
        sb_append(&text, rec->text);
    char *redacted = redact_dup(sb_str(&text));
    char *safe = ctl_escape_dup(redacted, true); /* the report prints it on a terminal */
    free(redacted);
    struct strbuf line = {0};
    sb_printf(&line, "%lld\t", (long long)now_wall());
    tsv_escape(stage ? stage : "", &line);
    sb_printf(&line, "\t%s\t%d\t%.3f\t%lld\t%lld\t", record_kind_name(rec->kind), rec->exit_status,
              rec->duration, (long long)rec->bytes, (long long)rec->rows);
    tsv_escape(safe, &line);
    sb_append_char(&line, '\n');
    /* One write per record on an O_APPEND fd: records never interleave. */
    pthread_mutex_lock(&log->lock);
    ssize_t n = write(log->fd, line.buf, line.len);
    (void)n;
    pthread_mutex_unlock(&log->lock);
    free(safe);
    sb_free(&text);
    sb_free(&line);
}

/* Appends the records of text (whole lines) to out. */
static void parse_lines(const char *cur, struct mlog_entries *out, size_t *cap)
{
    while (*cur) {
        size_t n = strcspn(cur, "\n");
        char *line = xstrndup(cur, n);
        cur += n + (cur[n] == '\n');
        char *f[8] = {0};
        size_t nf = line[0] == '#' ? 0 : tsv_split(line, f, 8);
        if (nf == 8 && record_kind_from_name(f[2]) >= 0) {
            if (out->n == *cap) {
                *cap = *cap ? *cap * 2 : 64;
                out->v = xrealloc(out->v, *cap * sizeof *out->v);
            }
            struct mlog_entry *e = &out->v[out->n++];
            e->time = strtoll(f[0], NULL, 10);
            e->stage = f[1];
            f[1] = NULL;
            e->kind = (enum record_kind)record_kind_from_name(f[2]);
            e->exit_status = atoi(f[3]);
            e->duration = strtod(f[4], NULL);
            e->bytes = strtoll(f[5], NULL, 10);
            e->rows = strtoll(f[6], NULL, 10);
            e->text = f[7];
            f[7] = NULL;
        }
        for (size_t i = 0; i < nf; i++)
            free(f[i]);
        free(line);
    }
}

int mlog_read(const char *dir, struct mlog_entries *out, struct strbuf *err)
{
    out->v = NULL;
    out->n = 0;
    char *path = xasprintf("%s/%s", dir, MLOG_FILE);
    struct strbuf text = {0};
    if (read_small_file(path, &text) < 0) {
        sb_printf(err, _("cannot read the log %s: %s"), path, strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    size_t cap = 0;
    parse_lines(sb_str(&text), out, &cap);
    sb_free(&text);
    return 0;
}

int mlog_read_new(const char *dir, uint64_t *offset, size_t max_bytes, struct mlog_entries *out,
                  struct strbuf *err)
{
    out->v = NULL;
    out->n = 0;
    char *path = xasprintf("%s/%s", dir, MLOG_FILE);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) < 0) {
        sb_printf(err, _("cannot read the log %s: %s"), path, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(path);
        return -1;
    }
    free(path);
    uint64_t size = (uint64_t)sb.st_size, from = *offset;
    bool partial_first = false; /* starting inside the file: its first line may be cut */
    if (from > size)
        from = 0; /* a new log */
    if (size - from > max_bytes) {
        from = size - max_bytes;
        partial_first = true;
    }
    size_t len = (size_t)(size - from);
    char *buf = xmalloc(len + 1);
    ssize_t n = len ? pread(fd, buf, len, (off_t)from) : 0;
    close(fd);
    len = n > 0 ? (size_t)n : 0;
    buf[len] = '\0';
    /* Only whole lines: a record being written now is read next time. */
    char *end = memrchr(buf, '\n', len);
    char *start = buf;
    if (partial_first && end) {
        char *nl = memchr(buf, '\n', len);
        start = nl + 1;
    }
    if (end) {
        end[1] = '\0';
        *offset = from + (uint64_t)(end + 1 - buf);
        size_t cap = 0;
        parse_lines(start, out, &cap);
    }
    free(buf);
    return 0;
}

void mlog_entries_free(struct mlog_entries *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].stage);
        free(e->v[i].text);
    }
    free(e->v);
    e->v = NULL;
    e->n = 0;
}
