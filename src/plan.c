#include "plan.h"
#include "redact.h"
#include "sys/fdio.h"
#include "sys/safepath.h"
#include "textesc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum check_kind {
    PATH_DIR_OPT,
    PATH_DIR,
    PATH_TARGET,
    PATH_ABS,
    NAME,
    COMMAND,
    DSN,
    OWNER,
    URL,
    BACKUP_KIND
};

struct key_info {
    const char *name;
    const char *def;
    enum check_kind check;
    const char *help;
};

static const struct key_info keys[PLAN_KEY_COUNT] = {
#define X(key, def, check, help) {#key, def, check, help},
    PLAN_KEYS(X)
#undef X
};

static const char *const source_labels[] = {
#define X(id, label) label,
    PLAN_SOURCES(X)
#undef X
};

void plan_init(struct plan *p)
{
    for (int i = 0; i < PLAN_KEY_COUNT; i++) {
        p->v[i].value = xstrdup(keys[i].def);
        p->v[i].source = SRC_DEFAULT;
        p->v[i].origin = NULL;
    }
}

void plan_free(struct plan *p)
{
    for (int i = 0; i < PLAN_KEY_COUNT; i++) {
        free(p->v[i].value);
        free(p->v[i].origin);
        p->v[i].value = p->v[i].origin = NULL;
    }
}

void plan_copy(struct plan *dst, const struct plan *src)
{
    for (int i = 0; i < PLAN_KEY_COUNT; i++) {
        dst->v[i].value = xstrdup(src->v[i].value ? src->v[i].value : "");
        dst->v[i].source = src->v[i].source;
        dst->v[i].origin = src->v[i].origin ? xstrdup(src->v[i].origin) : NULL;
    }
}

const char *plan_key_name(enum plan_key key)
{
    return (unsigned)key < PLAN_KEY_COUNT ? keys[key].name : "?";
}

const char *plan_key_help(enum plan_key key)
{
    return (unsigned)key < PLAN_KEY_COUNT ? keys[key].help : "";
}

const char *plan_source_label(enum plan_source src)
{
    return (unsigned)src < ARRAY_LEN(source_labels) ? source_labels[src] : "?";
}

/* The key called name, or -1 when unknown. */
static int plan_key_from_name(const char *name)
{
    for (int i = 0; i < PLAN_KEY_COUNT; i++)
        if (strcmp(keys[i].name, name) == 0)
            return i;
    return -1;
}

const char *plan_get(const struct plan *p, enum plan_key key)
{
    const char *v = p->v[key].value;
    return v ? v : "";
}

void plan_set(struct plan *p, enum plan_key key, const char *value, enum plan_source src,
              const char *origin)
{
    char *nv = xstrdup(value);
    char *no = origin ? xstrdup(origin) : NULL;
    free(p->v[key].value);
    free(p->v[key].origin);
    p->v[key].value = nv;
    p->v[key].source = src;
    p->v[key].origin = no;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* One line of the config format. Returns 0 (blank/comment: *key_out = -1), 1 (a setting),
 * or -1 with a message. The value is unquoted in place. */
static int parse_line(char *line, int *key_out, char **value_out, struct strbuf *why)
{
    *key_out = -1;
    char *s = trim(line);
    if (*s == '\0' || *s == '#')
        return 0;
    char *eq = strchr(s, '=');
    if (!eq) {
        sb_append(why, _("expected \"key = value\""));
        return -1;
    }
    *eq = '\0';
    char *key = trim(s);
    char *value = trim(eq + 1);
    int k = plan_key_from_name(key);
    if (k < 0) {
        sb_printf(why, _("unknown key \"%s\""), key);
        return -1;
    }
    size_t vl = strlen(value);
    if (vl >= 1 && (value[0] == '"' || value[0] == '\'')) {
        if (vl < 2 || value[vl - 1] != value[0]) {
            sb_append(why, _("unterminated quoted value"));
            return -1;
        }
        value[vl - 1] = '\0';
        value++;
    } else {
        /* An unquoted value ends at a comment that follows white space. */
        char *hash = strstr(value, " #");
        if (!hash)
            hash = strstr(value, "\t#");
        if (hash) {
            *hash = '\0';
            value = trim(value);
        }
    }
    for (char *c = value; *c; c++)
        if ((unsigned char)*c < 0x20) {
            sb_append(why, _("control character in value"));
            return -1;
        }
    *key_out = k;
    *value_out = value;
    return 1;
}

static int parse_text(struct plan *p, const char *text, const char *name, enum plan_source src,
                      struct strbuf *err)
{
    struct plan tmp;
    plan_copy(&tmp, p);
    int errors = 0, lineno = 0;
    const char *cur = text;
    while (*cur) {
        size_t n = strcspn(cur, "\n");
        char *line = xstrndup(cur, n);
        cur += n + (cur[n] == '\n');
        lineno++;
        int key;
        char *value;
        struct strbuf why = {0};
        int rc = parse_line(line, &key, &value, &why);
        if (rc < 0) {
            sb_printf(err, "%s:%d: %s\n", name, lineno, sb_str(&why));
            errors++;
        } else if (rc > 0) {
            char *origin = xasprintf("%s:%d", name, lineno);
            plan_set(&tmp, (enum plan_key)key, value, src, origin);
            free(origin);
        }
        sb_free(&why);
        free(line);
    }
    if (errors == 0) {
        plan_free(p);
        *p = tmp;
    } else {
        plan_free(&tmp);
    }
    return errors;
}

int plan_load_file(struct plan *p, const char *path, struct strbuf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        sb_printf(err, _("%s: cannot read: %s\n"), path, strerror(errno));
        return 1;
    }
    struct strbuf text = {0};
    bool bad = read_fd_all(fd, SIZE_MAX, &text) < 0;
    close(fd);
    if (bad || memchr(sb_str(&text), '\0', text.len)) {
        sb_printf(err, _("%s: cannot read: not a text file\n"), path);
        sb_free(&text);
        return 1;
    }
    int errors = parse_text(p, sb_str(&text), path, SRC_CONFIG, err);
    sb_free(&text);
    return errors;
}

