/* The fix-up's options and what it learns about a dump: the types below fixup.h, fixup_rows.h
 * and sqlline.h (implemented in fixup_stats.c). */
#ifndef IM_DB_FIXUP_TYPES_H
#define IM_DB_FIXUP_TYPES_H

#include "common.h"
#include "db/pathmap.h"

/* --role-map FROM=TO: owners and grantees named FROM become TO. */
struct role_map {
    char *from;
    char *to;
};

struct fixup_options {
    struct path_rules rules;
    struct role_map *roles;
    size_t nroles;
    const char *target_location;  /* MediaLocation is set to this; NULL = leave it */
    const char *cluster_database; /* the database taken from a pg_dumpall dump ("immich") */
    bool watch_other;             /* list other COPY fields that start with a mapped prefix */
};

void fixup_options_init(struct fixup_options *o);
void fixup_options_free(struct fixup_options *o);
/* "FROM=TO" for --role-map. Returns 0 or -1 (err). */
int fixup_options_add_role(struct fixup_options *o, const char *spec, struct strbuf *err);

#define FIXUP_SAMPLES 5

/* Per table and column: what happened to its values. */
struct fixup_column_stats {
    char *table;
    char *column;
    bool is_path; /* a path column (else: another field that looked like a path) */
    uint64_t rewritten;
    uint64_t left; /* path column: no rule matched; other: values seen, never changed */
    char *samples[FIXUP_SAMPLES]; /* path: first values left; other: first values seen */
    size_t nsamples;
    char *first_before, *first_after; /* path: the first rewritten value, before and after */
};

struct fixup_stats {
    struct fixup_column_stats *cols;
    size_t ncols;
    char **extensions; /* names from CREATE EXTENSION, in dump order */
    size_t nextensions;
    char *immich_version;     /* newest version_history row, or NULL */
    char *newest_migration;   /* newest kysely_migrations name, or NULL */
    char *old_media_location; /* system_metadata MediaLocation before, or NULL */
    bool media_location_set;
    bool media_location_unmapped; /* the old location matches no rule */
    int server_major;             /* "Dumped from database version" major, 0 unknown */
    bool cluster_dump;
    bool complete; /* the dump's "dump complete" line was seen */
    uint64_t search_path_fixed;
    uint64_t roles_mapped;
    uint64_t bytes_in, bytes_out, lines;
};

void fixup_stats_free(struct fixup_stats *st);
bool fixup_has_extension(const struct fixup_stats *st, const char *name);

#endif
