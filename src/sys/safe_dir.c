#include "sys/safe_dir.h"
#include "sys/atomic_file.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40

static bool trusted(uid_t uid)
{
    return uid == 0 || uid == geteuid();
}

static bool others_write(const struct stat *st)
{
    return (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

static void owner_name(uid_t uid, char *buf, size_t n)
{
    struct passwd *pw = getpwuid(uid);
    if (pw)
        snprintf(buf, n, "%s", pw->pw_name);
    else
        snprintf(buf, n, "%lu", (unsigned long)uid);
}

static int refuse_owner(const char *path, const struct stat *st, struct strbuf *err)
{
    char who[64];
    owner_name(st->st_uid, who, sizeof who);
    sb_printf(err, _("%s is owned by user %s, who could change what is in it"), path, who);
    return -1;
}

static int refuse_mode(const char *path, const struct stat *st, struct strbuf *err)
{
    sb_printf(err, _("%s is writable by other users (mode %04o)"), path,
              (unsigned)(st->st_mode & 07777));
    return -1;
}

/* A directory we look a name up in. */
static int judge_passage(const char *path, const struct stat *st, struct strbuf *err)
{
    if (!trusted(st->st_uid))
        return refuse_owner(path, st, err);
    if (others_write(st) && !(st->st_mode & S_ISVTX))
        return refuse_mode(path, st, err);
    return 0;
}

/* The directory that is written in. */
static int judge_final(const char *path, const struct stat *st, struct strbuf *err)
{
    if (!trusted(st->st_uid))
        return refuse_owner(path, st, err);
    if (others_write(st))
        return refuse_mode(path, st, err);
    return 0;
}

/* Takes the first component off *rest (a malloc'd string), returning it malloc'd. */
static char *next_component(char **rest)
{
    char *s = *rest;
    while (*s == '/')
        s++;
    size_t n = strcspn(s, "/");
    char *c = xstrndup(s, n);
    char *remaining = xstrdup(s + n);
    free(*rest);
    *rest = remaining;
    return c;
}

static void go_up(struct strbuf *cur)
{
    char *slash = strrchr(cur->buf, '/');
    size_t keep = slash && slash != cur->buf ? (size_t)(slash - cur->buf) : 1;
    cur->buf[keep] = '\0';
    cur->len = keep;
}

/* One step from cur (a judged directory, stat in *cur_st) into name. Returns 1 when the rest
 * does not exist, 0 after the step, -1 on a refusal. */
static int step(struct strbuf *cur, struct stat *cur_st, const char *name, char **rest, int *links,
                struct strbuf *err)
{
    struct strbuf next = {0};
    sb_printf(&next, "%s%s%s", cur->buf, cur->len > 1 ? "/" : "", name);
    struct stat lst;
    int rc = 0;
    if (lstat(next.buf, &lst) < 0) {
        if (errno == ENOENT)
            rc = 1;
        else {
            sb_printf(err, _("cannot examine %s: %s"), next.buf, strerror(errno));
            rc = -1;
        }
    } else if (others_write(cur_st) && !trusted(lst.st_uid)) {
        /* A sticky shared directory (say /tmp): only the entry's owner may replace it. */
        rc = refuse_owner(next.buf, &lst, err);
    } else if (S_ISLNK(lst.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = ++*links > MAX_LINKS ? -1 : readlink(next.buf, target, sizeof target - 1);
        if (n <= 0) {
            sb_printf(err, _("cannot follow the symbolic link %s"), next.buf);
            rc = -1;
        } else {
            target[n] = '\0';
            char *joined = xasprintf("%s/%s", target, *rest);
            free(*rest);
            *rest = joined;
            if (target[0] == '/') {
                sb_reset(cur);
                sb_append(cur, "/");
                if (stat("/", cur_st) < 0 || judge_passage("/", cur_st, err) < 0)
                    rc = -1;
            }
        }
    } else if (!S_ISDIR(lst.st_mode)) {
        sb_printf(err, _("%s is not a directory"), next.buf);
        rc = -1;
    } else if (judge_passage(next.buf, &lst, err) < 0) {
        rc = -1;
    } else {
        sb_reset(cur);
        sb_append(cur, next.buf);
        *cur_st = lst;
    }
    sb_free(&next);
    return rc;
}

int safe_dir_check(const char *dir, struct strbuf *err)
{
    if (!dir || !*dir) {
        sb_append(err, _("no directory given"));
        return -1;
    }
    struct strbuf cur = {0};
    char *rest;
    if (dir[0] == '/') {
        sb_append(&cur, "/");
        rest = xstrdup(dir);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) {
            sb_printf(err, _("cannot examine %s: %s"), dir, strerror(errno));
            return -1;
        }
        sb_append(&cur, "/");
        rest = xasprintf("%s/%s", cwd, dir);
    }
    struct stat st;
    int links = 0, rc = stat("/", &st) == 0 ? judge_passage("/", &st, err) : -1;
    while (rc == 0 && *rest) {
        char *name = next_component(&rest);
        if (strcmp(name, "..") == 0) {
            go_up(&cur); /* every directory above cur was judged on the way down */
            if (stat(cur.buf, &st) < 0) {
                sb_printf(err, _("cannot examine %s: %s"), cur.buf, strerror(errno));
                rc = -1;
            }
        } else if (*name && strcmp(name, ".") != 0) {
            rc = step(&cur, &st, name, &rest, &links, err);
        }
        free(name);
    }
    if (rc == 0)
        rc = judge_final(cur.buf, &st, err);
    else if (rc == 1)
        rc = 0; /* the rest is made by us, 0700 */
    free(rest);
    sb_free(&cur);
    return rc;
}

int safe_dir_judge(const char *what, const char *dir, struct strbuf *err)
{
    struct strbuf why = {0};
    int rc = safe_dir_check(dir, &why);
    if (rc < 0)
        sb_printf(err,
                  _("refusing %s %s: %s. Whoever can write there could swap its files; use a "
                    "directory that only the user running immich-migrate (root) can write"),
                  what, dir, sb_str(&why));
    sb_free(&why);
    return rc;
}

int safe_dir_make(const char *what, const char *dir, struct strbuf *err)
{
    if (safe_dir_judge(what, dir, err) < 0 || make_private_dir(dir, err) < 0)
        return -1;
    return safe_dir_judge(what, dir, err);
}

int safe_dir_judge_for_file(const char *file, struct strbuf *err)
{
    char *copy = xstrdup(file);
    int rc = safe_dir_judge(_("the output directory"), dirname(copy), err);
    free(copy);
    return rc;
}
