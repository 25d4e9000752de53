#include "redact.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_mutex_t secrets_lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;
static size_t secret_count;

void redact_add_secret(const char *secret)
{
    if (!secret || strlen(secret) < 3)
        return;
    pthread_mutex_lock(&secrets_lock);
    for (size_t i = 0; i < secret_count; i++)
        if (strcmp(secrets[i], secret) == 0)
            goto out;
    secrets = xrealloc(secrets, (secret_count + 1) * sizeof *secrets);
    secrets[secret_count++] = xstrdup(secret);
out:
    pthread_mutex_unlock(&secrets_lock);
}

void redact_forget_all(void)
{
    pthread_mutex_lock(&secrets_lock);
    for (size_t i = 0; i < secret_count; i++)
        free(secrets[i]);
    free(secrets);
    secrets = NULL;
    secret_count = 0;
    pthread_mutex_unlock(&secrets_lock);
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Length of a value starting at s: a quoted string ('..' or "..", backslash escapes) or a
 * run up to white space, '&' (URI query) or a closing quote of an enclosing string. */
static size_t value_length(const char *s)
{
    if (*s == '\'' || *s == '"') {
        char q = *s;
        size_t i = 1;
        while (s[i] && s[i] != q) {
            if (s[i] == '\\' && s[i + 1])
                i++;
            i++;
        }
        return s[i] ? i + 1 : i;
    }
    size_t i = 0;
    while (s[i] && !isspace((unsigned char)s[i]) && s[i] != '&' && s[i] != ';')
        i++;
    return i;
}

/* At position i of in, is there a key ending in "password" (any case) followed by '='
 * (optionally surrounded by blanks)? Returns the offset of the value, or 0. */
static size_t password_assignment(const char *in, size_t i)
{
    static const char key[] = "password";
    size_t klen = sizeof key - 1;
    if (strncasecmp(in + i, key, klen) != 0)
        return 0;
    size_t j = i + klen;
    while (is_word_char(in[j]))
        j++; /* PASSWORD_FILE and the like: still a password-ish key */
    while (in[j] == ' ' || in[j] == '\t')
        j++;
    if (in[j] != '=' && in[j] != ':')
        return 0;
    if (in[j] == ':' && in[j + 1] == '/')
        return 0; /* not "password://" */
    j++;
    while (in[j] == ' ' || in[j] == '\t')
        j++;
    return j;
}

/* At i, a URI scheme "postgres://" or "postgresql://" with user:password@? Returns the
 * offset of the password and stores its length. */
static size_t uri_password(const char *in, size_t i, size_t *len)
{
    const char *p = in + i;
    size_t skip;
    if (strncasecmp(p, "postgresql://", 13) == 0)
        skip = 13;
    else if (strncasecmp(p, "postgres://", 11) == 0)
        skip = 11;
    else
        return 0;
    const char *user = p + skip;
    const char *end = user + strcspn(user, "/?# \t\n");
    const char *at = NULL;
    for (const char *q = user; q < end; q++)
        if (*q == '@')
            at = q;
    if (!at)
        return 0;
    const char *colon = memchr(user, ':', (size_t)(at - user));
    if (!colon)
        return 0;
    *len = (size_t)(at - colon - 1);
    return (size_t)(colon + 1 - in);
}

void redact_secrets(const char *in, struct strbuf *out)
{
    /* First pass: structural rules into tmp. */
    struct strbuf tmp = {0};
    size_t n = strlen(in);
    for (size_t i = 0; i < n;) {
        size_t v, len;
        if ((v = password_assignment(in, i))) {
            sb_append_len(&tmp, in + i, v - i);
            len = value_length(in + v);
            if (len)
                sb_append(&tmp, REDACTED);
            i = v + len;
            continue;
        }
        if ((v = uri_password(in, i, &len))) {
            sb_append_len(&tmp, in + i, v - i);
            sb_append(&tmp, REDACTED);
            i = v + len;
            continue;
        }
        sb_append_char(&tmp, in[i]);
        i++;
    }

    /* Second pass: every remembered secret. */
    pthread_mutex_lock(&secrets_lock);
    const char *s = sb_str(&tmp);
    while (*s) {
        size_t best = 0;
        for (size_t k = 0; k < secret_count; k++) {
            size_t sl = strlen(secrets[k]);
            if (sl > best && strncmp(s, secrets[k], sl) == 0)
                best = sl;
        }
        if (best) {
            sb_append(out, REDACTED);
            s += best;
        } else {
            sb_append_char(out, *s++);
        }
    }
    pthread_mutex_unlock(&secrets_lock);
    sb_free(&tmp);
}

char *redact_dup(const char *in)
{
    struct strbuf sb = {0};
    sb_grow(&sb, 0);
    redact_secrets(in, &sb);
    return sb_detach(&sb);
}

/* The one span of original that redaction replaced: [*start, *start + *len). */
static bool single_secret(const char *original, const char *redacted, size_t *start, size_t *len)
{
    const char *at = strstr(redacted, REDACTED);
    if (!at || strstr(at + 1, REDACTED))
        return false;
    size_t pre = (size_t)(at - redacted);
    size_t post = strlen(at + strlen(REDACTED));
    size_t n = strlen(original);
    if (pre + post > n || strncmp(original, redacted, pre) != 0 ||
        strcmp(original + n - post, at + strlen(REDACTED)) != 0)
        return false;
    *start = pre;
    *len = n - pre - post;
    return true;
}

char *redact_restore(const char *edited, const char *original)
{
    const char *at = strstr(edited, REDACTED);
    if (!at)
        return xstrdup(edited);
    char *redacted = redact_dup(original);
    size_t start, len;
    bool ok = !strstr(at + 1, REDACTED) && single_secret(original, redacted, &start, &len);
    free(redacted);
    if (!ok)
        return NULL;
    return xasprintf("%.*s%.*s%s", (int)(at - edited), edited, (int)len, original + start,
                     at + strlen(REDACTED));
}
