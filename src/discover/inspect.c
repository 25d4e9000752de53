#include "discover/inspect.h"
#include "sys/fdio.h"
#include "textesc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

/* The parsed text, or NULL with jansson's reason (escaped: it may quote the input) in err. */
static json_t *load_json(const char *text, size_t len, struct strbuf *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        struct strbuf why = {0};
        text_escape_line(je.text, &why);
        sb_printf(err, _("JSON error at byte %zu: %s"), (size_t)je.position, sb_str(&why));
        sb_free(&why);
    }
    return root;
}

/* obj.a.b: a member of a member (NULL when either is missing or no object). */
static json_t *member2(const json_t *obj, const char *a, const char *b)
{
    return json_object_get(json_object_get(obj, a), b);
}

/* A boolean member, or fallback when it is missing or no boolean. */
static bool bool_or(const json_t *j, bool fallback)
{
    return json_is_boolean(j) ? json_is_true(j) : fallback;
}

static char *str_member(const json_t *obj, const char *key)
{
    return dup_or_empty(json_string_value(json_object_get(obj, key)));
}

static void parse_mounts(struct container_info *ci, const json_t *mounts)
{
    size_t n = json_array_size(mounts);
    ci->mounts = n ? xcalloc(n, sizeof *ci->mounts) : NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *m = json_array_get(mounts, i);
        const char *dst = json_string_value(json_object_get(m, "Destination"));
        if (!dst)
            continue;
        struct mount *out = &ci->mounts[ci->mount_count++];
        out->type = str_member(m, "Type");
        out->source = str_member(m, "Source");
        out->destination = xstrdup(dst);
        out->rw = bool_or(json_object_get(m, "RW"), true);
    }
}

int container_info_parse(struct container_info *ci, const char *text, size_t len, struct strbuf *err)
{
    *ci = (struct container_info){0};
    json_t *root = load_json(text, len, err);
    if (!root)
        return -1;
    const json_t *c = json_is_array(root) ? json_array_get(root, 0) : root;
    if (!json_is_object(c)) {
        sb_append(err, _("docker inspect printed no container"));
        json_decref(root);
        return -1;
    }
    const char *name = json_string_value(json_object_get(c, "Name"));
    if (name && *name == '/')
        name++;
    ci->name = dup_or_empty(name);
    ci->running = bool_or(member2(c, "State", "Running"), false);
    ci->status = dup_or_empty(json_string_value(member2(c, "State", "Status")));
    ci->image = dup_or_empty(json_string_value(member2(c, "Config", "Image")));
    const json_t *labels = member2(c, "Config", "Labels");
    ci->compose_project = str_member(labels, "com.docker.compose.project");
    ci->compose_working_dir = str_member(labels, "com.docker.compose.project.working_dir");
    parse_mounts(ci, json_object_get(c, "Mounts"));
    json_decref(root);
    return 0;
}

void container_info_free(struct container_info *ci)
{
    free(ci->name);
    free(ci->status);
    free(ci->image);
    free(ci->compose_project);
    free(ci->compose_working_dir);
    for (size_t i = 0; i < ci->mount_count; i++) {
        free(ci->mounts[i].type);
        free(ci->mounts[i].source);
        free(ci->mounts[i].destination);
    }
    free(ci->mounts);
    *ci = (struct container_info){0};
}

const char *image_tag(const char *image)
{
    /* name[:tag][@digest]: the tag follows the last ':' of the last path component (a
     * registry may have a port) and ends at '@'; version_parse accepts the digest suffix. */
    const char *slash = strrchr(image, '/');
    const char *last = slash ? slash + 1 : image;
    size_t upto = strcspn(last, "@");
    const char *colon = memchr(last, ':', upto);
    return colon ? colon + 1 : "";
}

