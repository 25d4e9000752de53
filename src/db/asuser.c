#include "db/asuser.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

bool asuser_needed(const char *dsn)
{
    if (geteuid() != 0)
        return false;
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &perr);
    if (!opts) {
        PQfreemem(perr);
        return false;
    }
    bool socket = true; /* no host at all means the default socket */
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if ((strcmp(o->keyword, "host") == 0 || strcmp(o->keyword, "hostaddr") == 0) && o->val &&
            *o->val)
            socket = o->val[0] == '/' || o->val[0] == '@';
    PQconninfoFree(opts);
    return socket;
}

/* ---- the line protocol: one message per line, fields separated by tabs, escaped ---- */

static void put_escaped(struct strbuf *sb, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\')
            sb_append(sb, "\\\\");
        else if (*s == '\n')
            sb_append(sb, "\\n");
        else if (*s == '\t')
            sb_append(sb, "\\t");
        else
            sb_append_char(sb, *s);
    }
}

static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

struct child_side {
    FILE *to_parent;
    FILE *from_parent;
};

static void send_line(struct child_side *cs, struct strbuf *sb)
{
    sb_append_char(sb, '\n');
    fwrite(sb->buf, 1, sb->len, cs->to_parent);
    fflush(cs->to_parent);
    sb_free(sb);
}

static bool read_answer(struct child_side *cs)
{
    char line[8];
    return fgets(line, sizeof line, cs->from_parent) && line[0] == 'Y';
}

static void child_record(void *ud, const struct record *rec)
{
    struct strbuf sb = {0};
    sb_printf(&sb, "R\t%s\t%d\t%.6f\t%lld\t%lld\t", record_kind_name(rec->kind), rec->exit_status,
              rec->duration, (long long)rec->bytes, (long long)rec->rows);
    put_escaped(&sb, rec->text);
    send_line(ud, &sb);
}

static void child_progress(void *ud, const struct progress *p)
{
    struct strbuf sb = {0};
    sb_printf(&sb, "P\t%s\t%llu\t%llu\t", p->unit, (unsigned long long)p->done,
              (unsigned long long)p->total);
    put_escaped(&sb, p->current);
    send_line(ud, &sb);
}

static bool child_cancelled(void *ud)
{
    struct strbuf sb = {0};
    sb_append(&sb, "K");
    send_line(ud, &sb);
    return read_answer(ud);
}

static bool child_confirm(void *ud, const char *question, const char *expected)
{
    struct strbuf sb = {0};
    sb_append(&sb, expected ? "C\t1\t" : "C\t0\t");
    put_escaped(&sb, expected ? expected : "");
    sb_append_char(&sb, '\t');
    put_escaped(&sb, question);
    send_line(ud, &sb);
    return read_answer(ud);
}

/* The OS user to become, looked up in the parent: NSS lookups (getpwnam, the group database)
 * take locks and may load modules, which a child forked from a threaded program should not
 * do. The child then only makes the set*id system calls. */
struct os_user {
    uid_t uid;
    gid_t gid;
    gid_t *groups;
    int ngroups;
};

static int lookup_user(const char *user, struct os_user *u, struct strbuf *err)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        sb_printf(err, _("there is no OS user '%s'"), user);
        return -1;
    }
    u->uid = pw->pw_uid;
    u->gid = pw->pw_gid;
    u->ngroups = 16;
    u->groups = xmalloc(sizeof *u->groups * (size_t)u->ngroups);
    int n = u->ngroups;
    while (getgrouplist(pw->pw_name, pw->pw_gid, u->groups, &n) < 0) {
        u->ngroups = n > u->ngroups ? n : u->ngroups * 2;
        u->groups = xrealloc(u->groups, sizeof *u->groups * (size_t)u->ngroups);
        n = u->ngroups;
    }
    u->ngroups = n;
    return 0;
}

static int switch_user(const char *user, const struct os_user *u, struct strbuf *err)
{
    if (setgroups((size_t)u->ngroups, u->groups) < 0 || setgid(u->gid) < 0 || setuid(u->uid) < 0 ||
        getuid() != u->uid || geteuid() != u->uid) {
        sb_printf(err, _("cannot switch to the OS user '%s': %s"), user, strerror(errno));
        return -1;
    }
    if (chdir("/") < 0) /* our cwd may be closed to that user; "/" never is */
        return -1;
    return 0;
}

