#include "common.h"
#include "files/chown.h"
#include "files/linkmap.h"
#include "files/meter.h"
#include "files/owners.h"
#include "files/walk.h"
#include "sys/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int parse_owner(const char *spec, uid_t *uid, gid_t *gid, struct strbuf *err)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (!colon || colon == spec || !colon[1]) {
        sb_printf(err, _("the owner must be USER:GROUP, not \"%s\""), spec ? spec : "");
        return -1;
    }
    char *user = xstrndup(spec, (size_t)(colon - spec));
    const char *group = colon + 1;
    int rc = 0;
    struct passwd *pw = getpwnam(user);
    char *end;
    if (!pw) {
        unsigned long n = strtoul(user, &end, 10);
        pw = *end == '\0' ? getpwuid((uid_t)n) : NULL;
    }
    struct group *gr = getgrnam(group);
    if (!gr) {
        unsigned long n = strtoul(group, &end, 10);
        gr = *end == '\0' ? getgrgid((gid_t)n) : NULL;
    }
    if (!pw) {
        sb_printf(err, _("there is no user \"%s\""), user);
        rc = -1;
    } else if (!gr) {
        sb_printf(err, _("there is no group \"%s\""), group);
        rc = -1;
    } else {
        *uid = pw->pw_uid;
        *gid = gr->gr_gid;
    }
    free(user);
    return rc;
}

