#include "journal.h"
#include "textesc.h"
#include "sys/atomic_file.h"
#include "sys/safe_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define JOURNAL_FILE "journal"
#define LOCK_FILE "lock"
#define MAGIC "immich-migrate journal 1"

static const char *const status_names[] = {
#define X(id, name) name,
    STAGE_STATUSES(X)
#undef X
};

const char *stage_status_name(enum stage_status st)
{
    return (unsigned)st < ARRAY_LEN(status_names) ? status_names[st] : "?";
}

static int status_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(status_names); i++)
        if (strcmp(status_names[i], name) == 0)
            return (int)i;
    return -1;
}

struct stage_entry {
    char *id;
    enum stage_status status;
    int64_t when;
    char *reason;
};

struct artifact {
    char *key;
    char *value;
};

struct journal {
    pthread_mutex_t lock;
    char *dir;
    int64_t started;
    struct plan plan;
    struct stage_entry *stages;
    size_t nstages;
    struct artifact *artifacts;
    size_t nartifacts;
};

int journal_lock(const char *dir, struct strbuf *err)
{
    /* Others who can write here could rewrite the journal: its plan and its checksums. */
    if (safe_dir_make(_("the state directory"), dir, err) < 0)
        return -1;
    char *path = xasprintf("%s/%s", dir, LOCK_FILE);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        sb_printf(err, _("cannot open the lock file %s: %s"), path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        sb_printf(err, _("another immich-migrate (pid %s) is working on %s; wait for it or stop it"),
                  *buf ? buf : "?", dir);
        close(fd);
        free(path);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        sb_printf(err, _("cannot write the lock file %s: %s"), path, strerror(errno));
        close(fd);
        free(path);
        return -1;
    }
    free(path);
    /* A process killed while replacing one of the state directory's files (the journal, the
     * status, the NixOS settings, a copy record) left its temporary: whoever holds the lock
     * removes them. */
    remove_stale_temps(dir, NULL);
    return fd;
}

long journal_lock_holder(const char *dir)
{
    char *path = xasprintf("%s/%s", dir, LOCK_FILE);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(path);
    if (fd < 0)
        return 0;
    long pid = 0;
    /* A shared lock is refused exactly while someone holds the exclusive one. */
    if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        pid = strtol(buf, NULL, 10);
        if (pid <= 0)
            pid = -1;
    }
    close(fd);
    return pid;
}

void journal_unlock(int lock_fd)
{
    if (lock_fd >= 0) {
        if (ftruncate(lock_fd, 0) < 0) {
            /* nothing to do: the flock goes away with the fd anyway */
        }
        close(lock_fd);
    }
}

static struct journal *journal_alloc(const char *dir)
{
    struct journal *j = xcalloc(1, sizeof *j);
    pthread_mutex_init(&j->lock, NULL);
    j->dir = xstrdup(dir);
    return j;
}

struct journal *journal_create(const char *dir, const struct plan *p)
{
    struct journal *j = journal_alloc(dir);
    j->started = now_wall();
    plan_copy(&j->plan, p);
    return j;
}

void journal_free(struct journal *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->nstages; i++) {
        free(j->stages[i].id);
        free(j->stages[i].reason);
    }
    for (size_t i = 0; i < j->nartifacts; i++) {
        free(j->artifacts[i].key);
        free(j->artifacts[i].value);
    }
    free(j->stages);
    free(j->artifacts);
    plan_free(&j->plan);
    pthread_mutex_destroy(&j->lock);
    free(j->dir);
    free(j);
}

static struct stage_entry *find_stage(const struct journal *j, const char *id)
{
    for (size_t i = 0; i < j->nstages; i++)
        if (strcmp(j->stages[i].id, id) == 0)
            return &j->stages[i];
    return NULL;
}