int version_parse(const char *text, int v[3])
{
    const char *s = text;
    if (*s == 'v' || *s == 'V')
        s++;
    for (int i = 0; i < 3; i++) {
        if (!isdigit((unsigned char)*s))
            return -1;
        long n = 0;
        while (isdigit((unsigned char)*s) && n < 1000000)
            n = n * 10 + (*s++ - '0');
        v[i] = (int)n;
        if (i < 2 && *s++ != '.')
            return -1;
    }
    /* Allow a suffix such as "-rc1" or "@sha256:..." but not more digits. */
    return isdigit((unsigned char)*s) ? -1 : 0;
}

int version_compare(const int a[3], const int b[3])
{
    for (int i = 0; i < 3; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

char *nix_store_immich_version(const char *path)
{
    static const char store[] = "/nix/store/";
    for (const char *p = strstr(path, store); p; p = strstr(p + 1, store)) {
        const char *name = p + sizeof store - 1;
        const char *dash = strchr(name, '-');
        const char *end = name + strcspn(name, "/ ;\"");
        if (!dash || dash > end)
            continue;
        for (const char *q = dash; q && q < end; q = strchr(q + 1, '-')) {
            if (strncmp(q, "-immich-", 8) != 0 || !isdigit((unsigned char)q[8]))
                continue;
            char *ver = xstrndup(q + 8, (size_t)(end - q - 8));
            int v[3];
            if (version_parse(ver, v) == 0)
                return ver;
            free(ver);
        }
    }
    return NULL;
}

/* One backslash escape inside a quoted Environment= word (systemd's cescape plus the shell's
 * \" \\ \` \$). Appends the byte and returns how many input bytes it used, or 0 when the escape
 * is not one systemd writes (or would decode to a NUL). */
static size_t env_unescape(const char *s, struct strbuf *word)
{
    static const char simple[] = "n\nt\tr\ra\ab\bf\fv\v\\\\\"\"``$$''";
    for (size_t i = 0; simple[i]; i += 2)
        if (s[1] == simple[i]) {
            sb_append_char(word, simple[i + 1]);
            return 2;
        }
    int hi = s[1] == 'x' ? hex_digit_value(s[2]) : -1;
    int lo = hi >= 0 ? hex_digit_value(s[3]) : -1;
    if (lo >= 0) {
        if (hi == 0 && lo == 0)
            return 0;
        sb_append_char(word, (char)(hi << 4 | lo));
        return 4;
    }
    return 0;
}

/* One word of an Environment= value; *s is advanced past it. Returns false when it is
 * malformed (an unterminated quote, an unknown escape). */
static bool env_word(const char **s, struct strbuf *word)
{
    const char *p = *s;
    bool quoted = false, ok = true;
    while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
        size_t used = 1;
        if (*p == '"') {
            quoted = !quoted;
        } else if (*p == '\\' && quoted) {
            used = env_unescape(p, word);
            if (!used) {
                ok = false;
                used = 1;
            }
        } else {
            sb_append_char(word, *p);
        }
        p += used;
    }
    *s = p;
    return ok && !quoted;
}

/* Environment= value: assignments separated by blanks; systemd puts a word that needs it in
 * double quotes with C escapes. This is outside input: a malformed word is kept as written
 * (quotes and all), so that whoever reads the variable rejects it rather than a guess. */
static void parse_environment(struct unit_info *ui, const char *s)
{
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *start = s;
        struct strbuf word = {0};
        if (!env_word(&s, &word)) {
            sb_reset(&word);
            sb_append_len(&word, start, (size_t)(s - start));
        }
        ui->env = xrealloc(ui->env, (ui->env_count + 1) * sizeof *ui->env);
        ui->env[ui->env_count++] = sb_detach(&word);
    }
}

static char *exec_start_path(const char *value)
{
    const char *p = strstr(value, "path=");
    if (!p)
        return NULL;
    p += 5;
    return xstrndup(p, strcspn(p, " ;}"));
}

