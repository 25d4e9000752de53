/* SHA-256 of a file (OpenSSL's libcrypto), for the fixed dump's checksum in the journal.
 * SHA-256 rather than the manifest's XXH64: XXH64 only detects damage, anyone who can write
 * the file can also make it match a given XXH64; SHA-256 cannot be matched that way. */
#ifndef IM_SYS_SHA256_H
#define IM_SYS_SHA256_H

#include "common.h"

#define SHA256_HEX_LEN 64

/* Hashes the file at path (never through a symlink) into 64 lowercase hex digits plus NUL.
 * Returns 0, or -1 with a message. */
int sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN + 1], struct strbuf *err);
/* The same for an open file (named path in messages), read from its start; the offset is
 * back at 0 afterwards. */
int sha256_fd_hex(int fd, const char *path, char hex[SHA256_HEX_LEN + 1], struct strbuf *err);

#endif