static void run_child(const char *user, const struct os_user *u, asuser_fn fn, void *arg, int wfd,
                      int rfd)
{
    struct child_side cs = {fdopen(wfd, "w"), fdopen(rfd, "r")};
    struct reporter rep = {child_record, child_progress, child_cancelled, child_confirm, &cs};
    struct strbuf err = {0};
    int rc = switch_user(user, u, &err);
    if (rc == 0)
        rc = fn(arg, &rep, &err);
    struct strbuf sb = {0};
    sb_printf(&sb, "E\t%d\t", rc);
    put_escaped(&sb, sb_str(&err));
    send_line(&cs, &sb);
    fclose(cs.to_parent);
    _exit(rc == 0 ? 0 : 1);
}

/* Splits a protocol line into at most n tab-separated fields (in place). */
static size_t split_fields(char *line, char **f, size_t n)
{
    size_t k = 0;
    while (k < n) {
        f[k++] = line;
        char *tab = strchr(line, '\t');
        if (!tab || k == n)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    return k;
}

static void answer(FILE *to_child, bool yes)
{
    fputs(yes ? "Y\n" : "N\n", to_child);
    fflush(to_child);
}

/* Replays one child message on the real reporter; *result gets the child's final result. */
static void dispatch(char *line, const struct reporter *rep, FILE *to_child, int *result,
                     struct strbuf *err)
{
    char *f[8];
    size_t n = split_fields(line, f, 8);
    if (f[0][0] == 'R' && n == 7) {
        unescape(f[6]);
        struct record rec = RECORD_INIT(record_kind_from_name(f[1]), f[6]);
        if ((int)rec.kind < 0)
            rec.kind = REC_MESSAGE;
        rec.exit_status = atoi(f[2]);
        rec.duration = atof(f[3]);
        rec.bytes = atoll(f[4]);
        rec.rows = atoll(f[5]);
        report_record(rep, &rec);
    } else if (f[0][0] == 'P' && n == 5) {
        unescape(f[4]);
        report_progress(rep, f[1], strtoull(f[2], NULL, 10), strtoull(f[3], NULL, 10),
                        *f[4] ? f[4] : NULL);
    } else if (f[0][0] == 'K') {
        answer(to_child, report_cancelled(rep));
    } else if (f[0][0] == 'C' && n == 4) {
        unescape(f[2]);
        unescape(f[3]);
        answer(to_child, report_confirm(rep, f[3], f[1][0] == '1' ? f[2] : NULL));
    } else if (f[0][0] == 'E' && n == 3) {
        unescape(f[2]);
        *result = atoi(f[1]);
        sb_append(err, f[2]);
    }
}

int asuser_run(const char *user, asuser_fn fn, void *arg, const struct reporter *rep, struct strbuf *err)
{
    struct os_user u;
    if (lookup_user(user, &u, err) < 0)
        return -1;
    int up[2], down[2];
    if (pipe2(up, O_CLOEXEC) < 0 || pipe2(down, O_CLOEXEC) < 0) {
        sb_printf(err, _("cannot create a pipe: %s"), strerror(errno));
        free(u.groups);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        sb_printf(err, _("cannot fork: %s"), strerror(errno));
        free(u.groups);
        return -1;
    }
    if (pid == 0) {
        close(up[0]);
        close(down[1]);
        run_child(user, &u, fn, arg, up[1], down[0]);
    }
    free(u.groups);
    close(up[1]);
    close(down[0]);
    FILE *from_child = fdopen(up[0], "r"), *to_child = fdopen(down[1], "w");
    signal(SIGPIPE, SIG_IGN);
    int result = -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, from_child)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        dispatch(line, rep, to_child, &result, err);
    }
    free(line);
    fclose(from_child);
    fclose(to_child);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (result < 0 && !err->len)
        sb_printf(err, _("the database worker running as '%s' ended unexpectedly"), user);
    return result;
}