static struct stage_entry *get_stage(struct journal *j, const char *id)
{
    struct stage_entry *e = find_stage(j, id);
    if (e)
        return e;
    j->stages = xrealloc(j->stages, (j->nstages + 1) * sizeof *j->stages);
    e = &j->stages[j->nstages++];
    e->id = xstrdup(id);
    e->status = ST_PENDING;
    e->when = 0;
    e->reason = xstrdup("");
    return e;
}

static void set_artifact_locked(struct journal *j, const char *key, const char *value)
{
    for (size_t i = 0; i < j->nartifacts; i++)
        if (strcmp(j->artifacts[i].key, key) == 0) {
            free(j->artifacts[i].value);
            j->artifacts[i].value = xstrdup(value);
            return;
        }
    j->artifacts = xrealloc(j->artifacts, (j->nartifacts + 1) * sizeof *j->artifacts);
    j->artifacts[j->nartifacts].key = xstrdup(key);
    j->artifacts[j->nartifacts].value = xstrdup(value);
    j->nartifacts++;
}

static int parse_journal(struct journal *j, const char *text, struct strbuf *err)
{
    const char *cur = text;
    size_t n = strcspn(cur, "\n");
    if (n != strlen(MAGIC) || strncmp(cur, MAGIC, n) != 0) {
        sb_printf(err, _("%s/journal: not an immich-migrate journal"), j->dir);
        return -1;
    }
    cur += n + (cur[n] == '\n');
    plan_init(&j->plan);
    while (*cur) {
        n = strcspn(cur, "\n");
        char *line = xstrndup(cur, n);
        cur += n + (cur[n] == '\n');
        if (strcmp(line, "plan") == 0) {
            free(line);
            if (plan_parse_snapshot(&j->plan, cur, err) < 0)
                return -1;
            break;
        }
        char *f[5] = {0};
        size_t nf = tsv_split(line, f, 5);
        int bad = 0;
        if (nf == 2 && strcmp(f[0], "started") == 0) {
            j->started = strtoll(f[1], NULL, 10);
        } else if (nf == 5 && strcmp(f[0], "stage") == 0 && status_from_name(f[2]) >= 0) {
            struct stage_entry *e = get_stage(j, f[1]);
            e->status = (enum stage_status)status_from_name(f[2]);
            e->when = strtoll(f[3], NULL, 10);
            free(e->reason);
            e->reason = xstrdup(f[4]);
        } else if (nf == 3 && strcmp(f[0], "artifact") == 0) {
            set_artifact_locked(j, f[1], f[2]);
        } else {
            sb_printf(err, _("%s/journal: malformed line \"%s\""), j->dir, line);
            bad = 1;
        }
        for (size_t i = 0; i < nf; i++)
            free(f[i]);
        free(line);
        if (bad)
            return -1;
    }
    return 0;
}

struct journal *journal_load(const char *dir, struct strbuf *err)
{
    char *path = xasprintf("%s/%s", dir, JOURNAL_FILE);
    struct strbuf text = {0};
    if (read_small_file(path, &text) < 0) {
        if (errno != ENOENT)
            sb_printf(err, _("cannot read %s: %s"), path, strerror(errno));
        free(path);
        sb_free(&text);
        return NULL;
    }
    free(path);
    struct journal *j = journal_alloc(dir);
    if (parse_journal(j, sb_str(&text), err) < 0) {
        journal_free(j);
        j = NULL;
    }
    sb_free(&text);
    return j;
}

int journal_save(struct journal *j, struct strbuf *err)
{
    struct strbuf out = {0};
    pthread_mutex_lock(&j->lock);
    sb_printf(&out, "%s\nstarted\t%lld\n", MAGIC, (long long)j->started);
    for (size_t i = 0; i < j->nstages; i++) {
        struct stage_entry *e = &j->stages[i];
        sb_append(&out, "stage\t");
        tsv_escape(e->id, &out);
        sb_printf(&out, "\t%s\t%lld\t", stage_status_name(e->status), (long long)e->when);
        tsv_escape(e->reason, &out);
        sb_append_char(&out, '\n');
    }
    for (size_t i = 0; i < j->nartifacts; i++) {
        sb_append(&out, "artifact\t");
        tsv_escape(j->artifacts[i].key, &out);
        sb_append_char(&out, '\t');
        tsv_escape(j->artifacts[i].value, &out);
        sb_append_char(&out, '\n');
    }
    sb_append(&out, "plan\n");
    plan_write(&j->plan, &out);
    char *path = xasprintf("%s/%s", j->dir, JOURNAL_FILE);
    pthread_mutex_unlock(&j->lock);
    int rc = atomic_write_file(path, out.buf, out.len, err);
    free(path);
    sb_free(&out);
    return rc;
}

