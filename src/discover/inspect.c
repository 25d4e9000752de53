#include "discover/inspect.h"
#include "discover/json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_empty(const char *s)
{
    return xstrdup(s ? s : "");
}

int container_info_parse(struct container_info *ci, const char *text, size_t len,
                         struct strbuf *err)
{
    *ci = (struct container_info){0};
    struct json *root = json_parse(text, len, err);
    if (!root)
        return -1;
    const struct json *c = root->type == JSON_ARRAY ? json_at(root, 0) : root;
    if (!c || c->type != JSON_OBJECT) {
        sb_append(err, _("docker inspect printed no container"));
        json_free(root);
        return -1;
    }
    const char *name = json_str(json_get(c, "Name"));
    if (name && *name == '/')
        name++;
    ci->name = dup_or_empty(name);
    ci->running = json_bool(json_path(c, "State.Running"), false);
    ci->status = dup_or_empty(json_str(json_path(c, "State.Status")));
    ci->image = dup_or_empty(json_str(json_path(c, "Config.Image")));
    const struct json *labels = json_path(c, "Config.Labels");
    ci->compose_project = dup_or_empty(json_str(json_get(labels, "com.docker.compose.project")));
    ci->compose_working_dir =
        dup_or_empty(json_str(json_get(labels, "com.docker.compose.project.working_dir")));
    const struct json *mounts = json_get(c, "Mounts");
    size_t n = json_count(mounts);
    ci->mounts = n ? xcalloc(n, sizeof *ci->mounts) : NULL;
    for (size_t i = 0; i < n; i++) {
        const struct json *m = json_at(mounts, i);
        const char *dst = json_str(json_get(m, "Destination"));
        if (!dst)
            continue;
        struct mount *out = &ci->mounts[ci->mount_count++];
        out->type = dup_or_empty(json_str(json_get(m, "Type")));
        out->source = dup_or_empty(json_str(json_get(m, "Source")));
        out->destination = xstrdup(dst);
        out->rw = json_bool(json_get(m, "RW"), true);
    }
    json_free(root);
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

/* Environment= value: assignments separated by blanks; systemd quotes those with blanks
 * using double quotes and C escapes. */
static void parse_environment(struct unit_info *ui, const char *s)
{
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        struct strbuf word = {0};
        bool quoted = false;
        for (; *s && (quoted || (*s != ' ' && *s != '\t')); s++) {
            if (*s == '"') {
                quoted = !quoted;
            } else if (*s == '\\' && s[1]) {
                s++;
                sb_append_char(&word, *s == 'n' ? '\n' : *s == 't' ? '\t' : *s);
            } else {
                sb_append_char(&word, *s);
            }
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
