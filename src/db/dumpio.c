#include "sys/fdio.h"
#include "sys/zread.h"
#include "db/dumpio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define IO_BLOCK (1u << 20)

struct dump_reader {
    int fd;
    enum dump_compression comp;
    uint64_t file_size;
    uint64_t file_pos; /* mapped files: what dump_reader_release was told */
    struct zread *z;
    bool read_any; /* dump_reader_read was called: no mapping from the start then */
    char *map;     /* plain regular files: the whole file mapped */
    size_t map_len, released;
};

static const enum dump_compression comp_of_kind[] = {
    [ZREAD_PLAIN] = DUMP_PLAIN, [ZREAD_GZIP] = DUMP_GZIP, [ZREAD_ZSTD] = DUMP_ZSTD};

/* The decoder for the file behind r->fd, of which the first n bytes (peek) were read. */
static int open_decoder(struct dump_reader *r, const char *path, const char *peek, size_t n,
                        struct strbuf *err)
{
    enum zread_kind kind = zread_sniff(peek, n);
    r->comp = comp_of_kind[kind];
    if (kind == ZREAD_GZIP && lseek(r->fd, 0, SEEK_SET) != 0) {
        sb_printf(err, _("%s: a gzip input must be a regular file"), path);
        return -1;
    }
    r->z = zread_open(r->fd, kind, peek, kind == ZREAD_GZIP ? 0 : n);
    if (!r->z) {
        sb_printf(err, _("cannot open %s: %s"), path,
                  kind == ZREAD_GZIP ? _("gzip stream") : strerror(errno));
        return -1;
    }
    return 0;
}

struct dump_reader *dump_reader_open(const char *path, struct strbuf *err)
{
    int fd = strcmp(path, "-") == 0 ? fcntl(0, F_DUPFD_CLOEXEC, 0) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        sb_printf(err, _("cannot open %s: %s"), path, strerror(errno));
        return NULL;
    }
    struct dump_reader *r = xcalloc(1, sizeof *r);
    r->fd = fd;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        r->file_size = (uint64_t)st.st_size;
    char peek[ZREAD_MAGIC_LEN];
    ssize_t n = read_full(fd, peek, sizeof peek);
    if (n < 0)
        sb_printf(err, _("cannot read %s: %s"), path, strerror(errno));
    if (n < 0 || open_decoder(r, path, peek, (size_t)n, err) < 0) {
        dump_reader_close(r);
        return NULL;
    }
    return r;
}

ssize_t dump_reader_read(struct dump_reader *r, char *buf, size_t cap, struct strbuf *err)
{
    r->read_any = true;
    ssize_t n = zread_read(r->z, buf, cap);
    if (n >= 0)
        return n;
    bool gz = r->comp == DUMP_GZIP;
    switch (zread_error(r->z)) {
    case ZREAD_DAMAGED:
        sb_printf(err, gz ? _("gzip: %s") : _("zstd: %s"), zread_detail(r->z));
        break;
    case ZREAD_TRUNCATED:
        sb_printf(err, _("%s: the compressed data is truncated"), gz ? "gzip" : "zstd");
        break;
    default: sb_printf(err, _("read error: %s"), strerror(errno)); break;
    }
    return -1;
}

uint64_t dump_reader_file_pos(const struct dump_reader *r)
{
    return r->map ? r->file_pos : zread_raw_pos(r->z);
}

uint64_t dump_reader_file_size(const struct dump_reader *r)
{
    return r->file_size;
}

const char *dump_reader_map(struct dump_reader *r, size_t *len)
{
    if (r->comp != DUMP_PLAIN || r->file_size == 0 || r->file_size > SIZE_MAX / 2 || r->read_any)
        return NULL;
    if (!r->map) {
        void *m = mmap(NULL, (size_t)r->file_size, PROT_READ, MAP_PRIVATE, r->fd, 0);
        if (m == MAP_FAILED)
            return NULL;
        madvise(m, (size_t)r->file_size, MADV_SEQUENTIAL);
        r->map = m;
        r->map_len = (size_t)r->file_size;
        r->file_pos = zread_raw_pos(r->z);
    }
    *len = r->map_len;
    return r->map;
}

/* Drops mapped pages already processed, so the mapping does not keep the whole dump resident. */
void dump_reader_release(struct dump_reader *r, size_t upto)
{
    r->file_pos = upto;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    upto -= upto % page;
    if (!r->map || upto <= r->released + (16u << 20))
        return;
    madvise(r->map + r->released, upto - r->released, MADV_DONTNEED);
    r->released = upto;
}

void dump_reader_close(struct dump_reader *r)
{
    if (!r)
        return;
    if (r->map)
        munmap(r->map, r->map_len);
    zread_close(r->z);
    close(r->fd);
    free(r);
}

struct dump_writer {
    int fd;
    char *path;
    enum dump_compression comp;
    char *buf; /* plain: pending bytes; zstd: compressed output block */
    size_t len;
    ZSTD_CCtx *zc;
    gzFile gz;
    uint64_t bytes_in;
};

