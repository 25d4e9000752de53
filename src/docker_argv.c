#include "docker_argv.h"

void docker_argv(const struct plan *p, struct argv_builder *a)
{
    argv_add_words(a, plan_get(p, PLAN_docker_command));
}

void docker_psql_argv(const struct plan *p, const char *sql, bool nul_separated, struct argv_builder *a)
{
    docker_argv(p, a);
    argv_add(a, "exec");
    argv_add(a, plan_get(p, PLAN_db_container));
    argv_add(a, "psql");
    /* One word each: a value starting with "-" can never be read as another option. */
    argv_addf(a, "--username=%s", plan_get(p, PLAN_db_username));
    argv_addf(a, "--dbname=%s", plan_get(p, PLAN_db_database_name));
    argv_add(a, "-X");
    argv_add(a, "-At");
    argv_add(a, "-v");
    argv_add(a, "ON_ERROR_STOP=1");
    if (nul_separated)
        argv_add(a, "-0");
    argv_add(a, "-c");
    argv_add(a, sql);
}
