#include "sys/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void argv_add(struct argv_builder *a, const char *arg)
{
    if (a->argc + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->argv = xrealloc(a->argv, a->cap * sizeof *a->argv);
    }
    a->argv[a->argc++] = xstrdup(arg);
    a->argv[a->argc] = NULL;
}

void argv_addf(struct argv_builder *a, const char *fmt, ...)
{
    struct strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&sb, fmt, ap);
    va_end(ap);
    argv_add(a, sb_str(&sb));
    sb_free(&sb);
}

void argv_add_words(struct argv_builder *a, const char *words)
{
    const char *p = words;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, " \t");
        if (n) {
            char *w = xstrndup(p, n);
            argv_add(a, w);
            free(w);
        }
        p += n;
    }
}

const char *const *argv_get(struct argv_builder *a)
{
    if (!a->argv) {
        a->cap = 8;
        a->argv = xcalloc(a->cap, sizeof *a->argv);
    }
    return (const char *const *)a->argv;
}

void argv_free(struct argv_builder *a)
{
    for (size_t i = 0; i < a->argc; i++)
        free(a->argv[i]);
    free(a->argv);
    memset(a, 0, sizeof *a);
}

void argv_format(const char *const *argv, struct strbuf *out)
{
    for (size_t i = 0; argv[i]; i++) {
        const char *w = argv[i];
        if (i)
            sb_append_char(out, ' ');
        if (*w && strcspn(w, " \t\n'\"\\$`*?;&|<>(){}[]#~!") == strlen(w)) {
            sb_append(out, w);
            continue;
        }
        sb_append_char(out, '\'');
        for (; *w; w++) {
            if (*w == '\'')
                sb_append(out, "'\\''");
            else
                sb_append_char(out, *w);
        }
        sb_append_char(out, '\'');
    }
}

int child_start(struct child *c, const char *const *argv, int flags, struct strbuf *err)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
    int given_stdout = (flags & SPAWN_STDOUT_FD) ? c->stdout_fd : -1;
    c->pid = -1;
    c->stdin_fd = c->stdout_fd = c->stderr_fd = -1;
    if (!argv || !argv[0] || !*argv[0]) {
        sb_printf(err, _("no program to run"));
        return -1;
    }
    if (((flags & SPAWN_PIPE_STDIN) && pipe2(in, O_CLOEXEC) < 0) ||
        ((flags & SPAWN_PIPE_STDOUT) && pipe2(out, O_CLOEXEC) < 0) ||
        ((flags & SPAWN_PIPE_STDERR) && pipe2(er, O_CLOEXEC) < 0)) {
        sb_printf(err, _("cannot create a pipe: %s"), strerror(errno));
        goto fail;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (in[0] >= 0)
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    else
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out[1] >= 0)
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    else if (given_stdout >= 0)
        posix_spawn_file_actions_adddup2(&fa, given_stdout, 1);
    else
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (er[1] >= 0)
        posix_spawn_file_actions_adddup2(&fa, er[1], 2);
    else
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);

    /* The child gets default signal handling and an empty mask, whatever the caller's
     * thread had blocked. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    int rc = posix_spawnp(&c->pid, argv[0], &fa, &attr, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        sb_printf(err, _("cannot run %s: %s"), argv[0], strerror(rc));
        c->pid = -1;
        goto fail;
    }
    c->started = now_monotonic();
    if (in[0] >= 0)
        close(in[0]);
    if (out[1] >= 0)
        close(out[1]);
    if (er[1] >= 0)
        close(er[1]);
    c->stdin_fd = in[1];
    c->stdout_fd = out[0];
    c->stderr_fd = er[0];
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0)
            close(in[i]);
        if (out[i] >= 0)
            close(out[i]);
        if (er[i] >= 0)
            close(er[i]);
    }
    return -1;
}

int child_wait(struct child *c)
{
    int *fds[] = {&c->stdin_fd, &c->stdout_fd, &c->stderr_fd};
    for (size_t i = 0; i < ARRAY_LEN(fds); i++)
        if (*fds[i] >= 0) {
            close(*fds[i]);
            *fds[i] = -1;
        }
    if (c->pid <= 0)
        return -1;
    int status;
    while (waitpid(c->pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    c->pid = -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

/* Keeps the last `limit` bytes of a stream in sb. */
static void append_tail(struct strbuf *sb, const char *data, size_t n, size_t limit)
{
    sb_append_len(sb, data, n);
    if (sb->len > limit) {
        size_t drop = sb->len - limit;
        memmove(sb->buf, sb->buf + drop, sb->len - drop + 1);
        sb->len -= drop;
    }
}

int run_capture(const struct reporter *r, const char *const *argv, struct strbuf *out,
                size_t max_out, struct strbuf *errout)
{
    struct child c;
    struct strbuf starterr = {0};
    struct strbuf cmdline = {0};
    argv_format(argv, &cmdline);
    if (child_start(&c, argv, SPAWN_PIPE_STDOUT | SPAWN_PIPE_STDERR, &starterr) < 0) {
        struct record rec = RECORD_INIT(REC_ERROR, sb_str(&starterr));
        rec.argv = argv;
        report_record(r, &rec);
        if (errout)
            sb_append(errout, sb_str(&starterr));
        sb_free(&starterr);
        sb_free(&cmdline);
        return -1;
    }
    struct pollfd pfd[2] = {{.fd = c.stdout_fd, .events = POLLIN},
                            {.fd = c.stderr_fd, .events = POLLIN}};
    char buf[65536];
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(pfd[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                pfd[i].fd = -1;
                open_fds--;
                continue;
            }
            if (i == 0 && out && out->len < max_out)
                sb_append_len(out, buf,
                              (size_t)n < max_out - out->len ? (size_t)n : max_out - out->len);
            else if (i == 1 && errout)
                append_tail(errout, buf, (size_t)n, 65536);
        }
    }
    int status = child_wait(&c);
    struct record rec = RECORD_INIT(REC_COMMAND, sb_str(&cmdline));
    rec.argv = argv;
    rec.exit_status = status;
    rec.duration = now_monotonic() - c.started;
    if (out)
        rec.bytes = (int64_t)out->len;
    report_record(r, &rec);
    sb_free(&cmdline);
    return status;
}
