#include "discover/discover.h"
#include "sys/safepath.h"
#include "discover/docker.h"
#include "discover/http.h"
#include "discover/systemd.h"
#include "discover/target_pg.h"
#include "files/space.h"
#include "redact.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ext_mounts_add(struct ext_mounts *m, const char *container, const char *host)
{
    m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
    m->v[m->n].container = xstrdup(container);
    m->v[m->n].host = xstrdup(host);
    m->n++;
}

void ext_mounts_free(struct ext_mounts *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].container);
        free(m->v[i].host);
    }
    free(m->v);
    *m = (struct ext_mounts){0};
}

void discovery_free(struct discovery *d)
{
    free(d->compose_dir);
    dotenv_free(&d->env);
    sb_free(&d->env_error);
    container_info_free(&d->server);
    container_info_free(&d->ml);
    container_info_free(&d->db);
    sb_free(&d->docker_error);
    free(d->source_version);
    free(d->image_tag);
    free(d->upload_dest);
    ext_mounts_free(&d->external_mounts);
    free(d->src_extensions);
    sb_free(&d->src_db_error);
    unit_info_free(&d->unit);
    sb_free(&d->unit_error);
    free(d->dst_extensions);
    sb_free(&d->target_pg_error);
    *d = (struct discovery){0};
}

bool list_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *l = list ? list : ""; *l;) {
        size_t len = strcspn(l, "\n");
        if (len == n && memcmp(l, name, n) == 0)
            return true;
        l += len;
        if (*l)
            l++;
    }
    return false;
}

/* Sets a discovered value unless the user gave one (config, typed, command line). */
static void fill(struct plan *p, enum plan_key key, const char *value, const char *origin)
{
    if (!value || !*value || p->v[key].source != SRC_DEFAULT)
        return;
    plan_set(p, key, value, SRC_DISCOVERED, origin);
}

static bool has_compose_file(const char *dir)
{
    static const char *const names[] = {"docker-compose.yml", "docker-compose.yaml", "compose.yml",
                                        "compose.yaml"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *f = xasprintf("%s/%s", dir, names[i]);
        bool ok = access(f, R_OK) == 0;
        free(f);
        if (ok)
            return true;
    }
    return false;
}

static char *find_compose_dir(const struct discovery *d, const struct plan *p)
{
    if (*plan_get(p, PLAN_compose_dir))
        return xstrdup(plan_get(p, PLAN_compose_dir));
    if (d->server.compose_working_dir && *d->server.compose_working_dir)
        return xstrdup(d->server.compose_working_dir);
    const char *home = getenv("HOME");
    const char *const usual[] = {
        "/opt/immich", "/opt/immich-app", "/root/immich",           "/root/immich-app",
        "/srv/immich", "/srv/immich-app", "/home/immich/immich-app"};
    for (size_t i = 0; i < ARRAY_LEN(usual); i++)
        if (has_compose_file(usual[i]))
            return xstrdup(usual[i]);
    if (home) {
        char *h = xasprintf("%s/immich-app", home);
        if (has_compose_file(h))
            return h;
        free(h);
        h = xasprintf("%s/immich", home);
        if (has_compose_file(h))
            return h;
        free(h);
    }
    return NULL;
}

/* UPLOAD_LOCATION as an absolute path: relative ones are relative to the compose dir. */
static char *absolute_upload(const char *compose_dir, const char *value)
{
    if (value[0] == '/')
        return xstrdup(value);
    while (value[0] == '.' && value[1] == '/')
        value += 2;
    if (strcmp(value, ".") == 0)
        value = "";
    return *value ? xasprintf("%s/%s", compose_dir, value) : xstrdup(compose_dir);
}

static void read_env(struct discovery *d, struct plan *p)
{
    char *path = xasprintf("%s/.env", d->compose_dir);
    int rc = dotenv_load_file(&d->env, path, &d->env_error);
    /* The password is a secret from the moment we hold it, parse error or not. */
    redact_add_secret(dotenv_get(&d->env, "DB_PASSWORD"));
    d->env_loaded = rc == 0;
    char *origin = xasprintf("%s", path);
    const char *upload = dotenv_get(&d->env, "UPLOAD_LOCATION");
    if (upload && *upload) {
        char *abs = absolute_upload(d->compose_dir, upload);
        fill(p, PLAN_upload_location, abs, origin);
        free(abs);
    }
    fill(p, PLAN_db_username, dotenv_get(&d->env, "DB_USERNAME"), origin);
    fill(p, PLAN_db_database_name, dotenv_get(&d->env, "DB_DATABASE_NAME"), origin);
    free(origin);
    free(path);
}

