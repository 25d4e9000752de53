#include "common.h"
#include "discover/estimate.h"
#include "files/fsutil.h"
#include "files/walk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)
/* Fewer bytes than this say more about opening files than about the disk (a library so small
 * takes no time anyway). */
#define MIN_SAMPLE (64u << 10)

/* The sample reads at most this many files: a library of tiny files is not walked to its end. */
#define MAX_SAMPLE_FILES 256

struct read_sample {
    unsigned char *buf;
    unsigned files;
    uint64_t bytes;
    double seconds;
};

static enum walk_verdict sample_file(void *ud, const struct walk_entry *e)
{
    struct read_sample *s = ud;
    if (s->bytes >= ESTIMATE_SAMPLE_BYTES || s->files >= MAX_SAMPLE_FILES)
        return WALK_STOP;
    if (!S_ISREG(e->st.st_mode) || e->st.st_size == 0)
        return WALK_CONTINUE; /* markers measure the open, not the disk */
    int fd = open_for_reading(e->dirfd, e->name, &e->st);
    if (fd < 0)
        return WALK_CONTINUE;
    s->files++;
    /* drop its cached pages (clean pages only: harmless) so that the read goes to the disk */
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    double t0 = now_monotonic();
    for (;;) {
        size_t want = ESTIMATE_SAMPLE_BYTES - s->bytes < READ_CHUNK
                          ? (size_t)(ESTIMATE_SAMPLE_BYTES - s->bytes)
                          : READ_CHUNK;
        ssize_t n = want ? read(fd, s->buf, want) : 0;
        if (n <= 0)
            break;
        s->bytes += (uint64_t)n;
    }
    s->seconds += now_monotonic() - t0;
    close(fd);
    return s->bytes >= ESTIMATE_SAMPLE_BYTES ? WALK_STOP : WALK_CONTINUE;
}

static void measure_read(const char *library, struct io_rates *r, unsigned char *buf)
{
    struct read_sample s = {.buf = buf};
    struct walk_ops ops = {.pre = sample_file, .ud = &s};
    walk_tree(library, &ops);
    if (s.bytes >= MIN_SAMPLE && s.seconds > 0) {
        r->read_bps = (double)s.bytes / s.seconds;
        r->read_measured = true;
    }
}

static void measure_write(const char *backup_dir, struct io_rates *r, unsigned char *buf)
{
    struct stat st;
    if (lstat(backup_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    char *path = xasprintf("%s/.immich-migrate-speed.XXXXXX", backup_dir);
    int fd = mkostemp(path, O_CLOEXEC); /* 0600, O_EXCL */
    if (fd < 0) {
        free(path);
        return;
    }
    /* Written through the descriptor only: a run killed while it measures leaves no 8 MiB
     * file behind in the backup directory. */
    unlink(path);
    free(path);
    /* not zeros: a compressing file system would make them free */
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i + 8 <= READ_CHUNK; i += 8) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        memcpy(buf + i, &x, 8);
    }
    double t0 = now_monotonic();
    uint64_t done = 0;
    while (done < ESTIMATE_SAMPLE_BYTES) {
        buf[0]++; /* each chunk other than the last */
        ssize_t n = write(fd, buf, READ_CHUNK);
        if (n <= 0)
            break;
        done += (uint64_t)n;
    }
    bool ok = done >= ESTIMATE_SAMPLE_BYTES && fdatasync(fd) == 0;
    double took = now_monotonic() - t0;
    close(fd);
    if (ok && took > 0) {
        r->write_bps = (double)done / took;
        r->write_measured = true;
    }
}

void estimate_measure_rates(const char *library, const char *backup_dir, bool may_write,
                            struct io_rates *r)
{
    r->read_bps = r->write_bps = ESTIMATE_ASSUMED_RATE;
    r->read_measured = r->write_measured = false;
    unsigned char *buf = xmalloc(READ_CHUNK);
    if (library && *library)
        measure_read(library, r, buf);
    if (may_write && backup_dir && *backup_dir)
        measure_write(backup_dir, r, buf);
    if (!r->write_measured && r->read_measured)
        r->write_bps = r->read_bps; /* the best guess there is */
    free(buf);
}

