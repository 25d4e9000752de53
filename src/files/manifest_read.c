#include "common.h"
#include "files/manifest.h"
#include "files/manifest_read.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_HEADER_1 "# immich-migrate manifest 1: xxh64 size mtime type path"

int manifest_reader_open(struct manifest_reader *r, const char *path, struct strbuf *err)
{
    memset(r, 0, sizeof *r);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !(r->f = fdopen(fd, "r"))) {
        int e = fd < 0 ? errno : S_ISREG(st.st_mode) ? errno : EINVAL;
        sb_printf(err, _("cannot read the manifest %s: %s"), path, strerror(e));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    r->path_shown = xstrdup(path);
    ssize_t n = getline(&r->line, &r->cap, r->f);
    if (n > 0 && r->line[n - 1] == '\n') {
        r->line[n - 1] = '\0';
        if (strcmp(r->line, MANIFEST_HEADER_2) == 0)
            r->version = 2;
        else if (strcmp(r->line, MANIFEST_HEADER_1) == 0)
            r->version = 1;
    }
    if (!r->version) {
        sb_printf(err, _("%s is not an immich-migrate manifest (its first line is wrong)"), path);
        manifest_reader_close(r);
        return -1;
    }
    xxh64_init(&r->sum, 0);
    xxh64_update(&r->sum, r->line, (size_t)n - 1);
    xxh64_update(&r->sum, "\n", 1);
    r->line_no = 1;
    return 0;
}

static int bad_line(struct manifest_reader *r, struct strbuf *err)
{
    sb_printf(err, _("the manifest %s is damaged: line %lu cannot be read"), r->path_shown, r->line_no);
    return -1;
}

/* "# end N SUM": the entries and the checksum must match what was read. */
static int check_end(struct manifest_reader *r, struct strbuf *err)
{
    unsigned long long entries;
    char sum[17];
    int used = 0;
    if (sscanf(r->line, "# end %llu %16[0-9a-f]%n", &entries, sum, &used) != 2 ||
        r->line[used] != '\0' || strlen(sum) != 16)
        return bad_line(r, err);
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, xxh64_final(&r->sum));
    if (entries != r->entries || strcmp(sum, want) != 0) {
        sb_printf(err,
                  _("the manifest %s was changed after the backup: its end line does not "
                    "match its entries"),
                  r->path_shown);
        return -1;
    }
    /* nothing may follow the end line */
    if (getc(r->f) != EOF) {
        sb_printf(err, _("the manifest %s is damaged: lines after its end"), r->path_shown);
        return -1;
    }
    return 0;
}

static int parse_entry(struct manifest_reader *r, struct manifest_entry *e, struct strbuf *err)
{
    memset(e, 0, sizeof *e);
    char sum[17];
    unsigned long long size;
    long long sec;
    long nsec;
    unsigned mode = 0;
    unsigned long uid = 0, gid = 0;
    int used = 0, got;
    if (r->version == 2)
        got = sscanf(r->line, "%16s %llu %lld.%9ld %c %o %lu %lu %n", sum, &size, &sec, &nsec,
                     &e->type, &mode, &uid, &gid, &used);
    else
        got = sscanf(r->line, "%16s %llu %lld.%9ld %c %n", sum, &size, &sec, &nsec, &e->type, &used);
    if (got != (r->version == 2 ? 8 : 5) || used == 0 || !strchr("fhldpcb", e->type) || mode > 07777)
        return bad_line(r, err);
    if (strcmp(sum, "-") != 0) {
        char *end;
        if (strlen(sum) != 16)
            return bad_line(r, err);
        e->checksum = strtoull(sum, &end, 16);
        if (*end)
            return bad_line(r, err);
        e->has_checksum = true;
    }
    sb_reset(&r->name);
    if (manifest_unescape(r->line + used, &r->name) != 0 || r->name.len == 0)
        return bad_line(r, err);
    e->size = size;
    e->mtime_sec = sec;
    e->mtime_nsec = nsec;
    e->has_owner = r->version == 2;
    e->mode = (mode_t)mode;
    e->uid = (uid_t)uid;
    e->gid = (gid_t)gid;
    e->path = r->name.buf;
    return 1;
}

int manifest_next(struct manifest_reader *r, struct manifest_entry *e, struct strbuf *err)
{
    ssize_t n = getline(&r->line, &r->cap, r->f);
    r->line_no++;
    if (n < 0) {
        if (ferror(r->f)) {
            sb_printf(err, _("cannot read the manifest %s: %s"), r->path_shown, strerror(errno));
            return -1;
        }
        if (r->version == 1)
            return 0; /* version 1 had no end line */
        sb_printf(err, _("the manifest %s is incomplete: its end line is missing (truncated?)"),
                  r->path_shown);
        return -1;
    }
    if (r->line[n - 1] != '\n') {
        sb_printf(err, _("the manifest %s is incomplete: its last line is cut off"), r->path_shown);
        return -1;
    }
    r->line[n - 1] = '\0';
    if (r->version == 2 && strncmp(r->line, "# end ", 6) == 0)
        return check_end(r, err) == 0 ? 0 : -1;
    xxh64_update(&r->sum, r->line, (size_t)n - 1);
    xxh64_update(&r->sum, "\n", 1);
    r->entries++;
    return parse_entry(r, e, err);
}

void manifest_reader_close(struct manifest_reader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->line);
    free(r->path_shown);
    sb_free(&r->name);
    memset(r, 0, sizeof *r);
}
