/* Rolling back to Docker: when a stage fails before the import, the old installation can be
 * started again. It never touches Docker's volumes or the source library. */
#ifndef IM_ROLLBACK_H
#define IM_ROLLBACK_H

#include "session.h"

/* True when failed_stage comes before the point of no return (the import) and the Docker
 * containers were stopped by this migration (stage.h: point_of_no_return, stops_source): then
 * starting them again gives the user the old installation back. */
bool rollback_possible(const struct session *s, const struct stage *failed_stage);
/* When chown saved the library's owners (STATE/owners.manifest, files/owners.h): a sentence
 * naming the command that puts them back, `immich-migrate restore-owners --state-dir DIR`
 * (malloc'd); NULL when there is no manifest. Shown when a stage fails. */
char *rollback_owners_hint(const struct session *s);
/* Puts back the owners and modes chown saved (owners_restore), recorded in the log as stage
 * "rollback"; once done the Set owner stage is pending again (a resume gives the library to
 * media_owner again). Returns 0 or -1 + message. */
int rollback_restore_owners(struct session *s, const struct reporter *outer, struct strbuf *err);
/* `docker start SERVER ML`, recorded in the log as stage "rollback". Returns 0 or -1. */
int rollback_start_docker(struct session *s, const struct reporter *outer, struct strbuf *err);

#endif
