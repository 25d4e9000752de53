/* Keeps passwords out of logs, screens, journals and reports. */
#ifndef IM_REDACT_H
#define IM_REDACT_H

#include "common.h"

#define REDACTED "********"

/* Remembers a secret (e.g. DB_PASSWORD read from .env): every later redact_secrets() call
 * replaces its occurrences. Values shorter than 3 characters are not remembered (they would
 * mask ordinary text); such passwords are still caught by the key=value rules. Thread-safe. */
void redact_add_secret(const char *secret);
void redact_forget_all(void);

/* Appends `in` to `out` with secrets replaced by REDACTED: known secrets, `password=...`
 * (libpq keyword/value, any quoting), `...PASSWORD...=value` assignments, and the password
 * part of `postgres://user:password@host` URIs. */
void redact_secrets(const char *in, struct strbuf *out);

/* The same, returning a malloc'd string. */
char *redact_dup(const char *in);

/* For editing a value shown redacted: edited (the user's text, which started as
 * redact_dup(original)) with REDACTED replaced by the original's secret again. Works when the
 * original has exactly one redacted span; returns NULL when edited still holds REDACTED but
 * the secret cannot be told (caller refuses the edit). Caller frees. */
char *redact_restore(const char *edited, const char *original);

#endif
