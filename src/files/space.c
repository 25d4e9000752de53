#include "common.h"
#include "files/space.h"
#include "files/linkmap.h"
#include "files/select.h"
#include "files/walk.h"
#include "sys/fsfree.h"

#include <errno.h>
#include <string.h>

int space_available(const char *dir, uint64_t *avail, struct strbuf *err)
{
    if (fs_available(dir, avail) != 0) {
        sb_printf(err, _("cannot check the free space in %s: %s"), dir, strerror(errno));
        return -1;
    }
    return 0;
}

struct tree_bytes {
    uint64_t bytes;
    struct linkmap links;
};

static enum walk_verdict add_file(void *ud, const struct walk_entry *e)
{
    struct tree_bytes *t = ud;
    if (!S_ISREG(e->st.st_mode))
        return WALK_CONTINUE;
    if (e->st.st_nlink > 1 && linkmap_first(&t->links, e->st.st_dev, e->st.st_ino, e->path))
        return WALK_CONTINUE; /* another name of a file already counted */
    t->bytes += (uint64_t)e->st.st_size;
    return WALK_CONTINUE;
}

uint64_t space_tree_bytes(const char *root)
{
    struct tree_bytes t = {0};
    struct stat st;
    if (lstat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    struct walk_ops ops = {.pre = add_file, .ud = &t};
    walk_tree(root, &ops);
    linkmap_free(&t.links);
    return t.bytes;
}

struct library_walk {
    struct library_size *size;
    struct linkmap all, originals; /* names seen of files with several names */
};

static enum walk_verdict add_library_entry(void *ud, const struct walk_entry *e)
{
    struct library_walk *w = ud;
    if (e->depth == 0 || !S_ISREG(e->st.st_mode))
        return WALK_CONTINUE;
    uint64_t size = (uint64_t)e->st.st_size;
    bool several = e->st.st_nlink > 1;
    w->size->files++;
    if (!several || !linkmap_first(&w->all, e->st.st_dev, e->st.st_ino, e->path))
        w->size->bytes += size;
    if (!backup_excludes(BACKUP_ORIGINALS, e->path, e->depth) &&
        (!several || !linkmap_first(&w->originals, e->st.st_dev, e->st.st_ino, e->path)))
        w->size->originals += size;
    return WALK_CONTINUE;
}

int space_library(const char *root, struct library_size *out)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    if (lstat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return -1;
    struct library_walk w = {.size = out};
    struct walk_ops ops = {.pre = add_library_entry, .ud = &w};
    long rc = walk_tree(root, &ops);
    linkmap_free(&w.all);
    linkmap_free(&w.originals);
    return rc < 0 ? -1 : 0;
}
