/* The migration-wide estimate shown with the checks (issue 12, item 6): from read and write
 * rates measured on the spot (a short read of some library files, a short write in
 * backup_dir) and the sizes discovery found, how long each step will take and how long
 * Immich will be down (from Stop Docker to Start Immich, every step in between). The real
 * figures are in the report (report_md.c). */
#ifndef IM_DISCOVER_ESTIMATE_H
#define IM_DISCOVER_ESTIMATE_H

#include <stdint.h>

#include "common.h"

/* Bytes per second; a rate not measured is assumed (ESTIMATE_ASSUMED_RATE) and says so. */
struct io_rates {
    double read_bps, write_bps;
    bool read_measured, write_measured;
};

#define ESTIMATE_ASSUMED_RATE (100.0 * 1024 * 1024)
/* What the measurement reads and writes at most. */
#define ESTIMATE_SAMPLE_BYTES (8u << 20)

/* Reads up to ESTIMATE_SAMPLE_BYTES of library's regular files (dropped from the page cache
 * first, so that the disk is measured, not the memory; never through a symlink) and, when
 * may_write and backup_dir is a directory, writes as much to a new private file there,
 * fdatasyncs it and removes it. Never fails: what cannot be measured is assumed. */
void estimate_measure_rates(const char *library, const char *backup_dir, bool may_write,
                            struct io_rates *r);

/* The sizes the estimate works from (discovery and the plan). */
struct estimate_input {
    uint64_t archive_bytes; /* what library_backup puts into the archive (0: none) */
    uint64_t lib_bytes, lib_files;
    uint64_t db_bytes; /* pg_database_size of the source */
    bool copy;         /* target_location is not the upload location */
    bool same_disk;    /* backup_dir / target_location on the library's file system */
};

#define ESTIMATE_STEPS 13
struct estimate_step {
    const char *title; /* N_(), the stage's title */
    double seconds;
    bool down; /* Immich is down while it runs */
};

struct estimate {
    bool valid;
    struct io_rates rates;
    struct estimate_step step[ESTIMATE_STEPS];
    size_t n;
    double down_seconds, total_seconds;
};

/* Fills e from the sizes and the rates. */
void estimate_compute(const struct estimate_input *in, const struct io_rates *r, struct estimate *e);
/* One line for the checks: "Immich down about 14 min 10 s (Stop Docker to Start Immich);
 * all steps about 15 min; read 180.0 MiB/s, write 150.0 MiB/s (measured)". */
void estimate_summary(const struct estimate *e, struct strbuf *out);
/* A line per step ("  Back up library: about 3 min 20 s"), then the downtime's line. */
void estimate_format(const struct estimate *e, struct strbuf *out);

#endif