void unit_info_parse(struct unit_info *ui, const char *text)
{
    *ui = (struct unit_info){0};
    const char *line = text;
    while (*line) {
        size_t n = strcspn(line, "\n");
        char *l = xstrndup(line, n);
        char *eq = strchr(l, '=');
        if (eq) {
            *eq = '\0';
            const char *val = eq + 1;
            if (strcmp(l, "LoadState") == 0 && !ui->load_state) {
                ui->load_state = xstrdup(val);
            } else if (strcmp(l, "ActiveState") == 0 && !ui->active_state) {
                ui->active_state = xstrdup(val);
            } else if (strcmp(l, "Environment") == 0) {
                parse_environment(ui, val);
            } else if (strcmp(l, "ExecStart") == 0 && !ui->exec_path) {
                /* the first command with a path, and the version of that same command */
                ui->exec_path = exec_start_path(val);
                if (ui->exec_path)
                    ui->nix_version = nix_store_immich_version(val);
            }
        }
        free(l);
        line += n;
        if (*line)
            line++;
    }
}

void unit_info_free(struct unit_info *ui)
{
    free(ui->load_state);
    free(ui->active_state);
    free(ui->exec_path);
    free(ui->nix_version);
    for (size_t i = 0; i < ui->env_count; i++)
        free(ui->env[i]);
    free(ui->env);
    *ui = (struct unit_info){0};
}

const char *unit_env(const struct unit_info *ui, const char *key)
{
    size_t k = strlen(key);
    for (size_t i = ui->env_count; i-- > 0;)
        if (strncmp(ui->env[i], key, k) == 0 && ui->env[i][k] == '=')
            return ui->env[i] + k + 1;
    return NULL;
}

/* A host name Immich could listen on: letters, digits, '-', '_' and dots, no more than DNS
 * allows, and not a malformed IPv4 address ("127.1"). */
static bool is_host_name(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > 253 || h[0] == '-' || h[0] == '.' ||
        strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != n)
        return false;
    return strspn(h, "0123456789.") != n;
}

/* IMMICH_HOST as the host part of a URL. The "any address" values mean this machine's
 * loopback; "localhost" stays a name, since Immich may have bound ::1 or 127.0.0.1 and the
 * ping tries both. IPv6 literals get brackets. NULL (why set) for anything else. */
static char *url_host(const char *host, struct strbuf *why)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return xstrdup(a4.s_addr == htonl(INADDR_ANY) ? "127.0.0.1" : host);
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_UNSPECIFIED(&a6) ? xstrdup("[::1]") : xasprintf("[%s]", host);
    if (is_host_name(host))
        return xstrdup(host);
    struct strbuf safe = {0};
    text_escape_line(host, &safe);
    sb_printf(why, _("IMMICH_HOST=%s is no IP address or host name"), sb_str(&safe));
    sb_free(&safe);
    return NULL;
}

/* IMMICH_PORT: decimal 1-65535 (leading zeros allowed, as Immich's Number() does). */
static long url_port(const char *port, struct strbuf *why)
{
    size_t n = strlen(port);
    long v = n && n <= 5 && strspn(port, "0123456789") == n ? strtol(port, NULL, 10) : -1;
    if (v >= 1 && v <= 65535)
        return v;
    struct strbuf safe = {0};
    text_escape_line(port, &safe);
    if (why->len)
        sb_append(why, "; ");
    sb_printf(why, _("IMMICH_PORT=%s is no port number (1-65535)"), sb_str(&safe));
    sb_free(&safe);
    return -1;
}

char *unit_immich_url(const struct unit_info *ui, struct strbuf *why)
{
    const char *host = unit_env(ui, "IMMICH_HOST");
    const char *port = unit_env(ui, "IMMICH_PORT");
    /* Unset or empty: Immich's defaults, every address and port 2283. */
    char *h = url_host(host && *host ? host : "0.0.0.0", why);
    long p = url_port(port && *port ? port : "2283", why);
    char *url = h && p > 0 ? xasprintf("http://%s:%ld", h, p) : NULL;
    free(h);
    return url;
}
