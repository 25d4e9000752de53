#include "common.h"
#include "pg/sql_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define INPUT_BUF (1u << 20)

/* Copies stdin to an unlinked 0600 temporary file and returns its descriptor. */
static int spool_stdin(struct strbuf *err)
{
    const char *dir = getenv("TMPDIR");
    char *path = xasprintf("%s/immich-migrate-stdin.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        sb_printf(err, _("cannot create a temporary file for stdin in %s: %s"),
                  dir && *dir ? dir : "/tmp", strerror(errno));
        free(path);
        return -1;
    }
    unlink(path);
    free(path);
    char *buf = xmalloc(INPUT_BUF);
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, INPUT_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            sb_printf(err, _("cannot read stdin: %s"), strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                sb_printf(err, _("cannot write the temporary copy of stdin: %s"), strerror(errno));
                goto fail;
            }
            off += w;
        }
    }
    free(buf);
    return fd;
fail:
    free(buf);
    close(fd);
    return -1;
}

static void close_decoder(struct sql_input *in)
{
    if (in->kind == SQL_INPUT_GZIP && in->dec)
        gzclose_r((gzFile)in->dec);
    else if (in->kind == SQL_INPUT_ZSTD && in->dec)
        ZSTD_freeDStream((ZSTD_DStream *)in->dec);
    in->dec = NULL;
}

static int open_decoder(struct sql_input *in, struct strbuf *err)
{
    if (lseek(in->fd, 0, SEEK_SET) < 0) {
        sb_printf(err, _("cannot seek in %s: %s"), in->name, strerror(errno));
        return -1;
    }
    in->pos = in->len = 0;
    in->buf_offset = 0;
    in->eof = false;
    in->raw_read = 0;
    in->zin_pos = in->zin_len = 0;
    in->zstd_left = 0;
    if (in->kind == SQL_INPUT_GZIP) {
        int fd = fcntl(in->fd, F_DUPFD_CLOEXEC, 0);
        gzFile gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (!gz) {
            if (fd >= 0)
                close(fd);
            sb_printf(err, _("cannot read %s as gzip"), in->name);
            return -1;
        }
        gzbuffer(gz, INPUT_BUF / 4);
        in->dec = gz;
    } else if (in->kind == SQL_INPUT_ZSTD) {
        ZSTD_DStream *z = ZSTD_createDStream();
        if (!z || ZSTD_isError(ZSTD_initDStream(z))) {
            sb_printf(err, _("cannot start zstd decompression"));
            if (z)
                ZSTD_freeDStream(z);
            return -1;
        }
        in->dec = z;
        if (!in->zin)
            in->zin = xmalloc(ZSTD_DStreamInSize());
    }
    return 0;
}

static ssize_t read_fd(struct sql_input *in, char *buf, size_t n)
{
    for (;;) {
        ssize_t r = read(in->fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r > 0)
            in->raw_read += (uint64_t)r;
        return r;
    }
}

static ssize_t read_zstd(struct sql_input *in, char *out, size_t n, struct strbuf *err)
{
    ZSTD_outBuffer ob = {out, n, 0};
    while (ob.pos == 0) {
        if (in->zin_pos == in->zin_len) {
            ssize_t r = read_fd(in, in->zin, ZSTD_DStreamInSize());
            if (r < 0) {
                sb_printf(err, _("cannot read %s: %s"), in->name, strerror(errno));
                return -1;
            }
            if (r == 0) {
                if (in->zstd_left) {
                    sb_printf(err, _("%s: the zstd data is truncated"), in->name);
                    return -1;
                }
                return 0;
            }
            in->zin_pos = 0;
            in->zin_len = (size_t)r;
        }
        ZSTD_inBuffer ib = {in->zin, in->zin_len, in->zin_pos};
        size_t rc = ZSTD_decompressStream((ZSTD_DStream *)in->dec, &ob, &ib);
        in->zin_pos = ib.pos;
        in->zstd_left = rc;
        if (ZSTD_isError(rc)) {
            sb_printf(err, _("%s: zstd data is damaged: %s"), in->name, ZSTD_getErrorName(rc));
            return -1;
        }
    }
    return (ssize_t)ob.pos;
}

