#include "discover/docker.h"

#include <string.h>

#define INSPECT_MAX (4 * 1024 * 1024)

static void trim_end(struct strbuf *sb)
{
    while (sb->len && (sb->buf[sb->len - 1] == '\n' || sb->buf[sb->len - 1] == '\r'))
        sb->buf[--sb->len] = '\0';
}

int docker_inspect(const struct plan *p, const char *name, struct container_info *ci,
                   const struct reporter *rep, struct strbuf *err)
{
    struct argv_builder a = {0};
    docker_argv(p, &a);
    argv_add(&a, "inspect");
    argv_add(&a, name);
    struct strbuf out = {0}, errout = {0};
    int rc = run_capture(rep, argv_get(&a), &out, INSPECT_MAX, &errout);
    argv_free(&a);
    int result = 0;
    *ci = (struct container_info){0};
    if (rc != 0) {
        trim_end(&errout);
        result = strstr(sb_str(&errout), "No such") ? 1 : -1;
        sb_printf(err, _("docker inspect %s failed: %s"), name,
                  errout.len ? sb_str(&errout) : _("could not run docker"));
    } else if (container_info_parse(ci, sb_str(&out), out.len, err) < 0) {
        result = -1;
    }
    sb_free(&out);
    sb_free(&errout);
    return result;
}

/* `docker VERB SERVER ML`. */
static int docker_server_ml(const struct plan *p, const char *verb, const struct reporter *rep,
                            struct strbuf *err)
{
    struct argv_builder a = {0};
    docker_argv(p, &a);
    argv_add(&a, verb);
    argv_add(&a, plan_get(p, PLAN_server_container));
    argv_add(&a, plan_get(p, PLAN_ml_container));
    struct strbuf errout = {0};
    int rc = run_capture(rep, argv_get(&a), NULL, 0, &errout);
    argv_free(&a);
    if (rc != 0) {
        trim_end(&errout);
        sb_printf(err, _("docker %s failed (exit %d): %s"), verb, rc, sb_str(&errout));
    }
    sb_free(&errout);
    return rc == 0 ? 0 : -1;
}

int docker_stop_containers(const struct plan *p, const struct reporter *rep, struct strbuf *err)
{
    if (docker_server_ml(p, "stop", rep, err) < 0)
        return -1;
    const enum plan_key keys[] = {PLAN_server_container, PLAN_ml_container};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        struct container_info ci;
        const char *name = plan_get(p, keys[i]);
        if (docker_inspect(p, name, &ci, rep, err) != 0)
            return -1;
        bool running = ci.running;
        container_info_free(&ci);
        if (running) {
            sb_printf(err, _("container %s is still running after docker stop"), name);
            return -1;
        }
    }
    report_msg(rep, REC_MESSAGE, _("Containers %s and %s are stopped; %s keeps running."),
               plan_get(p, PLAN_server_container), plan_get(p, PLAN_ml_container),
               plan_get(p, PLAN_db_container));
    return 0;
}

int docker_rollback_start(const struct plan *p, const struct reporter *rep, struct strbuf *err)
{
    report_msg(rep, REC_MESSAGE, _("Starting the Docker containers again (rollback)."));
    return docker_server_ml(p, "start", rep, err);
}

int docker_psql(const struct plan *p, const char *sql, struct strbuf *out,
                const struct reporter *rep, struct strbuf *err)
{
    struct argv_builder a = {0};
    docker_psql_argv(p, sql, false, &a);
    struct strbuf errout = {0};
    int rc = run_capture(rep, argv_get(&a), out, INSPECT_MAX, &errout);
    argv_free(&a);
    if (rc != 0) {
        trim_end(&errout);
        sb_printf(err, _("query in container %s failed: %s"), plan_get(p, PLAN_db_container),
                  sb_str(&errout));
    }
    sb_free(&errout);
    return rc == 0 ? 0 : -1;
}
