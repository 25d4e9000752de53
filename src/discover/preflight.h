/* Discovery plus pre-flight checks, shared by the "discover" stage and `immich-migrate check`.
 *
 * Stage artifacts set by the discover stage (read by later stages; all plain text):
 *   "upload_mount"       container path of the library mount, e.g. "/usr/src/app/upload"
 *   "external_mounts"    every other bind mount of the server container that may hold an
 *                        external library: "CONTAINER=HOST" pairs joined by ';', e.g.
 *                        "/mnt/photos=/srv/photos;/mnt/nas=/mnt/nas/pictures" ("" = none;
 *                        paths holding '=' or ';' are left out)
 *   "source_version"     Immich version of the Docker install, "1.135.3" (unset if unknown)
 *   "source_extensions"  extensions of the source database, comma-separated
 *   "source_vector_extension"  "vectors", "vchord", "vchord,vectors" or ""
 *   "dangling_paths_file"      path of the dangling-paths file (format in paths.h)
 * Set by the start stage: "immich_started_at" = "@EPOCH" (journalctl --since syntax).
 * Set by the verify stage: "verify_result" (see verify_result_from_artifact in summary.h).
 * Read by the nixos stage: "dump_extensions" and "dump_immich_version" (from fixup). */
#ifndef IM_PREFLIGHT_H
#define IM_PREFLIGHT_H

#include "discover/checks.h"
#include "discover/discover.h"

/* Discovers source and target, runs every check, and (when state_dir is set) scans the
 * source's paths for files already missing. write_dangling false = count only (dry run).
 * Returns the number of failed checks. */
int preflight_run(struct plan *p, const char *state_dir, bool write_dangling,
                  const struct reporter *rep, struct discovery *d, struct check_list *checks);

/* "a\nb\n" -> "a,b" (malloc'd). */
char *list_to_commas(const char *list);

#endif
