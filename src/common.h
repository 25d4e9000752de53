/* Small helpers every file uses: one allocation-failure policy, one growable string. */
#ifndef IM_COMMON_H
#define IM_COMMON_H

#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "i18n.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The state directory (journal, log, lock) when --state-dir is not given. */
#define DEFAULT_STATE_DIR "/var/lib/immich-migrate"

/* Allocation failure ends the program with a message: there is nothing useful to recover. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable, always NUL-terminated byte string. A zeroed struct is an empty string. */
struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
};

void sb_grow(struct strbuf *sb, size_t extra);
void sb_append(struct strbuf *sb, const char *s);
void sb_append_len(struct strbuf *sb, const char *s, size_t n);
void sb_append_char(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb);
void sb_free(struct strbuf *sb);
/* Returns buf ("" when empty, never NULL). */
const char *sb_str(const struct strbuf *sb);
/* Hands the buffer to the caller (malloc'd, never NULL) and empties sb. */
char *sb_detach(struct strbuf *sb);

/* A byte count for people, appended to out: "512 B", "1.5 GiB" (binary units up to PiB). */
void format_bytes(uint64_t n, struct strbuf *out);

/* A duration for people, appended to out: "0.4 s", "45 s", "3 min 20 s", "2 h 05 min". */
void format_seconds(double seconds, struct strbuf *out);

/* Seconds from a monotonic clock. */
double now_monotonic(void);
/* Wall-clock seconds since the epoch; IMMICH_MIGRATE_TEST_TIME overrides it (deterministic tests). */
int64_t now_wall(void);

#endif