char *chown_check_dir(const char *dir, const char *target_location, struct strbuf *err)
{
    /* Both judged resolved: "/./etc", a symlink to /usr or "/" itself are refused whatever
     * the configured target_location says. */
    char *real = path_judge(dir, PATH_WRITE, err);
    struct stat st;
    if (!real)
        return NULL;
    if (stat(real, &st) != 0) {
        sb_printf(err, _("cannot use %s: %s"), dir, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        sb_printf(err, _("%s is not a directory"), dir);
    } else {
        struct strbuf twhy = {0};
        char *target = target_location && *target_location
                           ? path_judge(target_location, PATH_WRITE, &twhy)
                           : NULL;
        bool same = target && strcmp(target, real) == 0;
        free(target);
        if (same) {
            sb_free(&twhy);
            return real;
        }
        if (twhy.len)
            sb_printf(err, _("target_location: %s"), sb_str(&twhy));
        else
            sb_printf(err,
                      _("%s is not the configured target_location (%s); refusing to change "
                        "owners anywhere else"),
                      dir, target_location ? target_location : "");
        sb_free(&twhy);
    }
    free(real);
    return NULL;
}

struct chown_job {
    const char *dir;
    const struct reporter *rep;
    struct chown_stats *stats;
    uid_t uid;
    gid_t gid;
    bool cancelled;
    struct meter meter;
    struct linkmap links; /* regular files with several names: names seen inside DIR */
};

static void chown_failed(struct chown_job *j, const char *path, const char *what, int err)
{
    struct strbuf shown = {0};
    display_path(j->dir, path, &shown);
    report_msg(j->rep, REC_ERROR, _("cannot %s %s: %s"), what, sb_str(&shown), strerror(err));
    sb_free(&shown);
    j->stats->failed++;
}

/* A regular file changes owner at its last name inside DIR; false before (or when its
 * stat fails, reported). Its owner is that of all its names: one also named outside DIR is
 * never changed (reported after the walk). */
static bool wait_for_last_link(struct chown_job *j, const struct walk_entry *e)
{
    struct stat st;
    if (fstatat(e->dirfd, e->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        chown_failed(j, e->path, _("read"), errno);
        return false;
    }
    if (!S_ISREG(st.st_mode) || st.st_nlink <= 1)
        return true;
    return linkmap_count(&j->links, st.st_dev, st.st_ino, st.st_nlink, e->path) == st.st_nlink;
}

/* Reports the files left alone because some of their names are outside DIR. */
static void report_linked_outside(struct chown_job *j)
{
    for (size_t i = 0; i < j->links.cap; i++) {
        const struct linkmap_slot *s = &j->links.slots[i];
        if (!s->path || s->seen >= s->nlink)
            continue;
        struct strbuf shown = {0};
        display_path(j->dir, s->path, &shown);
        report_msg(j->rep, REC_WARNING,
                   _("left alone: %s has %lu hard links, %lu of them outside %s; its owner is "
                     "theirs too"),
                   sb_str(&shown), (unsigned long)s->nlink, (unsigned long)(s->nlink - s->seen),
                   j->dir);
        sb_free(&shown);
        j->stats->linked_outside++;
    }
}

static enum walk_verdict chown_pre(void *ud, const struct walk_entry *e)
{
    struct chown_job *j = ud;
    if (report_cancelled(j->rep)) {
        j->cancelled = true;
        return WALK_STOP;
    }
    j->stats->entries++;
    j->meter.files_done++;
    if (e->depth > 0 && S_ISREG(e->st.st_mode) && !wait_for_last_link(j, e)) {
        meter_tick(&j->meter, e->path, false);
        return WALK_CONTINUE;
    }
    /* Directories carry a full stat; other entries only their type (type_only walk),
     * and then the owner is always set, as chown -R does. */
    if (!S_ISDIR(e->st.st_mode) || e->st.st_uid != j->uid || e->st.st_gid != j->gid) {
        int rc = e->depth == 0 ? fchown(e->fd, j->uid, j->gid)
                               : fchownat(e->dirfd, e->name, j->uid, j->gid, AT_SYMLINK_NOFOLLOW);
        if (rc != 0)
            chown_failed(j, e->path, _("change the owner of"), errno);
        else
            j->stats->changed++;
    }
    if (e->depth == 0 && fchmod(e->fd, 0700) != 0)
        chown_failed(j, e->path, _("set mode 0700 on"), errno);
    meter_tick(&j->meter, e->path, false);
    return WALK_CONTINUE;
}

static enum walk_verdict chown_error(void *ud, const char *path, const char *what, int err)
{
    struct chown_job *j = ud;
    chown_failed(j, path, _("read"), err);
    return WALK_CONTINUE;
}

/* "nobody:nogroup (65534:65534)": the names a person gave, the numbers in parentheses; a
 * number without a name stays a number. */
static void owner_name(uid_t uid, gid_t gid, struct strbuf *out)
{
    struct passwd pwbuf, *pw = NULL;
    struct group grbuf, *gr = NULL;
    char buf[4096];
    if (getpwuid_r(uid, &pwbuf, buf, sizeof buf, &pw) != 0 || !pw)
        sb_printf(out, "%lu", (unsigned long)uid);
    else
        sb_append(out, pw->pw_name);
    char gbuf[4096];
    if (getgrgid_r(gid, &grbuf, gbuf, sizeof gbuf, &gr) != 0 || !gr)
        sb_printf(out, ":%lu", (unsigned long)gid);
    else
        sb_printf(out, ":%s", gr->gr_name);
    sb_printf(out, " (%lu:%lu)", (unsigned long)uid, (unsigned long)gid);
}

enum files_result chown_tree(const char *dir, uid_t uid, gid_t gid, const char *state_dir,
                             const struct reporter *rep, struct chown_stats *stats, struct strbuf *err)
{
    memset(stats, 0, sizeof *stats);
    char *real = path_judge(dir, PATH_WRITE, err); /* again, right before acting */
    bool ok = real && strcmp(real, dir) == 0;
    if (real && !ok)
        sb_printf(err, _("%s now resolves elsewhere; nothing was changed"), dir);
    free(real);
    int saved = ok ? owners_save(dir, state_dir, rep, err) : -1;
    if (saved != 0)
        return saved == -2 ? FILES_CANCELLED : FILES_FAILED;
    struct chown_job j = {.dir = dir, .rep = rep, .stats = stats, .uid = uid, .gid = gid};
    meter_start(&j.meter, rep, "entries", 0, 0);
    struct walk_ops ops = {.pre = chown_pre, .error = chown_error, .ud = &j, .type_only = true};
    walk_tree(dir, &ops);
    meter_tick(&j.meter, NULL, true);
    meter_free(&j.meter);
    if (!j.cancelled)
        report_linked_outside(&j);
    linkmap_free(&j.links);
    if (j.cancelled)
        return FILES_CANCELLED;
    struct strbuf who = {0};
    owner_name(uid, gid, &who);
    report_msg(rep, REC_FILEOP, _("%s: %llu entries now belong to %s, %llu failures"), dir,
               (unsigned long long)(stats->entries - stats->linked_outside), sb_str(&who),
               (unsigned long long)stats->failed);
    sb_free(&who);
    if (stats->linked_outside)
        report_msg(rep, REC_WARNING,
                   _("%llu files were left alone because they have hard links outside %s "
                     "(listed above)"),
                   (unsigned long long)stats->linked_outside, dir);
    if (stats->failed) {
        sb_printf(err, _("%llu entries of %s could not be changed (listed above)"),
                  (unsigned long long)stats->failed, dir);
        return FILES_FAILED;
    }
    return FILES_OK;
}
