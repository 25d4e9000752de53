#include "discover/dotenv.h"
#include "sys/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DOTENV_MAX_FILE (1024 * 1024)
#define DOTENV_MAX_DEPTH 16
/* Nested ${VAR}s grow exponentially (B=${A}${A}, C=${B}${B}, ...): a few KB of .env would
 * expand to gigabytes. No real value comes near these caps. */
#define DOTENV_MAX_VALUE (64 * 1024)
#define DOTENV_MAX_TOTAL (4 * 1024 * 1024)

struct parser {
    const char *s;
    size_t len, pos;
    size_t total; /* bytes of every value so far */
    int line;
    struct dotenv *env;
    struct strbuf *err;
};

const char *dotenv_get(const struct dotenv *env, const char *key)
{
    for (size_t i = env->n; i-- > 0;)
        if (strcmp(env->v[i].key, key) == 0)
            return env->v[i].value;
    return NULL;
}

static void dotenv_set(struct dotenv *env, const char *key, char *value, int line)
{
    for (size_t i = 0; i < env->n; i++)
        if (strcmp(env->v[i].key, key) == 0) {
            free(env->v[i].value);
            env->v[i].value = value;
            env->v[i].line = line;
            return;
        }
    if (env->n == env->cap) {
        env->cap = env->cap ? env->cap * 2 : 16;
        env->v = xrealloc(env->v, env->cap * sizeof *env->v);
    }
    env->v[env->n++] = (struct dotenv_entry){xstrdup(key), value, line};
}

void dotenv_free(struct dotenv *env)
{
    for (size_t i = 0; i < env->n; i++) {
        free(env->v[i].key);
        free(env->v[i].value);
    }
    free(env->v);
    *env = (struct dotenv){0};
}

static int fail(struct parser *p, int line, const char *why)
{
    if (p->err)
        sb_printf(p->err, "%d: %s", line, why);
    return -1;
}

/* After each piece appended to a value: is it still within the caps? */
static int check_size(struct parser *p, const struct strbuf *out)
{
    if (out->len > DOTENV_MAX_VALUE)
        return fail(p, p->line,
                    _("the value expands to more than 64 KiB (nested ${...} "
                      "variables?)"));
    if (p->total + out->len > DOTENV_MAX_TOTAL)
        return fail(p, p->line, _("the values expand to more than 4 MiB in all"));
    return 0;
}

static bool is_name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_key_char(char c)
{
    return is_name_char(c) || c == '.' || c == '-';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int expand(struct parser *p, const char *s, size_t n, bool escapes, int depth,
                  struct strbuf *out);

/* ${NAME<op>word}: s points after "${", n bytes up to the end of the value. Sets *used. */
static int expand_braced(struct parser *p, const char *s, size_t n, bool escapes, int depth,
                         struct strbuf *out, size_t *used)
{
    size_t i = 0;
    if (i >= n || !is_name_start(s[i]))
        return fail(p, p->line, _("bad variable name after \"${\""));
    while (i < n && is_name_char(s[i]))
        i++;
    char *name = xstrndup(s, i);
    const char *val = dotenv_get(p->env, name);
    free(name);
    if (i < n && s[i] == '}') {
        sb_append(out, val ? val : "");
        *used = i + 1;
        return check_size(p, out);
    }
    bool colon = i < n && s[i] == ':';
    if (colon)
        i++;
    char op = i < n ? s[i] : '\0';
    if (op != '-' && op != '+' && op != '?')
        return fail(p, p->line, _("unterminated or malformed \"${...}\""));
    i++;
    size_t word = i;
    int nest = 0;
    for (; i < n; i++) {
        if (s[i] == '\\' && escapes && i + 1 < n) {
            i++;
            continue;
        }
        if (s[i] == '$' && i + 1 < n && s[i + 1] == '{') {
            nest++;
            i++;
        } else if (s[i] == '}') {
            if (nest == 0)
                break;
            nest--;
        }
    }
    if (i >= n)
        return fail(p, p->line, _("unterminated \"${\""));
    bool set = colon ? (val && *val) : (val != NULL);
    *used = i + 1;
    if (op == '-') {
        if (set) {
            sb_append(out, val);
            return check_size(p, out);
        }
        return expand(p, s + word, i - word, escapes, depth + 1, out);
    }
    if (op == '+')
        return set ? expand(p, s + word, i - word, escapes, depth + 1, out) : 0;
    if (set) {
        sb_append(out, val);
        return check_size(p, out);
    }
    return fail(p, p->line, _("a required variable is not set (\"${VAR?...}\")"));
}

/* Copies s[0..n) to out, replacing variables (and backslash escapes when asked). */
static int expand(struct parser *p, const char *s, size_t n, bool escapes, int depth, struct strbuf *out)
{
    if (depth > DOTENV_MAX_DEPTH)
        return fail(p, p->line, _("variables nested too deeply"));
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && escapes && i + 1 < n) {
            char e = s[++i];
            switch (e) {
            case 'n': sb_append_char(out, '\n'); break;
            case 't': sb_append_char(out, '\t'); break;
            case 'r': sb_append_char(out, '\r'); break;
            case '\\':
            case '"':
            case '$': sb_append_char(out, e); break;
            default:
                sb_append_char(out, '\\');
                sb_append_char(out, e);
                break;
            }
            continue;
        }
        if (c != '$' || i + 1 >= n) {
            sb_append_char(out, c);
            continue;
        }
        char d = s[i + 1];
        if (d == '$') {
            sb_append_char(out, '$');
            i++;
        } else if (d == '{') {
            size_t used = 0;
            if (expand_braced(p, s + i + 2, n - i - 2, escapes, depth, out, &used) < 0)
                return -1;
            i += 1 + used;
        } else if (is_name_start(d)) {
            size_t j = i + 1;
            while (j < n && is_name_char(s[j]))
                j++;
            char *name = xstrndup(s + i + 1, j - i - 1);
            const char *val = dotenv_get(p->env, name);
            free(name);
            sb_append(out, val ? val : "");
            if (check_size(p, out) < 0)
                return -1;
            i = j - 1;
        } else {
            sb_append_char(out, c);
        }
    }
    return 0;
}