int sql_input_fill(struct sql_input *in, struct strbuf *err)
{
    if (in->eof)
        return 0;
    if (in->pos > 0 && (in->pos == in->len || in->cap - in->len < in->cap / 4)) {
        memmove(in->buf, in->buf + in->pos, in->len - in->pos);
        in->len -= in->pos;
        in->buf_offset += in->pos;
        in->pos = 0;
    }
    if (in->len == in->cap) {
        in->cap = in->cap ? in->cap * 2 : INPUT_BUF;
        in->buf = xrealloc(in->buf, in->cap);
    }
    ssize_t r;
    size_t room = in->cap - in->len;
    if (in->kind == SQL_INPUT_GZIP) {
        int n = gzread((gzFile)in->dec, in->buf + in->len, room > INT32_MAX ? INT32_MAX : (unsigned)room);
        if (n < 0) {
            int zerr;
            const char *msg = gzerror((gzFile)in->dec, &zerr);
            sb_printf(err, _("%s: gzip data is damaged: %s"), in->name, msg);
            return -1;
        }
        r = n;
    } else if (in->kind == SQL_INPUT_ZSTD) {
        r = read_zstd(in, in->buf + in->len, room, err);
        if (r < 0)
            return -1;
    } else {
        r = read_fd(in, in->buf + in->len, room);
        if (r < 0) {
            sb_printf(err, _("cannot read %s: %s"), in->name, strerror(errno));
            return -1;
        }
    }
    if (r == 0) {
        if (in->kind == SQL_INPUT_GZIP) {
            /* a gzip stream cut short reads as a clean end in gzread; gzerror tells */
            int zerr = Z_OK;
            gzerror((gzFile)in->dec, &zerr);
            if (zerr != Z_OK && zerr != Z_STREAM_END) {
                sb_printf(err, _("%s: the gzip data is truncated or damaged"), in->name);
                return -1;
            }
        }
        in->eof = true;
        return 0;
    }
    in->len += (size_t)r;
    return 1;
}

uint64_t sql_input_raw_done(const struct sql_input *in)
{
    if (in->kind == SQL_INPUT_GZIP && in->dec) {
        off_t o = gzoffset((gzFile)in->dec);
        return o > 0 ? (uint64_t)o : 0;
    }
    if (in->kind == SQL_INPUT_PLAIN)
        return in->buf_offset + in->pos; /* exact: what was consumed, not what was buffered */
    return in->raw_read;
}

/* Refuses archives that need pg_restore. */
static int check_format(struct sql_input *in, struct strbuf *err)
{
    while (sql_input_avail(in) < 512) {
        int r = sql_input_fill(in, err);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
    }
    const char *d = sql_input_data(in);
    size_t n = sql_input_avail(in);
    if (n >= 5 && memcmp(d, "PGDMP", 5) == 0) {
        sb_printf(err, _("%s is a pg_dump custom-format archive, not a plain SQL dump: restore it "
                         "with pg_restore, or dump again with pg_dump --format=plain"), in->name);
        return -1;
    }
    if (n >= 262 && memcmp(d + 257, "ustar", 5) == 0) {
        sb_printf(err, _("%s is a tar archive (pg_dump --format=tar?), not a plain SQL dump: "
                         "restore it with pg_restore"), in->name);
        return -1;
    }
    return 0;
}

/* Everything after the descriptor is known: type checks, compression, format. */
static int open_common(struct sql_input *in, struct strbuf *err)
{
    struct stat st;
    if (fstat(in->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        sb_printf(err, S_ISDIR(st.st_mode) ? _("%s is a directory (a pg_dump directory-format "
                                               "archive? restore it with pg_restore)")
                                           : _("%s is not a regular file"), in->name);
        return -1;
    }
    in->raw_size = (uint64_t)st.st_size;
    unsigned char magic[4] = {0};
    ssize_t m = pread(in->fd, magic, sizeof magic, 0);
    if (m >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        in->kind = SQL_INPUT_GZIP;
    else if (m == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        in->kind = SQL_INPUT_ZSTD;
    else
        in->kind = SQL_INPUT_PLAIN;
    if (open_decoder(in, err) < 0 || check_format(in, err) < 0)
        return -1;
    return 0;
}

int sql_input_open(struct sql_input *in, const char *path, struct strbuf *err)
{
    memset(in, 0, sizeof *in);
    in->fd = -1;
    bool is_stdin = strcmp(path, "-") == 0;
    in->name = xstrdup(is_stdin ? _("standard input") : path);
    if (is_stdin) {
        in->fd = spool_stdin(err);
    } else {
        in->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0)
            sb_printf(err, _("cannot open %s: %s"), path, strerror(errno));
    }
    if (in->fd < 0 || open_common(in, err) < 0) {
        sql_input_close(in);
        return -1;
    }
    return 0;
}

int sql_input_open_fd(struct sql_input *in, int fd, const char *name, struct strbuf *err)
{
    memset(in, 0, sizeof *in);
    in->name = xstrdup(name);
    in->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (in->fd < 0)
        sb_printf(err, _("cannot read %s: %s"), name, strerror(errno));
    if (in->fd < 0 || open_common(in, err) < 0) {
        sql_input_close(in);
        return -1;
    }
    return 0;
}

int sql_input_rewind(struct sql_input *in, struct strbuf *err)
{
    close_decoder(in);
    return open_decoder(in, err);
}

void sql_input_close(struct sql_input *in)
{
    close_decoder(in);
    if (in->fd >= 0)
        close(in->fd);
    in->fd = -1;
    free(in->buf);
    free(in->zin);
    free(in->name);
    in->buf = in->zin = in->name = NULL;
}