void plan_write(const struct plan *p, struct strbuf *out)
{
    /* Passwords (in a DSN, say) never reach the journal: a resume takes them from the
     * config file again (see session_resume). */
    for (int i = 0; i < PLAN_KEY_COUNT; i++) {
        char *safe = redact_dup(plan_get(p, (enum plan_key)i));
        sb_printf(out, "# source: %s\n%s = \"%s\"\n", plan_source_label(p->v[i].source),
                  keys[i].name, safe);
        free(safe);
    }
}

int plan_parse_snapshot(struct plan *p, const char *text, struct strbuf *err)
{
    /* The snapshot is the config format with a "# source:" comment before each key. */
    if (parse_text(p, text, "journal", SRC_CONFIG, err) != 0)
        return -1;
    const char *cur = text;
    while ((cur = strstr(cur, "# source: "))) {
        cur += 10;
        size_t n = strcspn(cur, "\n");
        const char *next = cur + n + (cur[n] == '\n');
        size_t kn = strcspn(next, " =");
        char *key = xstrndup(next, kn);
        int k = plan_key_from_name(key);
        free(key);
        for (size_t s = 0; k >= 0 && s < ARRAY_LEN(source_labels); s++)
            if (strlen(source_labels[s]) == n && strncmp(source_labels[s], cur, n) == 0)
                p->v[k].source = (enum plan_source)s;
    }
    return 0;
}

static bool has_dot_segment(const char *path)
{
    const char *s = path;
    while ((s = strstr(s, "/.."))) {
        if (s[3] == '/' || s[3] == '\0')
            return true;
        s += 3;
    }
    return false;
}

/* http://HOST[:PORT][/PATH], HOST a name or [IPv6], PORT 1-65535. (The client that pings
 * Immich speaks plain HTTP only: NixOS's Immich listens without TLS.) */
static bool valid_url(const char *value, struct strbuf *why)
{
    if (strncmp(value, "https://", 8) == 0) {
        sb_append(why, _("https is not supported: use the http:// address Immich listens on"));
        return false;
    }
    if (strncmp(value, "http://", 7) != 0) {
        sb_append(why, _("must start with http://"));
        return false;
    }
    const char *h = value + 7, *rest;
    if (*h == '[') {
        const char *close = strchr(h, ']');
        rest = close ? close + 1 : h;
        if (!close || close == h + 1) {
            sb_append(why, _("the host in [brackets] is not closed or empty"));
            return false;
        }
    } else {
        rest = h + strcspn(h, ":/?#@");
        if (rest == h) {
            sb_append(why, _("the host is missing"));
            return false;
        }
    }
    if (*rest == ':') {
        char *end;
        errno = 0;
        unsigned long port = strtoul(rest + 1, &end, 10);
        if (!isdigit((unsigned char)rest[1]) || errno || port < 1 || port > 65535 ||
            (*end && *end != '/')) {
            sb_append(why, _("the port must be a number from 1 to 65535"));
            return false;
        }
        rest = end;
    }
    if (*rest && *rest != '/') {
        sb_printf(why, _("unexpected \"%c\" after the host"), *rest);
        return false;
    }
    return true;
}