static void skip_blanks(struct parser *p)
{
    while (p->pos < p->len && is_blank(p->s[p->pos]))
        p->pos++;
}

static void skip_to_eol(struct parser *p)
{
    while (p->pos < p->len && p->s[p->pos] != '\n')
        p->pos++;
}

/* After a closing quote only blanks and a comment may follow. */
static int end_of_quoted(struct parser *p, int line)
{
    skip_blanks(p);
    if (p->pos < p->len && p->s[p->pos] == '\r')
        p->pos++;
    if (p->pos >= p->len || p->s[p->pos] == '\n')
        return 0;
    if (p->s[p->pos] == '#') {
        skip_to_eol(p);
        return 0;
    }
    return fail(p, line, _("unexpected text after the closing quote"));
}

static int read_value(struct parser *p, int line, struct strbuf *out)
{
    const char *s = p->s;
    if (p->pos < p->len && (s[p->pos] == '\'' || s[p->pos] == '"')) {
        char q = s[p->pos++];
        size_t start = p->pos;
        while (p->pos < p->len && s[p->pos] != q) {
            if (s[p->pos] == '\\' && q == '"' && p->pos + 1 < p->len) {
                if (s[p->pos + 1] == '\n')
                    p->line++;
                p->pos++;
            }
            if (s[p->pos] == '\n')
                p->line++;
            p->pos++;
        }
        if (p->pos >= p->len)
            return fail(p, line,
                        q == '"' ? _("unterminated double quote") : _("unterminated single quote"));
        size_t end = p->pos++;
        if (q == '\'')
            sb_append_len(out, s + start, end - start);
        else if (expand(p, s + start, end - start, true, 0, out) < 0)
            return -1;
        return end_of_quoted(p, line);
    }
    size_t start = p->pos, end = p->pos;
    while (end < p->len && s[end] != '\n') {
        if (s[end] == '#' && end > start && is_blank(s[end - 1]))
            break;
        end++;
    }
    p->pos = end;
    skip_to_eol(p);
    while (end > start && (is_blank(s[end - 1]) || s[end - 1] == '\r'))
        end--;
    return expand(p, s + start, end - start, false, 0, out);
}

static int parse_assignment(struct parser *p)
{
    const char *s = p->s;
    int line = p->line;
    if (p->len - p->pos > 7 && memcmp(s + p->pos, "export", 6) == 0 && is_blank(s[p->pos + 6])) {
        p->pos += 6;
        skip_blanks(p);
    }
    size_t kstart = p->pos;
    if (p->pos >= p->len || !is_name_start(s[p->pos]))
        return fail(p, line, _("a line must look like KEY=value"));
    while (p->pos < p->len && is_key_char(s[p->pos]))
        p->pos++;
    char *key = xstrndup(s + kstart, p->pos - kstart);
    skip_blanks(p);
    if (p->pos < p->len && p->s[p->pos] == '\r')
        p->pos++;
    if (p->pos >= p->len || s[p->pos] == '\n') {
        /* A bare KEY takes its value from compose's environment: nothing we can know. */
        free(key);
        return 0;
    }
    if (s[p->pos] != '=') {
        free(key);
        return fail(p, line, _("expected \"=\" after the key"));
    }
    p->pos++;
    skip_blanks(p);
    struct strbuf val = {0};
    if (read_value(p, line, &val) < 0) {
        free(key);
        sb_free(&val);
        return -1;
    }
    p->total += val.len;
    dotenv_set(p->env, key, sb_detach(&val), line);
    free(key);
    return 0;
}

int dotenv_parse(struct dotenv *env, const char *text, size_t len, struct strbuf *err)
{
    struct parser p = {.s = text, .len = len, .line = 1, .env = env, .err = err};
    if (memchr(text, '\0', len))
        return fail(&p, 1, _("the file contains a NUL byte"));
    while (p.pos < p.len) {
        char c = text[p.pos];
        if (c == '\n') {
            p.line++;
            p.pos++;
        } else if (is_blank(c) || c == '\r') {
            p.pos++;
        } else if (c == '#') {
            skip_to_eol(&p);
        } else if (parse_assignment(&p) < 0) {
            return -1;
        }
    }
    return 0;
}

int dotenv_load_file(struct dotenv *env, const char *path, struct strbuf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        sb_printf(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct strbuf text = {0};
    int got = read_fd_all(fd, DOTENV_MAX_FILE, &text);
    if (got < 0 && errno == EFBIG)
        sb_printf(err, _("%s: larger than 1 MiB; not a .env file"), path);
    else if (got < 0)
        sb_printf(err, "%s: %s", path, strerror(errno));
    close(fd);
    if (got < 0) {
        sb_free(&text);
        return -1;
    }
    struct strbuf why = {0};
    int rc = dotenv_parse(env, sb_str(&text), text.len, &why);
    if (rc < 0)
        sb_printf(err, "%s:%s", path, sb_str(&why));
    sb_free(&why);
    sb_free(&text);
    return rc;
}
