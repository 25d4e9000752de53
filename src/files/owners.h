/* The owners manifest: every entry's owner and mode, saved before chown, so that
 * `immich-migrate restore-owners` can put them back exactly.
 *
 * The manifest is STATE_DIR/owners.manifest (0600): a first line
 * "immich-migrate-owners 1\tROOT\n", then one line per entry, in walk order:
 * "DEV\tINO\tUID\tGID\tMODE\tNLINK\tBTIME\tPATH\n" (decimal; MODE octal with the type bits;
 * BTIME the birth time "SEC.NSEC" or "-" where the file system keeps none: with DEV and INO
 * it tells a replaced entry, even one that got the freed inode number; PATH relative to ROOT,
 * "" for ROOT itself). ROOT and PATH are escaped: '\\', tab, newline,
 * every byte below 0x20 and 0x7f become "\xHH", so hostile names stay on one line. It is
 * written while the walk goes (memory does not grow with the library) into a temporary file
 * that is fsynced and renamed: a manifest that exists is complete. An existing manifest for
 * the same ROOT is kept (it holds the owners from before the first chown); one for another
 * ROOT is refused. */
#ifndef IM_FILES_OWNERS_H
#define IM_FILES_OWNERS_H

#include "common.h"
#include "report.h"

struct owners_stats {
    uint64_t entries;  /* entries in the manifest */
    uint64_t restored; /* entries given back their owner and mode */
    uint64_t vanished; /* no longer there */
    uint64_t replaced; /* another file (device, inode or type differ) now has the name */
    uint64_t failed;   /* could not be changed or read */
};

/* STATE_DIR/owners.manifest, malloc'd. */
char *owners_manifest_path(const char *state_dir);

/* Saves the owners and modes of dir (a resolved path, from chown_check_dir) and everything
 * below it, before anything changes. Makes state_dir (0700) when missing; removes temporary
 * manifests a killed run left there. Returns 0 (also when a manifest of dir was already
 * there: kept, and said through rep), -2 when report_cancelled() said stop (no manifest
 * written), or -1 + message. */
int owners_save(const char *dir, const char *state_dir, const struct reporter *rep, struct strbuf *err);

/* Reads only the manifest's root (malloc'd), or NULL + message (none, unreadable, bad). */
char *owners_manifest_root(const char *state_dir, struct strbuf *err);

/* Gives every entry of the manifest its recorded owner and mode back: fchownat and fchmodat
 * with AT_SYMLINK_NOFOLLOW, never through a symlink (parents opened beneath the root), each
 * inode once. An entry whose device, inode or type differ from the manifest is replaced and
 * left alone; vanished ones are reported. The root is judged (safepath, PATH_WRITE). Returns
 * 0 when everything was restored, -1 + message otherwise (each problem reported with its
 * path through rep). */
int owners_restore(const char *state_dir, const struct reporter *rep, struct owners_stats *stats,
                   struct strbuf *err);

/* Escaping of the manifest's names, exposed for tests. */
void owners_escape(const char *s, struct strbuf *out);
/* Decodes in place; -1 on a malformed escape. */
int owners_unescape(char *s);

#endif
