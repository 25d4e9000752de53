/* Small helpers for file descriptors. */
#ifndef IM_FDIO_H
#define IM_FDIO_H

#include "common.h"

#include <sys/types.h>

/* Reads until len bytes or end of file (retrying EINTR and short reads). Returns the bytes
 * read (less than len only at end of file), or -1 with errno set. */
ssize_t read_full(int fd, void *buf, size_t len);

/* Appends everything fd has left to out (retrying EINTR). Returns 0, or -1 with errno set:
 * EFBIG when out grew past max bytes (what was read stays in out). */
int read_fd_all(int fd, size_t max, struct strbuf *out);

/* The value of a hexadecimal digit, or -1. */
int hex_digit_value(char c);

#endif
