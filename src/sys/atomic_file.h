/* Writing files safely: new files 0600 with O_EXCL, replaced files via temp + fsync + rename. */
#ifndef IM_ATOMIC_FILE_H
#define IM_ATOMIC_FILE_H

#include "common.h"

/* Replaces path with data: writes path.tmp.XXXXXX (mkstemp, 0600), fsyncs it, renames it over
 * path and fsyncs the directory. Returns 0 or -1 with a message. */
int atomic_write_file(const char *path, const char *data, size_t len, struct strbuf *err);
/* Removes the path.tmp.XXXXXX files that a process killed inside atomic_write_file() left in
 * dir (the file itself is intact: the rename never happened): those of name, or with name NULL
 * all of them. Only for a directory that is ours and held by our lock (the state directory). */
void remove_stale_temps(const char *dir, const char *name);
/* Makes dir with mode 0700 if it does not exist (parents too). Refuses a symlink. */
int make_private_dir(const char *dir, struct strbuf *err);
/* Reads a whole (small) file. Returns 0, or -1 with errno set. */
int read_small_file(const char *path, struct strbuf *out);

#endif
