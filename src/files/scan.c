#include "common.h"
#include "files/scan.h"
#include "files/fsutil.h"
#include "files/linkmap.h"
#include "files/walk.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

struct scan_ctx {
    const char *root;
    const struct reporter *rep;
    struct scan_totals *t;
    enum backup_strategy strategy;
    struct linkmap links; /* files with several names, to count their size once */
};

static void scan_problem(struct scan_ctx *c, const char *path, const char *why)
{
    struct strbuf shown = {0};
    display_path(c->root, path, &shown);
    report_msg(c->rep, REC_ERROR, _("cannot read %s: %s"), sb_str(&shown), why);
    sb_free(&shown);
    c->t->problems++;
}

static enum walk_verdict scan_pre(void *ud, const struct walk_entry *e)
{
    struct scan_ctx *c = ud;
    if (report_cancelled(c->rep))
        return WALK_STOP;
    if (e->depth == 0)
        return WALK_CONTINUE;
    if (backup_excludes(c->strategy, e->path, e->depth))
        return S_ISDIR(e->st.st_mode) ? WALK_PRUNE : WALK_CONTINUE;
    c->t->entries++;
    if (S_ISREG(e->st.st_mode)) {
        c->t->files++;
        c->t->bytes += (uint64_t)e->st.st_size;
        if (e->st.st_nlink < 2 || !linkmap_first(&c->links, e->st.st_dev, e->st.st_ino, e->path))
            c->t->unique_bytes += (uint64_t)e->st.st_size;
        /* Permission bits, ACLs, root: faccessat asks the kernel the real question. */
        if (faccessat(e->dirfd, e->name, R_OK, AT_EACCESS) != 0)
            scan_problem(c, e->path, strerror(errno));
    } else if (S_ISSOCK(e->st.st_mode)) {
        scan_problem(c, e->path, _("a socket cannot be archived or copied"));
    }
    return WALK_CONTINUE;
}

static enum walk_verdict scan_error(void *ud, const char *path, const char *what, int err)
{
    struct scan_ctx *c = ud;
    scan_problem(c, path, strerror(err));
    return WALK_CONTINUE;
}

int scan_tree(const char *root, const struct reporter *rep, struct scan_totals *t)
{
    return scan_tree_selected(root, BACKUP_ARCHIVE, rep, t);
}

int scan_tree_selected(const char *root, enum backup_strategy s, const struct reporter *rep,
                       struct scan_totals *t)
{
    memset(t, 0, sizeof *t);
    struct scan_ctx c = {.root = root, .rep = rep, .t = t, .strategy = s};
    struct walk_ops ops = {.pre = scan_pre, .error = scan_error, .ud = &c};
    report_msg(rep, REC_MESSAGE, _("Scanning %s ..."), root);
    /* walk errors were reported and counted through scan_error */
    long rc = walk_tree(root, &ops);
    linkmap_free(&c.links);
    return rc < 0 ? -1 : 0;
}