int journal_archive(const char *dir, struct strbuf *err)
{
    char *path = xasprintf("%s/%s", dir, JOURNAL_FILE);
    char *old = xasprintf("%s/%s.%lld", dir, JOURNAL_FILE, (long long)now_wall());
    int rc = 0;
    if (rename(path, old) < 0 && errno != ENOENT) {
        sb_printf(err, _("cannot rename %s: %s"), path, strerror(errno));
        rc = -1;
    }
    free(path);
    free(old);
    return rc;
}

const struct plan *journal_plan(const struct journal *j)
{
    return &j->plan;
}

void journal_set_plan(struct journal *j, const struct plan *p)
{
    pthread_mutex_lock(&j->lock);
    struct plan copy;
    plan_copy(&copy, p);
    plan_free(&j->plan);
    j->plan = copy;
    pthread_mutex_unlock(&j->lock);
}

int64_t journal_started(const struct journal *j)
{
    return j->started;
}

enum stage_status journal_status(const struct journal *j, const char *stage_id)
{
    pthread_mutex_lock((pthread_mutex_t *)&j->lock);
    struct stage_entry *e = find_stage(j, stage_id);
    enum stage_status st = e ? e->status : ST_PENDING;
    pthread_mutex_unlock((pthread_mutex_t *)&j->lock);
    return st;
}

void journal_reason(const struct journal *j, const char *stage_id, struct strbuf *out)
{
    pthread_mutex_lock((pthread_mutex_t *)&j->lock);
    struct stage_entry *e = find_stage(j, stage_id);
    if (e)
        sb_append(out, e->reason);
    pthread_mutex_unlock((pthread_mutex_t *)&j->lock);
}

int64_t journal_when(const struct journal *j, const char *stage_id)
{
    pthread_mutex_lock((pthread_mutex_t *)&j->lock);
    struct stage_entry *e = find_stage(j, stage_id);
    int64_t when = e ? e->when : 0;
    pthread_mutex_unlock((pthread_mutex_t *)&j->lock);
    return when;
}

void journal_set_status(struct journal *j, const char *stage_id, enum stage_status st, const char *reason)
{
    pthread_mutex_lock(&j->lock);
    struct stage_entry *e = get_stage(j, stage_id);
    e->status = st;
    e->when = now_wall();
    free(e->reason);
    e->reason = xstrdup(reason ? reason : "");
    pthread_mutex_unlock(&j->lock);
}

char *journal_artifact(const struct journal *j, const char *key)
{
    char *v = NULL;
    pthread_mutex_lock((pthread_mutex_t *)&j->lock);
    for (size_t i = 0; i < j->nartifacts; i++)
        if (strcmp(j->artifacts[i].key, key) == 0)
            v = xstrdup(j->artifacts[i].value);
    pthread_mutex_unlock((pthread_mutex_t *)&j->lock);
    return v;
}

void journal_set_artifact(struct journal *j, const char *key, const char *value)
{
    pthread_mutex_lock(&j->lock);
    set_artifact_locked(j, key, value);
    pthread_mutex_unlock(&j->lock);
}

bool journal_unfinished(const struct journal *j, const char *const *stage_ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum stage_status st = journal_status(j, stage_ids[i]);
        if (st != ST_DONE && st != ST_SKIPPED)
            return true;
    }
    return false;
}