/* The checks of an absolute path of plan_validate_value; every message names the path
 * (escaped: it may come from a config file). */
static bool check_path_value(enum check_kind kind, const char *value, bool with_filesystem,
                             struct strbuf *why)
{
    struct stat st;
    char *shown = ctl_escape_dup(value, false);
    bool ok = false;
    if (value[0] != '/')
        sb_printf(why, _("must be an absolute path: %s"), shown);
    else if (has_dot_segment(value))
        sb_printf(why, _("must not contain \"..\": %s"), shown);
    /* Judged resolved: "/./etc", "//etc" and a symlink to /etc are /etc. */
    else if (!path_check(value, kind == PATH_DIR || kind == PATH_DIR_OPT ? PATH_READ : PATH_WRITE, why))
        ;
    else if (with_filesystem && (kind == PATH_DIR || kind == PATH_DIR_OPT) && stat(value, &st) < 0)
        sb_printf(why, _("%s does not exist: %s"), shown, strerror(errno));
    else if (with_filesystem && (kind == PATH_DIR || kind == PATH_DIR_OPT) && !S_ISDIR(st.st_mode))
        sb_printf(why, _("%s is not a directory"), shown);
    else
        ok = true;
    free(shown);
    return ok;
}

bool plan_validate_value(const struct plan *p, enum plan_key key, const char *value,
                         bool with_filesystem, struct strbuf *why)
{
    switch (keys[key].check) {
    case PATH_DIR_OPT:
        if (*value == '\0')
            return true;
        /* fall through */
    case PATH_DIR:
    case PATH_TARGET:
    case PATH_ABS:
        if (*value == '\0') {
            sb_append(why, _("must be set"));
            return false;
        }
        return check_path_value(keys[key].check, value, with_filesystem, why);
    case NAME:
        if (*value == '\0') {
            sb_append(why, _("must be set"));
            return false;
        }
        for (const char *c = value; *c; c++)
            if (isspace((unsigned char)*c) || (unsigned char)*c < 0x20) {
                sb_append(why, _("must not contain blanks"));
                return false;
            }
        /* It is passed to docker, pg_dump and psql, which would take it for an option. */
        if (value[0] == '-') {
            sb_append(why, _("must not start with \"-\""));
            return false;
        }
        return true;
    case COMMAND:
    case DSN:
        if (*value == '\0') {
            sb_append(why, _("must be set"));
            return false;
        }
        return true;
    case URL: return valid_url(value, why);
    case BACKUP_KIND:
        if (strcmp(value, "archive") == 0 || strcmp(value, "originals") == 0 ||
            strcmp(value, "none") == 0)
            return true;
        sb_append(why, _("must be archive, originals or none"));
        return false;
    case OWNER: {
        const char *colon = strchr(value, ':');
        if (!colon || colon == value || colon[1] == '\0' || strchr(colon + 1, ':')) {
            sb_append(why, _("must be user:group"));
            return false;
        }
        if (value[0] == '-' || colon[1] == '-') {
            sb_append(why, _("must not start with \"-\""));
            return false;
        }
        if (with_filesystem) {
            char *user = xstrndup(value, (size_t)(colon - value));
            bool ok_user = getpwnam(user) != NULL;
            bool ok_group = getgrnam(colon + 1) != NULL;
            if (!ok_user)
                sb_printf(why, _("no such user: %s"), user);
            else if (!ok_group)
                sb_printf(why, _("no such group: %s"), colon + 1);
            free(user);
            return ok_user && ok_group;
        }
        return true;
    }
    }
    (void)p;
    return true;
}

int plan_validate_non_paths(const struct plan *p, struct strbuf *why)
{
    int problems = 0;
    for (int i = 0; i < PLAN_KEY_COUNT; i++) {
        enum check_kind k = keys[i].check;
        if (k == PATH_DIR_OPT || k == PATH_DIR || k == PATH_TARGET || k == PATH_ABS)
            continue;
        struct strbuf one = {0};
        if (!plan_validate_value(p, (enum plan_key)i, plan_get(p, (enum plan_key)i), false, &one)) {
            sb_printf(why, "%s%s: %s", problems ? "; " : "", keys[i].name, sb_str(&one));
            problems++;
        }
        sb_free(&one);
    }
    return problems;
}
