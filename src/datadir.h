/* Where the program's data files (sandbox builder, stand-ins) are: $IMMICH_MIGRATE_DATADIR,
 * the installed pkgdatadir, or the source tree's data/ when run from the build tree. */
#ifndef IM_DATADIR_H
#define IM_DATADIR_H

/* Returns the malloc'd path of an existing data file, or NULL. */
char *datadir_file(const char *name);
/* The same for helper programs: $IMMICH_MIGRATE_LIBEXECDIR, the installed pkglibexecdir, or
 * src/tools/ beside the running binary in the build tree. */
char *libexec_file(const char *name);

#endif
