/* Reads a plain SQL dump as a byte stream: a file (plain, gzip or zstd — recognised by its
 * first bytes, not its name, and decoded by sys/zread) or "-" for stdin. Stdin cannot be read twice, and the importer
 * scans the input once before running it, so stdin is first copied to an unlinked 0600
 * temporary file (mkstemp in $TMPDIR or /tmp); that costs disk space, never memory.
 * Custom- and tar-format archives are refused with a hint to use pg_restore. */
#ifndef IM_SQL_INPUT_H
#define IM_SQL_INPUT_H

#include "common.h"

#include <sys/types.h>

enum sql_input_kind { SQL_INPUT_PLAIN, SQL_INPUT_GZIP, SQL_INPUT_ZSTD };

struct zread;

struct sql_input {
    char *name; /* for messages */
    int fd;
    enum sql_input_kind kind;
    uint64_t raw_size; /* size of the file as stored (compressed) */
    /* decompressed bytes: buf[pos..len) not consumed yet; buf[0] is stream offset buf_offset */
    char *buf;
    size_t pos, len, cap;
    uint64_t buf_offset;
    bool eof;
    struct zread *z; /* the decoder (sys/zread.h) */
};

/* Opens path ("-" = stdin). Returns 0, or -1 with a sentence in err. */
int sql_input_open(struct sql_input *in, const char *path, struct strbuf *err);
/* Reads from an open regular file (duplicated; the caller keeps fd): e.g. a file opened
 * before switching to another OS user. name is for messages. */
int sql_input_open_fd(struct sql_input *in, int fd, const char *name, struct strbuf *err);
/* Back to the first byte (for the second pass). */
int sql_input_rewind(struct sql_input *in, struct strbuf *err);
/* Reads more bytes after buf[len) (compacting or growing the buffer). Returns 1 when bytes
 * were added, 0 at the end of the input, -1 on a read or decompression error (err). */
int sql_input_fill(struct sql_input *in, struct strbuf *err);
void sql_input_close(struct sql_input *in);

static inline const char *sql_input_data(const struct sql_input *in)
{
    return in->buf + in->pos;
}
static inline size_t sql_input_avail(const struct sql_input *in)
{
    return in->len - in->pos;
}
static inline void sql_input_consume(struct sql_input *in, size_t n)
{
    in->pos += n;
}
/* Stream offset (decompressed) of the next unconsumed byte. */
static inline uint64_t sql_input_offset(const struct sql_input *in)
{
    return in->buf_offset + in->pos;
}
/* Bytes of the stored file read so far, for progress against raw_size. */
uint64_t sql_input_raw_done(const struct sql_input *in);

#endif