static bool same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    if (strcmp(a, b) == 0)
        return true;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Mounts that are not the library and never hold photos (/etc/localtime, sockets, caches). */
static bool is_system_mount(const struct mount *m)
{
    static const char *const system[] = {"/etc", "/dev",     "/proc", "/sys",
                                         "/run", "/var/run", "/tmp",  "/cache"};
    if (strcmp(m->type, "bind") != 0)
        return true;
    for (size_t i = 0; i < ARRAY_LEN(system); i++) {
        size_t n = strlen(system[i]);
        if (strncmp(m->destination, system[i], n) == 0 &&
            (m->destination[n] == '/' || m->destination[n] == '\0'))
            return true;
    }
    struct stat st;
    return stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode);
}

static void find_mounts(struct discovery *d, struct plan *p)
{
    const char *upload = plan_get(p, PLAN_upload_location);
    const struct mount *um = NULL;
    for (size_t i = 0; i < d->server.mount_count && *upload; i++)
        if (same_dir(d->server.mounts[i].source, upload))
            um = &d->server.mounts[i];
    for (size_t i = 0; i < d->server.mount_count && !um; i++) {
        const char *dst = d->server.mounts[i].destination;
        if (strcmp(dst, "/usr/src/app/upload") == 0 || strcmp(dst, "/data") == 0)
            um = &d->server.mounts[i];
    }
    if (um) {
        d->upload_dest = xstrdup(um->destination);
        fill(p, PLAN_upload_location, um->source, "docker inspect");
    }
    for (size_t i = 0; i < d->server.mount_count; i++) {
        const struct mount *m = &d->server.mounts[i];
        if (m != um && !is_system_mount(m))
            ext_mounts_add(&d->external_mounts, m->destination, m->source);
    }
}

static void find_source_version(struct discovery *d, const struct plan *p, const struct reporter *rep)
{
    d->image_tag = xstrdup(image_tag(d->server.image ? d->server.image : ""));
    int v[3];
    if (version_parse(d->image_tag, v) == 0) {
        d->source_version = xasprintf("%d.%d.%d", v[0], v[1], v[2]);
        d->source_version_origin = N_("image tag");
        return;
    }
    /* Tags like "release" or "v2" name no version: the database knows what ran last. */
    struct strbuf out = {0}, err = {0};
    if (docker_psql(p, "select version from version_history order by \"createdAt\" desc limit 1",
                    &out, rep, &err) == 0 &&
        version_parse(sb_str(&out), v) == 0) {
        d->source_version = xasprintf("%d.%d.%d", v[0], v[1], v[2]);
        d->source_version_origin = N_("version_history table");
    }
    sb_free(&out);
    sb_free(&err);
}

static void query_source_db(struct discovery *d, const struct plan *p, const struct reporter *rep)
{
    struct strbuf out = {0};
    if (docker_psql(p, "select extname from pg_extension order by 1", &out, rep, &d->src_db_error) == 0)
        d->src_extensions = sb_detach(&out);
    sb_reset(&out);
    if (docker_psql(p, "select pg_database_size(current_database())", &out, rep, &d->src_db_error) == 0)
        d->db_bytes = strtoull(sb_str(&out), NULL, 10);
    sb_free(&out);
}

/* Size of the library (for the free-space check and the summary). upload_location itself may
 * be a symlink to the library (it is resolved, as every path setting is judged); below it the
 * walk never follows symlinks. */
static void measure_library(struct discovery *d, const struct plan *p)
{
    const char *upload = plan_get(p, PLAN_upload_location);
    struct library_size size;
    if (!*upload)
        return;
    char *real = path_resolve(upload);
    int rc = space_library(real ? real : upload, &size);
    free(real);
    if (rc != 0)
        return;
    d->lib_bytes = size.bytes;
    d->lib_files = size.files;
    d->lib_originals_bytes = size.originals;
    d->lib_walked = true;
}

