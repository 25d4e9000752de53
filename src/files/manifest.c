#include "sys/fdio.h"
#include "common.h"
#include "files/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void manifest_escape(const char *path, struct strbuf *out)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            sb_printf(out, "\\x%02x", *p);
        else
            sb_append_char(out, (char)*p);
    }
}

int manifest_unescape(const char *text, struct strbuf *out)
{
    for (const char *p = text; *p; p++) {
        if (*p != '\\') {
            sb_append_char(out, *p);
            continue;
        }
        if (p[1] != 'x')
            return -1;
        int hi = hex_digit_value(p[2]), lo = p[2] ? hex_digit_value(p[3]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return -1;
        sb_append_char(out, (char)(hi * 16 + lo));
        p += 3;
    }
    return 0;
}

char manifest_type(mode_t mode)
{
    if (S_ISREG(mode))
        return 'f';
    if (S_ISDIR(mode))
        return 'd';
    if (S_ISLNK(mode))
        return 'l';
    if (S_ISFIFO(mode))
        return 'p';
    if (S_ISCHR(mode))
        return 'c';
    if (S_ISBLK(mode))
        return 'b';
    return 's';
}

int manifest_open(struct manifest *m, const char *final_path, struct strbuf *err)
{
    memset(m, 0, sizeof *m);
    m->final_path = xstrdup(final_path);
    m->partial_path = xasprintf("%s.partial", final_path);
    unlink(m->partial_path); /* ours, from an interrupted run */
    int fd = open(m->partial_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || !(m->f = fdopen(fd, "w"))) {
        sb_printf(err, _("cannot create %s: %s"), m->partial_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(m->final_path);
        free(m->partial_path);
        memset(m, 0, sizeof *m);
        return -1;
    }
    xxh64_init(&m->sum, 0);
    static const char header[] = MANIFEST_HEADER_2 "\n";
    fputs(header, m->f);
    xxh64_update(&m->sum, header, sizeof header - 1);
    return 0;
}

void manifest_add(struct manifest *m, const char *path, const struct stat *st, char type,
                  bool has_checksum, uint64_t checksum)
{
    struct strbuf line = {0};
    if (has_checksum)
        sb_printf(&line, "%016" PRIx64, checksum);
    else
        sb_append(&line, "-");
    sb_printf(&line, " %lld %lld.%09ld %c %o %lu %lu ", (long long)st->st_size,
              (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec, type,
              (unsigned)(st->st_mode & 07777), (unsigned long)st->st_uid, (unsigned long)st->st_gid);
    manifest_escape(path, &line);
    sb_append_char(&line, '\n');
    fwrite(line.buf, 1, line.len, m->f);
    xxh64_update(&m->sum, line.buf, line.len);
    m->entries++;
    sb_free(&line);
}

static void manifest_release(struct manifest *m)
{
    free(m->final_path);
    free(m->partial_path);
    memset(m, 0, sizeof *m);
}

int manifest_commit(struct manifest *m, struct strbuf *err)
{
    int rc = 0;
    fprintf(m->f, "# end %llu %016" PRIx64 "\n", (unsigned long long)m->entries,
            xxh64_final(&m->sum));
    if (fflush(m->f) != 0 || ferror(m->f) || fsync(fileno(m->f)) != 0) {
        sb_printf(err, _("cannot write %s: %s"), m->partial_path, strerror(errno));
        rc = -1;
    }
    if (fclose(m->f) != 0 && rc == 0) {
        sb_printf(err, _("cannot write %s: %s"), m->partial_path, strerror(errno));
        rc = -1;
    }
    m->f = NULL;
    if (rc == 0 && rename(m->partial_path, m->final_path) != 0) {
        sb_printf(err, _("cannot rename %s: %s"), m->partial_path, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        unlink(m->partial_path);
    manifest_release(m);
    return rc;
}

void manifest_abort(struct manifest *m)
{
    if (!m->partial_path)
        return;
    if (m->f)
        fclose(m->f);
    unlink(m->partial_path);
    manifest_release(m);
}

int manifest_totals(const char *path, uint64_t *files, uint64_t *bytes)
{
    *files = *bytes = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) >= 0) {
        char sum[20], type;
        unsigned long long size;
        if (line[0] == '#' || sscanf(line, "%19s %llu %*s %c", sum, &size, &type) != 3)
            continue;
        if (type == 'f' || type == 'h')
            (*files)++;
        if (type == 'f')
            *bytes += size;
    }
    free(line);
    fclose(f);
    return 0;
}
