/* Reading and writing SQL dumps, plain or compressed, in big sequential blocks. Readers
 * recognise gzip and zstd by their magic bytes, not by the file name. */
#ifndef IM_DB_DUMPIO_H
#define IM_DB_DUMPIO_H

#include <sys/types.h>

#include "common.h"

enum dump_compression { DUMP_PLAIN, DUMP_GZIP, DUMP_ZSTD };

struct dump_reader;

/* Opens path ("-" = stdin). Returns NULL with a translated reason in err. */
struct dump_reader *dump_reader_open(const char *path, struct strbuf *err);
/* Reads up to cap uncompressed bytes. Returns the count, 0 at the end, -1 on error (err). */
ssize_t dump_reader_read(struct dump_reader *r, char *buf, size_t cap, struct strbuf *err);
/* A plain regular file mapped whole (read-only), or NULL: then use dump_reader_read. Pages
 * behind the reader can be given back with dump_reader_release. */
const char *dump_reader_map(struct dump_reader *r, size_t *len);
void dump_reader_release(struct dump_reader *r, size_t upto);
/* Bytes of the file consumed so far and the file's size (0 when unknown): for progress. */
uint64_t dump_reader_file_pos(const struct dump_reader *r);
uint64_t dump_reader_file_size(const struct dump_reader *r);
void dump_reader_close(struct dump_reader *r);

struct dump_writer;

/* Creates path (O_EXCL, mode 0600). threads > 1 lets zstd compress in parallel. */
struct dump_writer *dump_writer_create(const char *path, enum dump_compression comp, int threads,
                                       struct strbuf *err);
int dump_writer_write(struct dump_writer *w, const char *data, size_t len, struct strbuf *err);
/* Bytes handed to the writer (uncompressed) so far. */
uint64_t dump_writer_bytes_in(const struct dump_writer *w);
/* Flushes, optionally fsyncs, closes. Returns 0 or -1 (err); the writer is freed either way,
 * and on failure the file is removed. */
int dump_writer_finish(struct dump_writer *w, bool sync, struct strbuf *err);
/* Closes and removes the file. */
void dump_writer_abort(struct dump_writer *w);

/* The compression a file name asks for (".zst" / ".gz" / plain). */
enum dump_compression dump_compression_for_name(const char *path);

#endif