void discover_source(struct discovery *d, struct plan *p, const struct reporter *rep)
{
    d->server_state =
        docker_inspect(p, plan_get(p, PLAN_server_container), &d->server, rep, &d->docker_error);
    d->compose_dir = find_compose_dir(d, p);
    if (d->compose_dir) {
        fill(p, PLAN_compose_dir, d->compose_dir,
             d->server.compose_working_dir && *d->server.compose_working_dir ? "docker inspect"
                                                                             : _("usual place"));
        read_env(d, p);
    }
    if (d->server_state == 0)
        find_mounts(d, p);
    struct strbuf scratch = {0};
    d->ml_state = docker_inspect(p, plan_get(p, PLAN_ml_container), &d->ml, rep, &scratch);
    if (d->ml_state != 0)
        sb_printf(&d->docker_error, "%s%s", d->docker_error.len ? "; " : "", sb_str(&scratch));
    sb_reset(&scratch);
    d->db_state = docker_inspect(p, plan_get(p, PLAN_db_container), &d->db, rep, &scratch);
    if (d->db_state != 0)
        sb_printf(&d->docker_error, "%s%s", d->docker_error.len ? "; " : "", sb_str(&scratch));
    sb_free(&scratch);
    if (d->db_state == 0 && d->db.running)
        query_source_db(d, p, rep);
    if (d->server_state == 0)
        find_source_version(d, p, rep);
    measure_library(d, p);
}

void discover_target(struct discovery *d, const struct plan *p, const struct reporter *rep)
{
    unit_info_free(&d->unit);
    sb_reset(&d->unit_error);
    free(d->dst_extensions);
    d->dst_extensions = NULL;
    sb_reset(&d->target_pg_error);
    d->unit_exists = false;
    d->dst_superuser = false;
    if (systemd_show(p, UNIT_SERVER, "LoadState,ActiveState,Environment,ExecStart", &d->unit, rep,
                     &d->unit_error) == 0)
        d->unit_exists = d->unit.load_state && strcmp(d->unit.load_state, "loaded") == 0;
    PGconn *conn = target_connect(p, NULL, &d->target_pg_error);
    if (!conn)
        return;
    PGresult *r = PQexec(conn, "select name from pg_available_extensions order by 1");
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        struct strbuf list = {0};
        for (int i = 0; i < PQntuples(r); i++)
            sb_printf(&list, "%s\n", PQgetvalue(r, i, 0));
        d->dst_extensions = sb_detach(&list);
    } else {
        sb_append(&d->target_pg_error, PQerrorMessage(conn));
    }
    PQclear(r);
    r = PQexec(conn, "select rolsuper from pg_roles where rolname = current_user");
    d->dst_superuser = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                       strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    PQfinish(conn);
}

static bool is_loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0;
}

/* Do two immich_urls reach the same server (same port; same host, or both loopback)? */
static bool same_address(const char *a, const char *b)
{
    char *ha = NULL, *pa = NULL, *xa = NULL, *hb = NULL, *pb = NULL, *xb = NULL;
    bool same = http_url_parse(a, &ha, &pa, &xa) == 0 && http_url_parse(b, &hb, &pb, &xb) == 0 &&
                atol(pa) == atol(pb) && (strcmp(ha, hb) == 0 || (is_loopback(ha) && is_loopback(hb)));
    free(ha);
    free(pa);
    free(xa);
    free(hb);
    free(pb);
    free(xb);
    return same;
}

int discover_immich_url(struct plan *p, const struct unit_info *ui, struct strbuf *note)
{
    if (!unit_env(ui, "IMMICH_HOST") && !unit_env(ui, "IMMICH_PORT"))
        return 0;
    struct strbuf why = {0};
    char *url = unit_immich_url(ui, &why);
    enum plan_source src = p->v[PLAN_immich_url].source;
    const char *now = plan_get(p, PLAN_immich_url);
    int rc = 0;
    if (!url) {
        sb_printf(note, _("%s: ignored, immich_url stays %s"), sb_str(&why), now);
        rc = -1;
    } else if (src == SRC_DEFAULT || src == SRC_DISCOVERED) {
        /* A value discovered before (say, before a nixos-rebuild) is brought up to date. */
        plan_set(p, PLAN_immich_url, url, SRC_DISCOVERED, "systemctl show " UNIT_SERVER);
    } else if (!same_address(url, now)) {
        sb_printf(note, _("%s listens at %s (IMMICH_HOST/IMMICH_PORT), but immich_url (%s) is %s"),
                  UNIT_SERVER, url, _(plan_source_label(src)), now);
        rc = -1;
    }
    free(url);
    sb_free(&why);
    return rc;
}

const char *discover_vector_extension(const struct discovery *d)
{
    bool vectors = list_has(d->src_extensions, "vectors");
    bool vchord = list_has(d->src_extensions, "vchord") || list_has(d->src_extensions, "vector");
    return vectors && vchord ? "vchord,vectors" : vectors ? "vectors" : vchord ? "vchord" : "";
}
