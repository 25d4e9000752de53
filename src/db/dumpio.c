#include "sys/fdio.h"
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
    uint64_t file_pos;
    gzFile gz;
    ZSTD_DCtx *zd;
    ZSTD_inBuffer zin;
    char *zbuf;
    bool zeof;
    char *map;      /* plain regular files: the whole file mapped */
    size_t map_len, released;
    char peek[4];   /* plain files: the bytes read to look for a magic number */
    size_t peek_len, peek_off;
};

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
    ssize_t n = read_full(fd, r->peek, sizeof r->peek);
    if (n < 0) {
        sb_printf(err, _("cannot read %s: %s"), path, strerror(errno));
        dump_reader_close(r);
        return NULL;
    }
    r->peek_len = (size_t)n;
    r->file_pos = r->peek_len;
    const unsigned char *m = (const unsigned char *)r->peek;
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        r->comp = DUMP_GZIP;
        if (lseek(fd, 0, SEEK_SET) != 0) {
            sb_printf(err, _("%s: a gzip input must be a regular file"), path);
            dump_reader_close(r);
            return NULL;
        }
        r->gz = gzdopen(fcntl(fd, F_DUPFD_CLOEXEC, 0), "rb");
        if (!r->gz) {
            sb_printf(err, _("cannot open %s: %s"), path, _("gzip stream"));
            dump_reader_close(r);
            return NULL;
        }
        gzbuffer(r->gz, IO_BLOCK);
    } else if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        r->comp = DUMP_ZSTD;
        r->zd = ZSTD_createDCtx();
        r->zbuf = xmalloc(IO_BLOCK);
        memcpy(r->zbuf, r->peek, r->peek_len);
        r->zin = (ZSTD_inBuffer){r->zbuf, r->peek_len, 0};
    } else {
        r->comp = DUMP_PLAIN;
    }
    return r;
}

static ssize_t read_zstd(struct dump_reader *r, char *buf, size_t cap, struct strbuf *err)
{
    ZSTD_outBuffer out = {buf, cap, 0};
    while (out.pos == 0) {
        if (r->zin.pos == r->zin.size) {
            if (r->zeof)
                return 0;
            ssize_t n = read_full(r->fd, r->zbuf, IO_BLOCK);
            if (n < 0) {
                sb_printf(err, _("read error: %s"), strerror(errno));
                return -1;
            }
            r->file_pos += (uint64_t)n;
            if (n == 0) {
                r->zeof = true;
                return 0;
            }
            r->zin = (ZSTD_inBuffer){r->zbuf, (size_t)n, 0};
        }
        size_t rc = ZSTD_decompressStream(r->zd, &out, &r->zin);
        if (ZSTD_isError(rc)) {
            sb_printf(err, _("zstd: %s"), ZSTD_getErrorName(rc));
            return -1;
        }
    }
    return (ssize_t)out.pos;
}

ssize_t dump_reader_read(struct dump_reader *r, char *buf, size_t cap, struct strbuf *err)
{
    if (r->comp == DUMP_ZSTD)
        return read_zstd(r, buf, cap, err);
    if (r->comp == DUMP_GZIP) {
        int n = gzread(r->gz, buf, cap > (1u << 30) ? (1u << 30) : (unsigned)cap);
        if (n < 0) {
            int code;
            sb_printf(err, _("gzip: %s"), gzerror(r->gz, &code));
            return -1;
        }
        r->file_pos = (uint64_t)gzoffset(r->gz);
        return n;
    }
    if (r->peek_off < r->peek_len) {
        size_t n = r->peek_len - r->peek_off;
        if (n > cap)
            n = cap;
        memcpy(buf, r->peek + r->peek_off, n);
        r->peek_off += n;
        return (ssize_t)n;
    }
    ssize_t n = read_full(r->fd, buf, cap);
    if (n < 0) {
        sb_printf(err, _("read error: %s"), strerror(errno));
        return -1;
    }
    r->file_pos += (uint64_t)n;
    return n;
}

enum dump_compression dump_reader_compression(const struct dump_reader *r)
{
    return r->comp;
}

uint64_t dump_reader_file_pos(const struct dump_reader *r)
{
    return r->file_pos;
}

uint64_t dump_reader_file_size(const struct dump_reader *r)
{
    return r->file_size;
}

const char *dump_reader_map(struct dump_reader *r, size_t *len)
{
    if (r->comp != DUMP_PLAIN || r->file_size == 0 || r->file_size > SIZE_MAX / 2 || r->peek_off)
        return NULL;
    if (!r->map) {
        void *m = mmap(NULL, (size_t)r->file_size, PROT_READ, MAP_PRIVATE, r->fd, 0);
        if (m == MAP_FAILED)
            return NULL;
        madvise(m, (size_t)r->file_size, MADV_SEQUENTIAL);
        r->map = m;
        r->map_len = (size_t)r->file_size;
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
    if (r->gz)
        gzclose(r->gz);
    if (r->zd)
        ZSTD_freeDCtx(r->zd);
    free(r->zbuf);
    close(r->fd);
    free(r);
}

struct dump_writer {
    int fd;
    char *path;
    enum dump_compression comp;
    char *buf;          /* plain: pending bytes; zstd: compressed output block */
    size_t len;
    ZSTD_CCtx *zc;
    gzFile gz;
    uint64_t bytes_in, bytes_out;
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
        w->bytes_out += (uint64_t)n;
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

uint64_t dump_writer_bytes_out(const struct dump_writer *w)
{
    return w->bytes_out;
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
