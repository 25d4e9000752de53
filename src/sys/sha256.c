#include "sys/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define CHUNK (1u << 20)

static int hash_fd(int fd, unsigned char *md, unsigned *mdlen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        errno = ENOMEM;
        return -1;
    }
    char *buf = xmalloc(CHUNK);
    ssize_t n;
    int rc = 0;
    while ((n = read(fd, buf, CHUNK)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && EVP_DigestFinal_ex(ctx, md, mdlen) != 1)
        rc = -1;
    free(buf);
    EVP_MD_CTX_free(ctx);
    return rc;
}

int sha256_fd_hex(int fd, const char *path, char hex[SHA256_HEX_LEN + 1], struct strbuf *err)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (lseek(fd, 0, SEEK_SET) != 0 || hash_fd(fd, md, &mdlen) < 0 || mdlen * 2 != SHA256_HEX_LEN ||
        lseek(fd, 0, SEEK_SET) != 0) {
        sb_printf(err, _("cannot read %s: %s"), path, strerror(errno));
        return -1;
    }
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

int sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN + 1], struct strbuf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        sb_printf(err, _("cannot read %s: %s"), path, strerror(errno));
        return -1;
    }
    int rc = sha256_fd_hex(fd, path, hex, err);
    close(fd);
    return rc;
}
