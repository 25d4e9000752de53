/* The closing words of a migration, from its journal: counts, duration, where things are, the
 * NixOS settings to keep, and how to look at it all again later. */
#ifndef IM_FINISH_H
#define IM_FINISH_H

#include "session.h"

/* Appends "Migration finished." and the result (session_result), for batch mode. */
void session_summary(const struct session *s, struct strbuf *out);
/* Appends the result (summary.h): assets, time, the library archive and the database dump,
 * the NixOS settings file, the log and how to browse it, and the next steps. */
void session_result(const struct session *s, struct strbuf *out);
/* Appends the command that browses this migration's log later: immich-migrate --review, with
 * --state-dir DIR when the state directory is not the default one. */
void session_review_command(const struct session *s, struct strbuf *out);
/* Appends the services.immich settings matching the plan and the journal's artifacts. */
void session_nixos_settings(struct session *s, struct strbuf *out);
/* Writes those settings to STATE_DIR/NIXOS_SETTINGS_FILE (stages/nixos.h; replaced
 * atomically, mode 0600) and returns its path (caller frees), or NULL with a message in err.
 * A dry run writes nothing: NULL without a message. */
char *session_write_nixos_settings(struct session *s, struct strbuf *err);

#endif
