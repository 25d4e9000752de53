#include "common.h"
#include "pg/sql_input.h"
#include "sys/zread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    zread_close(in->z);
    in->z = NULL;
}

static const enum zread_kind kind_zread[] = {
    [SQL_INPUT_PLAIN] = ZREAD_PLAIN, [SQL_INPUT_GZIP] = ZREAD_GZIP, [SQL_INPUT_ZSTD] = ZREAD_ZSTD};

static int open_decoder(struct sql_input *in, struct strbuf *err)
{
    if (lseek(in->fd, 0, SEEK_SET) < 0) {
        sb_printf(err, _("cannot seek in %s: %s"), in->name, strerror(errno));
        return -1;
    }
    in->pos = in->len = 0;
    in->buf_offset = 0;
    in->eof = false;
    in->z = zread_open(in->fd, kind_zread[in->kind], NULL, 0);
    if (!in->z && in->kind == SQL_INPUT_GZIP)
        sb_printf(err, _("cannot read %s as gzip"), in->name);
    else if (!in->z)
        sb_printf(err, _("cannot start zstd decompression"));
    return in->z ? 0 : -1;
}

/* The sentence for a failed read. */
static void read_error(const struct sql_input *in, struct strbuf *err)
{
    bool gz = in->kind == SQL_INPUT_GZIP;
    switch (zread_error(in->z)) {
    case ZREAD_DAMAGED:
        sb_printf(err, gz ? _("%s: gzip data is damaged: %s") : _("%s: zstd data is damaged: %s"),
                  in->name, zread_detail(in->z));
        break;
    case ZREAD_TRUNCATED:
        sb_printf(err,
                  gz ? _("%s: the gzip data is truncated or damaged")
                     : _("%s: the zstd data is truncated"),
                  in->name);
        break;
    default: sb_printf(err, _("cannot read %s: %s"), in->name, strerror(errno)); break;
    }
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
    ssize_t r = zread_read(in->z, in->buf + in->len, in->cap - in->len);
    if (r < 0) {
        read_error(in, err);
        return -1;
    }
    if (r == 0) {
        in->eof = true;
        return 0;
    }
    in->len += (size_t)r;
    return 1;
}

uint64_t sql_input_raw_done(const struct sql_input *in)
{
    if (in->kind == SQL_INPUT_PLAIN)
        return in->buf_offset + in->pos; /* exact: what was consumed, not what was buffered */
    return in->z ? zread_raw_pos(in->z) : 0;
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
        sb_printf(err,
                  _("%s is a pg_dump custom-format archive, not a plain SQL dump: restore it "
                    "with pg_restore, or dump again with pg_dump --format=plain"),
                  in->name);
        return -1;
    }
    if (n >= 262 && memcmp(d + 257, "ustar", 5) == 0) {
        sb_printf(err,
                  _("%s is a tar archive (pg_dump --format=tar?), not a plain SQL dump: "
                    "restore it with pg_restore"),
                  in->name);
        return -1;
    }
    return 0;
}

/* Everything after the descriptor is known: type checks, compression, format. */
static int open_common(struct sql_input *in, struct strbuf *err)
{
    struct stat st;
    if (fstat(in->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        sb_printf(err,
                  S_ISDIR(st.st_mode) ? _("%s is a directory (a pg_dump directory-format "
                                          "archive? restore it with pg_restore)")
                                      : _("%s is not a regular file"),
                  in->name);
        return -1;
    }
    in->raw_size = (uint64_t)st.st_size;
    unsigned char magic[ZREAD_MAGIC_LEN] = {0};
    ssize_t m = pread(in->fd, magic, sizeof magic, 0);
    static const enum sql_input_kind kind_of[] = {
        [ZREAD_PLAIN] = SQL_INPUT_PLAIN, [ZREAD_GZIP] = SQL_INPUT_GZIP, [ZREAD_ZSTD] = SQL_INPUT_ZSTD};
    in->kind = kind_of[zread_sniff(magic, m > 0 ? (size_t)m : 0)];
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
    free(in->name);
    in->buf = in->name = NULL;
}
