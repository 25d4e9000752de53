/* Running other programs: always an argv array through posix_spawnp, never a shell. */
#ifndef IM_SPAWN_H
#define IM_SPAWN_H

#include <sys/types.h>

#include "common.h"
#include "report.h"

/* A NULL-terminated, growable argv. */
struct argv_builder {
    char **argv;
    size_t argc;
    size_t cap;
};

void argv_add(struct argv_builder *a, const char *arg);
void argv_addf(struct argv_builder *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Splits a configured command ("docker", "/usr/bin/podman", "sudo -n docker") at blanks and
 * appends the words. No quoting, no expansion: it is not a shell. */
void argv_add_words(struct argv_builder *a, const char *words);
const char *const *argv_get(struct argv_builder *a);
void argv_free(struct argv_builder *a);
/* argv as one line for logs and the dry run, words with blanks or quotes shell-quoted. */
void argv_format(const char *const *argv, struct strbuf *out);

/* A running child. Pipes the caller asked for are open in the fds; others are -1. */
struct child {
    pid_t pid;
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    double started;
};

enum spawn_flags {
    SPAWN_PIPE_STDIN = 1,  /* else /dev/null */
    SPAWN_PIPE_STDOUT = 2, /* else inherited stdout redirected to /dev/null */
    SPAWN_PIPE_STDERR = 4, /* else /dev/null */
    SPAWN_STDOUT_FD = 8,   /* stdout goes to the fd passed in child->stdout_fd */
};

/* Starts argv. Returns 0, or -1 with a message in err (the program is missing, say). */
int child_start(struct child *c, const char *const *argv, int flags, struct strbuf *err);
/* Closes remaining pipes, waits. Returns the exit status (0-255), or 128+signal. */
int child_wait(struct child *c);

/* Runs argv to completion: stdout into out (if not NULL, at most max_out bytes kept),
 * stderr into errout (if not NULL, last 64 KiB kept), and one REC_COMMAND record with the
 * exit status and duration. Returns the exit status, or -1 when it could not start
 * (message in errout). */
int run_capture(const struct reporter *r, const char *const *argv, struct strbuf *out,
                size_t max_out, struct strbuf *errout);

#endif
