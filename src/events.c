#include "common.h"
#include "events.h"
#include "redact.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_CAPACITY 4096

struct event_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_full;
    struct event *head, *tail;
    size_t length, capacity;
    int pipe_rd, pipe_wr;
};

static int set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

struct event_queue *event_queue_new(size_t capacity)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return NULL;
    if (set_nonblock_cloexec(fds[0]) < 0 || set_nonblock_cloexec(fds[1]) < 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return NULL;
    }
    struct event_queue *q = xcalloc(1, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_full, NULL);
    q->capacity = capacity ? capacity : DEFAULT_CAPACITY;
    q->pipe_rd = fds[0];
    q->pipe_wr = fds[1];
    return q;
}

void event_queue_free(struct event_queue *q)
{
    if (!q)
        return;
    event_list_free(q->head);
    close(q->pipe_rd);
    close(q->pipe_wr);
    pthread_cond_destroy(&q->not_full);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

int event_queue_fd(const struct event_queue *q)
{
    return q->pipe_rd;
}

/* Frees one event. */
static void event_free(struct event *ev)
{
    if (!ev)
        return;
    free(ev->text);
    free(ev->expected);
    free(ev);
}

void event_list_free(struct event *ev)
{
    while (ev) {
        struct event *next = ev->next;
        event_free(ev);
        ev = next;
    }
}

/* Called with the lock held. The pipe holds one byte exactly while the queue is not empty:
 * written on the empty -> non-empty transition, drained when the consumer takes all. */
static void wake_consumer(struct event_queue *q)
{
    char byte = 1;
    while (write(q->pipe_wr, &byte, 1) < 0 && errno == EINTR)
        ;
}

/* Pushes an event built by the caller (allocated with xcalloc, strings malloc'd). */
static void event_push(struct event_queue *q, struct event *ev)
{
    ev->next = NULL;
    ev->time = now_monotonic();
    pthread_mutex_lock(&q->lock);
    if (ev->kind == EV_PROGRESS && q->tail && q->tail->kind == EV_PROGRESS) {
        /* Only the newest progress matters: replace the waiting one in place. */
        struct event *old = q->tail;
        free(old->text);
        old->text = ev->text;
        ev->text = NULL;
        memcpy(old->unit, ev->unit, sizeof old->unit);
        old->done = ev->done;
        old->total = ev->total;
        old->time = ev->time;
        pthread_mutex_unlock(&q->lock);
        event_free(ev);
        return;
    }
    while (q->length >= q->capacity)
        pthread_cond_wait(&q->not_full, &q->lock);
    if (q->tail)
        q->tail->next = ev;
    else
        q->head = ev;
    q->tail = ev;
    if (q->length++ == 0)
        wake_consumer(q);
    pthread_mutex_unlock(&q->lock);
}

/* Appends word so a shell would read it back as one argument: 'it'\''s' style. */
static void append_shell_word(struct strbuf *out, const char *word)
{
    if (*word && !strpbrk(word, " \t\n'\"\\$`;&|<>()*?![]{}~#")) {
        sb_append(out, word);
        return;
    }
    sb_append_char(out, '\'');
    for (const char *c = word; *c; c++) {
        if (*c == '\'')
            sb_append(out, "'\\''");
        else
            sb_append_char(out, *c);
    }
    sb_append_char(out, '\'');
}

void event_push_record(struct event_queue *q, const struct record *rec)
{
    struct event *ev = xcalloc(1, sizeof *ev);
    ev->kind = EV_RECORD;
    ev->rec_kind = rec->kind;
    ev->exit_status = rec->exit_status;
    ev->duration = rec->duration;
    ev->bytes = rec->bytes;
    ev->rows = rec->rows;
    /* Like the log: a command is shown as its exact argv, quoted where needed. */
    struct strbuf raw = {0}, text = {0};
    if (rec->argv) {
        for (const char *const *a = rec->argv; *a; a++) {
            if (a != rec->argv)
                sb_append_char(&raw, ' ');
            append_shell_word(&raw, *a);
        }
    } else if (rec->text) {
        sb_append(&raw, rec->text);
    }
    redact_secrets(sb_str(&raw), &text);
    sb_free(&raw);
    ev->text = sb_detach(&text);
    event_push(q, ev);
}

void event_push_progress(struct event_queue *q, const struct progress *p)
{
    struct event *ev = xcalloc(1, sizeof *ev);
    ev->kind = EV_PROGRESS;
    snprintf(ev->unit, sizeof ev->unit, "%s", p->unit ? p->unit : "");
    ev->done = p->done;
    ev->total = p->total;
    ev->text = p->current ? xstrdup(p->current) : NULL;
    event_push(q, ev);
}

void event_push_question(struct event_queue *q, const char *question, const char *expected)
{
    struct event *ev = xcalloc(1, sizeof *ev);
    ev->kind = EV_QUESTION;
    ev->text = xstrdup(question ? question : "");
    ev->expected = expected ? xstrdup(expected) : NULL;
    event_push(q, ev);
}

void event_push_done(struct event_queue *q, int result, const char *error)
{
    struct event *ev = xcalloc(1, sizeof *ev);
    ev->kind = EV_DONE;
    ev->result = result;
    ev->text = redact_dup(error ? error : "");
    event_push(q, ev);
}

struct event *event_take_all(struct event_queue *q)
{
    pthread_mutex_lock(&q->lock);
    struct event *list = q->head;
    q->head = q->tail = NULL;
    bool was_full = q->length >= q->capacity;
    q->length = 0;
    char buf[64];
    ssize_t n;
    do
        n = read(q->pipe_rd, buf, sizeof buf);
    while (n > 0 || (n < 0 && errno == EINTR));
    if (was_full)
        pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
    return list;
}

size_t event_queue_length(struct event_queue *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->length;
    pthread_mutex_unlock(&q->lock);
    return n;
}
