#include "common.h"
#include "files/compare.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void meta_from_stat(struct entry_meta *m, const struct stat *st, const char *link)
{
    m->mode = st->st_mode;
    m->uid = st->st_uid;
    m->gid = st->st_gid;
    m->size = S_ISREG(st->st_mode) ? (int64_t)st->st_size : 0;
    m->mtime = st->st_mtim;
    m->link = link;
}

static void add_reason(struct strbuf *why, const char *reason)
{
    if (why->len)
        sb_append(why, ", ");
    sb_append(why, reason);
}

void meta_compare(const struct entry_meta *want, const struct entry_meta *have, struct strbuf *why)
{
    if ((want->mode & S_IFMT) != (have->mode & S_IFMT)) {
        add_reason(why, _("type"));
        return;
    }
    if (!S_ISLNK(want->mode) && (want->mode & 07777) != (have->mode & 07777))
        add_reason(why, _("mode"));
    if (want->uid != have->uid || want->gid != have->gid)
        add_reason(why, _("owner"));
    if (S_ISREG(want->mode) && want->size != have->size)
        add_reason(why, _("size"));
    if (want->mtime.tv_sec != have->mtime.tv_sec || want->mtime.tv_nsec != have->mtime.tv_nsec)
        add_reason(why, _("mtime"));
    if (S_ISLNK(want->mode) && strcmp(want->link ? want->link : "", have->link ? have->link : "") != 0)
        add_reason(why, _("link target"));
}

int content_equal(int fd_a, int fd_b, unsigned char *buf_a, unsigned char *buf_b, size_t buflen)
{
    for (;;) {
        ssize_t a = read_full(fd_a, buf_a, buflen);
        ssize_t b = read_full(fd_b, buf_b, buflen);
        if (a < 0 || b < 0)
            return -1;
        if (a != b || memcmp(buf_a, buf_b, (size_t)a) != 0)
            return 0;
        if ((size_t)a < buflen)
            return 1;
    }
}
