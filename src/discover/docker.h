/* The docker commands of the migration, always through the plan's docker_command. */
#ifndef IM_DOCKER_H
#define IM_DOCKER_H

#include "discover/inspect.h"
#include "docker_argv.h"
#include "plan.h"
#include "report.h"
#include "sys/spawn.h"

/* `docker inspect NAME`. Returns 0, 1 when the container does not exist, -1 on another
 * error (message in err). */
int docker_inspect(const struct plan *p, const char *name, struct container_info *ci,
                   const struct reporter *rep, struct strbuf *err);

/* `docker stop SERVER ML`, then `docker inspect` each to confirm it is not running. The
 * database container is never stopped. Containers already stopped are fine. */
int docker_stop_containers(const struct plan *p, const struct reporter *rep, struct strbuf *err);

/* Rollback for the wizard when a stage fails before the import: `docker start SERVER ML`.
 * Never touches volumes, the database container or the library. Returns 0 or -1 (err). */
int docker_rollback_start(const struct plan *p, const struct reporter *rep, struct strbuf *err);

/* Runs one query in the source database; rows in out ("\n"-separated, -At format).
 * Returns 0 or -1 with psql's message in err. */
int docker_psql(const struct plan *p, const char *sql, struct strbuf *out,
                const struct reporter *rep, struct strbuf *err);

#endif
