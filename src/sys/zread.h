/* Reading a file that may be compressed: gzip and zstd are recognised by their magic bytes,
 * not by the file name, and decoded in big sequential blocks. The one decoder under the SQL
 * dump readers of db/ (dumpio) and pg/ (sql_input); they word the errors. */
#ifndef IM_SYS_ZREAD_H
#define IM_SYS_ZREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum zread_kind { ZREAD_PLAIN, ZREAD_GZIP, ZREAD_ZSTD };

/* What went wrong in the last zread_read (see zread_error). */
enum zread_error {
    ZREAD_OK,
    ZREAD_IO,        /* reading the file failed: errno */
    ZREAD_DAMAGED,   /* the compressed data is invalid: zread_detail says how */
    ZREAD_TRUNCATED, /* the compressed data ends inside a frame or stream */
};

/* Bytes to read from the start of a file to tell its kind. */
#define ZREAD_MAGIC_LEN 4

/* The kind the first n bytes of a file show (fewer than ZREAD_MAGIC_LEN at a short file). */
enum zread_kind zread_sniff(const void *head, size_t n);

struct zread;

/* Starts decoding fd (not taken over; it must stay open) from its current offset. pre/pre_len:
 * bytes already read from fd just before that offset (a peek at the magic number), decoded
 * first; for ZREAD_GZIP pre_len must be 0 (seek back instead). Returns NULL (errno set, or
 * EINVAL when the decoder cannot start). */
struct zread *zread_open(int fd, enum zread_kind kind, const void *pre, size_t pre_len);
/* Reads up to cap decoded bytes. Returns the count, 0 at the end, -1 on an error
 * (zread_error, errno for ZREAD_IO). */
ssize_t zread_read(struct zread *z, void *buf, size_t cap);
enum zread_error zread_error(const struct zread *z);
/* The library's words for ZREAD_DAMAGED (valid until the next call), else "". */
const char *zread_detail(const struct zread *z);
/* Bytes of the stored (compressed) file consumed so far, pre_len included: for progress. */
uint64_t zread_raw_pos(const struct zread *z);
void zread_close(struct zread *z);

#endif