enum dump_compression dump_compression_for_name(const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".zst") == 0)
        return DUMP_ZSTD;
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
        return DUMP_GZIP;
    return DUMP_PLAIN;
}

static int write_all(struct dump_writer *w, const char *data, size_t len, struct strbuf *err)
{
    while (len) {
        ssize_t n = write(w->fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            sb_printf(err, _("cannot write %s: %s"), w->path, strerror(errno));
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

struct dump_writer *dump_writer_create(const char *path, enum dump_compression comp, int threads,
                                       struct strbuf *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        sb_printf(err, _("cannot create %s: %s"), path, strerror(errno));
        return NULL;
    }
    struct dump_writer *w = xcalloc(1, sizeof *w);
    w->fd = fd;
    w->path = xstrdup(path);
    w->comp = comp;
    w->buf = xmalloc(IO_BLOCK);
    if (comp == DUMP_ZSTD) {
        w->zc = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(w->zc, ZSTD_c_compressionLevel, 3);
        ZSTD_CCtx_setParameter(w->zc, ZSTD_c_checksumFlag, 1);
        if (threads > 1)
            ZSTD_CCtx_setParameter(w->zc, ZSTD_c_nbWorkers, threads); /* ignored without MT */
    } else if (comp == DUMP_GZIP) {
        w->gz = gzdopen(fcntl(fd, F_DUPFD_CLOEXEC, 0), "wb6");
        if (!w->gz) {
            sb_printf(err, _("cannot create %s: %s"), path, _("gzip stream"));
            dump_writer_abort(w);
            return NULL;
        }
    }
    return w;
}

/* Feeds data (or, with mode ZSTD_e_end, the end) through zstd into the file. */
static int zstd_feed(struct dump_writer *w, const char *data, size_t len, ZSTD_EndDirective mode,
                     struct strbuf *err)
{
    ZSTD_inBuffer in = {data, len, 0};
    for (;;) {
        ZSTD_outBuffer out = {w->buf, IO_BLOCK, 0};
        size_t rc = ZSTD_compressStream2(w->zc, &out, &in, mode);
        if (ZSTD_isError(rc)) {
            sb_printf(err, _("zstd: %s"), ZSTD_getErrorName(rc));
            return -1;
        }
        if (out.pos && write_all(w, w->buf, out.pos, err) < 0)
            return -1;
        if (mode == ZSTD_e_end ? rc == 0 : in.pos == in.size)
            return 0;
    }
}

int dump_writer_write(struct dump_writer *w, const char *data, size_t len, struct strbuf *err)
{
    w->bytes_in += len;
    if (w->comp == DUMP_ZSTD)
        return zstd_feed(w, data, len, ZSTD_e_continue, err);
    if (w->comp == DUMP_GZIP) {
        while (len) {
            unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
            if (gzwrite(w->gz, data, chunk) != (int)chunk) {
                int code;
                sb_printf(err, _("cannot write %s: %s"), w->path, gzerror(w->gz, &code));
                return -1;
            }
            data += chunk;
            len -= chunk;
        }
        return 0;
    }
    if (w->len + len > IO_BLOCK) {
        if (write_all(w, w->buf, w->len, err) < 0)
            return -1;
        w->len = 0;
        if (len >= IO_BLOCK)
            return write_all(w, data, len, err);
    }
    memcpy(w->buf + w->len, data, len);
    w->len += len;
    return 0;
}

uint64_t dump_writer_bytes_in(const struct dump_writer *w)
{
    return w->bytes_in;
}

static void writer_free(struct dump_writer *w)
{
    if (w->zc)
        ZSTD_freeCCtx(w->zc);
    if (w->fd >= 0)
        close(w->fd);
    free(w->buf);
    free(w->path);
    free(w);
}

int dump_writer_finish(struct dump_writer *w, bool sync, struct strbuf *err)
{
    int rc = 0;
    if (w->comp == DUMP_ZSTD)
        rc = zstd_feed(w, "", 0, ZSTD_e_end, err);
    else if (w->comp == DUMP_GZIP) {
        if (gzclose(w->gz) != Z_OK) {
            sb_printf(err, _("cannot write %s"), w->path);
            rc = -1;
        }
        w->gz = NULL;
    } else if (w->len)
        rc = write_all(w, w->buf, w->len, err);
    if (rc == 0 && sync && fsync(w->fd) < 0) {
        sb_printf(err, _("cannot write %s: %s"), w->path, strerror(errno));
        rc = -1;
    }
    if (close(w->fd) < 0 && rc == 0) {
        sb_printf(err, _("cannot write %s: %s"), w->path, strerror(errno));
        rc = -1;
    }
    w->fd = -1;
    if (rc < 0)
        unlink(w->path);
    writer_free(w);
    return rc;
}

void dump_writer_abort(struct dump_writer *w)
{
    if (!w)
        return;
    if (w->gz)
        gzclose(w->gz);
    unlink(w->path);
    writer_free(w);
}
