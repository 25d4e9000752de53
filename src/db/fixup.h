/* The dump fix-up: a streaming, column-aware rewrite of a plain SQL dump.
 * - the search_path line is fixed as the guide does (earthdistance needs public in the path);
 * - the path columns of both Immich schema generations get their prefixes mapped;
 * - system_metadata MediaLocation becomes the target location;
 * - owners and grantees are mapped from the source role to the target role;
 * - a pg_dumpall cluster dump is reduced to the one database's part.
 * It also learns what the dump is: Immich version, extensions, vector extension. */
#ifndef IM_DB_FIXUP_H
#define IM_DB_FIXUP_H

#include "common.h"
#include "report.h"
#include "db/dumpio.h"
#include "db/pathmap.h"

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
    bool is_path;       /* a path column (else: another field that looked like a path) */
    uint64_t rewritten;
    uint64_t left;      /* path column: no rule matched; other: values seen, never changed */
    char *samples[FIXUP_SAMPLES]; /* path: first values left; other: first values seen */
    size_t nsamples;
    char *first_before, *first_after; /* path: the first rewritten value, before and after */
};

struct fixup_stats {
    struct fixup_column_stats *cols;
    size_t ncols;
    char **extensions;           /* names from CREATE EXTENSION, in dump order */
    size_t nextensions;
    char *immich_version;        /* newest version_history row, or NULL */
    char *newest_migration;      /* newest kysely_migrations name, or NULL */
    char *old_media_location;    /* system_metadata MediaLocation before, or NULL */
    bool media_location_set;
    bool media_location_unmapped; /* the old location matches no rule */
    int server_major;            /* "Dumped from database version" major, 0 unknown */
    bool cluster_dump;
    bool complete;               /* the dump's "dump complete" line was seen */
    uint64_t search_path_fixed;
    uint64_t roles_mapped;
    uint64_t bytes_in, bytes_out, lines;
};

void fixup_stats_free(struct fixup_stats *st);
/* "vectors", "vchord", "vector", or NULL when the dump creates none of them. */
const char *fixup_vector_extension(const struct fixup_stats *st);
bool fixup_has_extension(const struct fixup_stats *st, const char *name);

/* Reads in, writes out (NULL = only learn about the dump). Returns 0, or -1 with a
 * translated reason in err. Progress in bytes of the input file. */
int fixup_run(const struct fixup_options *o, struct dump_reader *in, struct dump_writer *out,
              const struct reporter *rep, struct fixup_stats *st, struct strbuf *err);

/* The human-readable report. */
void fixup_report_text(const struct fixup_options *o, const struct fixup_stats *st,
                       struct strbuf *out);

/* Convenience: scan a dump file and return what it is (no output). */
int fixup_scan_file(const char *path, const char *cluster_database, struct fixup_stats *st,
                    struct strbuf *err);

#endif