static void add_step(struct estimate *e, const char *title, double seconds, bool down)
{
    if (e->n >= ESTIMATE_STEPS)
        return;
    e->step[e->n++] = (struct estimate_step){.title = title, .seconds = seconds, .down = down};
    e->total_seconds += seconds;
    if (down)
        e->down_seconds += seconds;
}

/* Reading n bytes and writing them elsewhere: one after the other on one disk, side by side
 * (the slower one counts) on two. */
static double move_seconds(double n, const struct io_rates *r, bool same_disk)
{
    double rd = n / r->read_bps, wr = n / r->write_bps;
    return same_disk ? rd + wr : (rd > wr ? rd : wr);
}

void estimate_compute(const struct estimate_input *in, const struct io_rates *r, struct estimate *e)
{
    memset(e, 0, sizeof *e);
    e->rates = *r;
    e->valid = true;
    double db = (double)in->db_bytes, lib = (double)in->lib_bytes, arc = (double)in->archive_bytes;
    /* The fixed costs are the sandbox's and a home server's typical figures; the rest scales
     * with the sizes. The dump is about half the database (no indexes); the import writes
     * the tables and builds the indexes (about the database's size, twice over). */
    add_step(e, N_("Discover & check"), 5, false);
    /* With a new target_location the pre-copy moves the library while Immich still runs;
     * after the stop the catch-up walks both trees (what changed meanwhile is small) and its
     * verification reads the source and the copy. */
    add_step(e, N_("Pre-copy library"), in->copy ? move_seconds(lib, r, in->same_disk) : 0, false);
    add_step(e, N_("Stop Docker"), 10, true);
    add_step(e, N_("Back up library"), move_seconds(arc, r, in->same_disk), true);
    add_step(e, N_("Verify backup"), arc / r->read_bps, true); /* the archive only */
    add_step(e, N_("Dump database"), move_seconds(db / 2, r, true), true);
    add_step(e, N_("Fix up dump"), move_seconds(db / 2, r, true), true);
    add_step(e, N_("Configure NixOS"), 30, true);
    add_step(e, N_("Prepare database"), 2, true);
    add_step(e, N_("Import dump"), db / 2 / r->read_bps + 2 * db / r->write_bps, true);
    add_step(e, N_("Copy library"),
             in->copy ? (double)in->lib_files * 40e-6 + 2 * lib / r->read_bps : 0, true);
    add_step(e, N_("Set owner"), 2 + (double)in->lib_files * 20e-6, true);
    add_step(e, N_("Start Immich"), 30, true);
}

static void put_rate(double bps, bool measured, struct strbuf *out)
{
    format_bytes((uint64_t)bps, out);
    sb_append(out, measured ? _("/s (measured)") : _("/s (assumed)"));
}

void estimate_summary(const struct estimate *e, struct strbuf *out)
{
    struct strbuf down = {0}, all = {0};
    format_seconds(e->down_seconds, &down);
    format_seconds(e->total_seconds, &all);
    sb_printf(out,
              _("Immich down about %s (Stop Docker to Start Immich); all steps about %s; "
                "read "),
              sb_str(&down), sb_str(&all));
    put_rate(e->rates.read_bps, e->rates.read_measured, out);
    sb_append(out, _(", write "));
    put_rate(e->rates.write_bps, e->rates.write_measured, out);
    sb_free(&down);
    sb_free(&all);
}

void estimate_format(const struct estimate *e, struct strbuf *out)
{
    for (size_t i = 0; i < e->n; i++) {
        sb_printf(out, _("  %s: about "), _(e->step[i].title));
        format_seconds(e->step[i].seconds, out);
        sb_append_char(out, '\n');
    }
    sb_append(out, _("  Immich down (Stop Docker to Start Immich): about "));
    format_seconds(e->down_seconds, out);
    sb_append(out, _("\n  Rates: read "));
    put_rate(e->rates.read_bps, e->rates.read_measured, out);
    sb_append(out, _(", write "));
    put_rate(e->rates.write_bps, e->rates.write_measured, out);
    sb_append_char(out, '\n');
}
