#include "common.h"
#include "sys/fdio.h"
#include "sys/zread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define ZREAD_BLOCK (1u << 20)

struct zread {
    int fd;
    enum zread_kind kind;
    enum zread_error error;
    const char *detail;
    uint64_t raw_pos; /* plain and zstd: bytes read from fd, pre_len included */
    bool eof;
    gzFile gz;
    ZSTD_DCtx *zd;
    ZSTD_inBuffer zin;
    char *zbuf;       /* zstd: compressed input; plain: the pre bytes */
    size_t zstd_left; /* ZSTD_decompressStream's last hint: 0 = frame complete */
};

enum zread_kind zread_sniff(const void *head, size_t n)
{
    const unsigned char *m = head;
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        return ZREAD_GZIP;
    if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        return ZREAD_ZSTD;
    return ZREAD_PLAIN;
}

static bool open_gzip(struct zread *z)
{
    int fd = fcntl(z->fd, F_DUPFD_CLOEXEC, 0);
    z->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (!z->gz) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    gzbuffer(z->gz, ZREAD_BLOCK);
    return true;
}

struct zread *zread_open(int fd, enum zread_kind kind, const void *pre, size_t pre_len)
{
    if (kind == ZREAD_GZIP && pre_len) {
        errno = EINVAL;
        return NULL;
    }
    struct zread *z = xcalloc(1, sizeof *z);
    z->fd = fd;
    z->kind = kind;
    z->detail = "";
    z->raw_pos = pre_len;
    z->zbuf = xmalloc(kind == ZREAD_ZSTD ? ZREAD_BLOCK : pre_len ? pre_len : 1);
    if (pre_len) /* pre may be NULL when there is nothing to hand over */
        memcpy(z->zbuf, pre, pre_len);
    z->zin = (ZSTD_inBuffer){z->zbuf, pre_len, 0};
    bool ok = true;
    if (kind == ZREAD_GZIP)
        ok = open_gzip(z);
    else if (kind == ZREAD_ZSTD)
        ok = (z->zd = ZSTD_createDCtx()) != NULL;
    if (!ok) {
        zread_close(z);
        errno = EINVAL;
        return NULL;
    }
    return z;
}

static ssize_t fail(struct zread *z, enum zread_error e, const char *detail)
{
    z->error = e;
    z->detail = detail ? detail : "";
    return -1;
}

/* More compressed input for zstd. Returns 1, 0 at the end of the file, or -1. */
static int refill_zstd(struct zread *z)
{
    ssize_t n = read_full(z->fd, z->zbuf, ZREAD_BLOCK);
    if (n < 0)
        return (int)fail(z, ZREAD_IO, NULL);
    z->raw_pos += (uint64_t)n;
    z->zin = (ZSTD_inBuffer){z->zbuf, (size_t)n, 0};
    return n > 0;
}

/* At the end of the file a last call flushes what zstd still holds; the data is truncated
 * when the last call that did anything left a frame unfinished. */
static ssize_t read_zstd(struct zread *z, void *buf, size_t cap)
{
    ZSTD_outBuffer out = {buf, cap, 0};
    while (out.pos == 0) {
        if (z->zin.pos == z->zin.size && !z->eof) {
            int r = refill_zstd(z);
            if (r < 0)
                return -1;
            z->eof = r == 0;
        }
        size_t before = z->zin.pos;
        size_t rc = ZSTD_decompressStream(z->zd, &out, &z->zin);
        if (ZSTD_isError(rc))
            return fail(z, ZREAD_DAMAGED, ZSTD_getErrorName(rc));
        if (out.pos || z->zin.pos != before)
            z->zstd_left = rc;
        else if (z->eof)
            return z->zstd_left ? fail(z, ZREAD_TRUNCATED, NULL) : 0;
    }
    return (ssize_t)out.pos;
}

static ssize_t read_gzip(struct zread *z, void *buf, size_t cap)
{
    int errnum = Z_OK;
    int n = gzread(z->gz, buf, cap > (1u << 30) ? (1u << 30) : (unsigned)cap);
    if (n < 0)
        return fail(z, ZREAD_DAMAGED, gzerror(z->gz, &errnum));
    if (n == 0) {
        /* a gzip stream cut short reads as a clean end in gzread; gzerror tells */
        gzerror(z->gz, &errnum);
        if (errnum != Z_OK && errnum != Z_STREAM_END)
            return fail(z, ZREAD_TRUNCATED, NULL);
    }
    return n;
}

static ssize_t read_plain(struct zread *z, void *buf, size_t cap)
{
    if (z->zin.pos < z->zin.size) {
        size_t n = z->zin.size - z->zin.pos;
        n = n < cap ? n : cap;
        memcpy(buf, (const char *)z->zin.src + z->zin.pos, n);
        z->zin.pos += n;
        return (ssize_t)n;
    }
    ssize_t n = read_full(z->fd, buf, cap);
    if (n < 0)
        return fail(z, ZREAD_IO, NULL);
    z->raw_pos += (uint64_t)n;
    return n;
}

ssize_t zread_read(struct zread *z, void *buf, size_t cap)
{
    z->error = ZREAD_OK;
    z->detail = "";
    if (z->kind == ZREAD_ZSTD)
        return read_zstd(z, buf, cap);
    if (z->kind == ZREAD_GZIP)
        return read_gzip(z, buf, cap);
    return read_plain(z, buf, cap);
}

enum zread_error zread_error(const struct zread *z)
{
    return z->error;
}

const char *zread_detail(const struct zread *z)
{
    return z->detail;
}

uint64_t zread_raw_pos(const struct zread *z)
{
    if (z->kind == ZREAD_GZIP) {
        off_t o = gzoffset(z->gz);
        return o > 0 ? (uint64_t)o : 0;
    }
    return z->raw_pos;
}

void zread_close(struct zread *z)
{
    if (!z)
        return;
    if (z->gz)
        gzclose_r(z->gz);
    if (z->zd)
        ZSTD_freeDCtx(z->zd);
    free(z->zbuf);
    free(z);
}
