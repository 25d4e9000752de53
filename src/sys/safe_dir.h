/* Directories that only we may write: backup_dir (the dumps the import loads), the state
 * directory (journal, lock) and where the subcommands put their outputs. A directory another
 * user can write lets that user swap a dump between its writing and its import.
 *
 * Rules, judged while the path is resolved component by component (symlinks followed):
 *  - the directory itself: owned by root or by us, and not group- or world-writable;
 *  - every directory on the way (and each symlink's directory): owned by root or by us, and
 *    not writable by group or others unless sticky (like /tmp); in a sticky one the entry we
 *    pass through must be ours or root's, so nobody else can rename or replace it.
 * A missing tail is fine: we create it 0700 (safe_dir_make checks again once it exists). */
#ifndef IM_SYS_SAFE_DIR_H
#define IM_SYS_SAFE_DIR_H

#include "common.h"

/* 0, or -1 with a sentence naming the offending directory ("/x is writable by other users
 * (mode 0777)"). */
int safe_dir_check(const char *dir, struct strbuf *err);
/* safe_dir_check with a whole refusal on error: "refusing WHAT DIR: why. What to do."
 * (WHAT translated, e.g. "the state directory"). Creates nothing. */
int safe_dir_judge(const char *what, const char *dir, struct strbuf *err);
/* safe_dir_judge (a whole refusal on error: "refusing WHAT DIR: why. What to do."), then
 * make_private_dir, then the check again on what now exists. */
int safe_dir_make(const char *what, const char *dir, struct strbuf *err);
/* The same check and refusal for the directory a file is (to be) written in. */
int safe_dir_judge_for_file(const char *file, struct strbuf *err);

#endif
