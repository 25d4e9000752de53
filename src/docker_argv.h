/* The docker command lines of the migration, always through the plan's docker_command. Only
 * builds argv: running them is the caller's (discover/docker.c, db/dump.c, the stages). */
#ifndef IM_DOCKER_ARGV_H
#define IM_DOCKER_ARGV_H

#include "plan.h"
#include "sys/spawn.h"

#include <stdbool.h>

/* Starts an argv with the words of docker_command. */
void docker_argv(const struct plan *p, struct argv_builder *a);

/* Builds `docker exec DB psql -U DB_USERNAME -d DB_DATABASE_NAME -X -At [-0] -c SQL`. */
void docker_psql_argv(const struct plan *p, const char *sql, bool nul_separated,
                      struct argv_builder *a);

#endif
