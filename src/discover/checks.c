#include "discover/checks.h"
#include "discover/systemd.h"
#include "files/copy_record.h"
#include "files/select.h"
#include "sys/fsfree.h"
#include "sys/safe_dir.h"
#include "sys/safepath.h"
#include "vecext.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

static void add(struct check_list *l, const char *name, enum check_status st, char *detail, char *fix)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = (struct check){name, st, detail, fix};
}

void check_list_free(struct check_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].detail);
        free(l->v[i].fix);
    }
    free(l->v);
    *l = (struct check_list){0};
}

int check_list_failures(const struct check_list *l)
{
    int n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += l->v[i].status == CHECK_FAIL;
    return n;
}

static void check_containers(const struct discovery *d, const struct plan *p, struct check_list *l)
{
    const char *name = _("Docker containers");
    if (d->server_state != 0 || d->ml_state != 0 || d->db_state != 0) {
        add(l, name, CHECK_FAIL, xstrdup(sb_str(&d->docker_error)),
            xstrdup(_("Set server_container, ml_container and db_container to the names "
                      "'docker ps -a' shows.")));
    } else if (!d->db.running) {
        add(l, name, CHECK_FAIL, xasprintf(_("%s is not running"), plan_get(p, PLAN_db_container)),
            xasprintf(_("Start it: docker start %s"), plan_get(p, PLAN_db_container)));
    } else {
        add(l, name, CHECK_PASS,
            xasprintf(_("%s (%s), %s (%s), %s (running)"), plan_get(p, PLAN_server_container),
                      d->server.status, plan_get(p, PLAN_ml_container), d->ml.status,
                      plan_get(p, PLAN_db_container)),
            NULL);
    }
}

static void check_env(const struct discovery *d, struct check_list *l)
{
    const char *name = _("Compose .env");
    if (!d->compose_dir)
        add(l, name, CHECK_WARN, xstrdup(_("compose directory not found")),
            xstrdup(_("Set compose_dir to the directory holding docker-compose.yml and .env.")));
    else if (!d->env_loaded)
        add(l, name, CHECK_FAIL, xstrdup(sb_str(&d->env_error)),
            xstrdup(_("Fix the line named above (docker compose would misread it too).")));
    else
        add(l, name, CHECK_PASS, xasprintf(_("%s/.env read"), d->compose_dir), NULL);
}

static void check_library(const struct discovery *d, const struct plan *p, struct check_list *l)
{
    const char *name = _("Library and its mount");
    const char *upload = plan_get(p, PLAN_upload_location);
    struct stat st;
    if (!*upload || stat(upload, &st) < 0 || !S_ISDIR(st.st_mode)) {
        add(l, name, CHECK_FAIL, xasprintf(_("upload_location \"%s\" is not a directory"), upload),
            xstrdup(_("Set upload_location to the host directory of UPLOAD_LOCATION.")));
        return;
    }
    if (!d->upload_dest) {
        add(l, name, CHECK_FAIL,
            xasprintf(_("no mount of %s in container %s"), upload, plan_get(p, PLAN_server_container)),
            xstrdup(_("Check upload_location against 'docker inspect' of the server container.")));
        return;
    }
    struct strbuf size = {0};
    format_bytes(d->lib_bytes, &size);
    add(l, name, CHECK_PASS,
        xasprintf(_("%s mounted at %s; %llu files, %s"), upload, d->upload_dest,
                  (unsigned long long)d->lib_files, sb_str(&size)),
        NULL);
    sb_free(&size);
}

static void check_source_db(const struct discovery *d, struct check_list *l)
{
    const char *name = _("Source database");
    if (!d->src_extensions)
        add(l, name, CHECK_FAIL, xstrdup(sb_str(&d->src_db_error)),
            xstrdup(_("Check db_username and db_database_name (DB_USERNAME, DB_DATABASE_NAME "
                      "in .env) and that the database container runs.")));
    else
        add(l, name, CHECK_PASS,
            xasprintf(_("reachable, %llu MiB"), (unsigned long long)(d->db_bytes >> 20)), NULL);
}

/* The nearest existing ancestor of path (or path itself), malloc'd. */
static char *existing_ancestor(const char *path)
{
    char *p = xstrdup(path);
    struct stat st;
    while (stat(p, &st) < 0) {
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) {
            strcpy(p, "/");
            break;
        }
        *slash = '\0';
    }
    return p;
}

static bool dir_is_empty(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir)
        return false;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(dir)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = false;
            break;
        }
    closedir(dir);
    return empty;
}

/* Is a inside b (or equal)? Both resolved. */
static bool path_within(const char *a, const char *b)
{
    size_t n = strlen(b);
    return strncmp(a, b, n) == 0 && (a[n] == '/' || a[n] == '\0' || (n == 1 && b[0] == '/'));
}

/* Does the state directory's copy record say that target holds our own copy of the library
 * (a pre-copy, perhaps killed)? Then the copy goes on from it. */
static bool holds_our_copy(const char *state_dir, const char *up, const char *tg)
{
    char *record = xasprintf("%s/%s", state_dir, COPY_RECORD_NAME);
    bool ours = copy_record_names(record, up, tg);
    free(record);
    return ours;
}

static void check_target_location(const struct plan *p, const char *state_dir, struct check_list *l)
{
    const char *name = _("Target location");
    const char *target = plan_get(p, PLAN_target_location);
    char up[PATH_MAX], tg[PATH_MAX];
    bool up_ok = realpath(plan_get(p, PLAN_upload_location), up) != NULL;
    struct stat st;
    if (stat(target, &st) == 0) {
        bool tg_ok = realpath(target, tg) != NULL;
        if (!S_ISDIR(st.st_mode)) {
            add(l, name, CHECK_FAIL, xasprintf(_("%s exists and is not a directory"), target),
                xstrdup(_("Choose another target_location.")));
        } else if (up_ok && tg_ok && strcmp(up, tg) == 0) {
            add(l, name, CHECK_PASS,
                xasprintf(_("%s is the Docker library itself: files stay "
                            "in place"),
                          target),
                NULL);
        } else if (up_ok && tg_ok && (path_within(tg, up) || path_within(up, tg))) {
            add(l, name, CHECK_FAIL, xasprintf(_("%s and %s are inside each other"), target, up),
                xstrdup(_("Choose a target_location outside the Docker library, or the same.")));
        } else if (up_ok && tg_ok && !dir_is_empty(target) && holds_our_copy(state_dir, up, tg)) {
            add(l, name, CHECK_PASS,
                xasprintf(_("%s holds this migration's earlier copy of the library; the copy "
                            "goes on from it"),
                          target),
                NULL);
        } else if (!dir_is_empty(target)) {
            add(l, name, CHECK_FAIL, xasprintf(_("%s is not empty"), target),
                xstrdup(_("Empty it, or choose an empty or new directory as target_location.")));
        } else {
            add(l, name, CHECK_PASS, xasprintf(_("%s exists and is empty"), target), NULL);
        }
        return;
    }
    char *anc = existing_ancestor(target);
    if (stat(anc, &st) < 0 || !S_ISDIR(st.st_mode) || access(anc, W_OK | X_OK) < 0)
        add(l, name, CHECK_FAIL, xasprintf(_("%s cannot be created in %s"), target, anc),
            xstrdup(_("Run as root, or choose a target_location on a writable disk.")));
    else if (up_ok && realpath(anc, tg) && path_within(tg, up))
        add(l, name, CHECK_FAIL, xasprintf(_("%s would be inside the Docker library"), target),
            xstrdup(_("Choose a target_location outside the Docker library, or the same.")));
    else
        add(l, name, CHECK_PASS, xasprintf(_("%s will be created"), target), NULL);
    free(anc);
}

static bool free_bytes(const char *path, uint64_t *avail, dev_t *dev)
{
    char *anc = existing_ancestor(path);
    struct stat st;
    bool ok = fs_available(anc, avail) == 0 && stat(anc, &st) == 0;
    if (ok)
        *dev = st.st_dev;
    free(anc);
    return ok;
}

static bool same_location(const struct plan *p)
{
    char a[PATH_MAX], b[PATH_MAX];
    return realpath(plan_get(p, PLAN_upload_location), a) &&
           realpath(plan_get(p, PLAN_target_location), b) && strcmp(a, b) == 0;
}

/* Media barely compresses: an archive needs about the size of what it holds; the dump about
 * the database's size. */
static uint64_t archive_bytes(const struct discovery *d, enum backup_strategy s)
{
    return s == BACKUP_ARCHIVE ? d->lib_bytes : s == BACKUP_ORIGINALS ? d->lib_originals_bytes : 0;
}

/* Where the space is needed: backup_dir (archive and dump) and target_location (the copy,
 * nothing in place); on one file system the copy counts against backup_dir's free space. */
struct space_view {
    uint64_t backup_avail, copy_avail, copy_need;
    bool shared;
};

/* What strategy s needs in backup_dir's file system; does it fit (the copy too)? */
static bool strategy_fits(const struct discovery *d, const struct space_view *v,
                          enum backup_strategy s, uint64_t *need)
{
    *need = archive_bytes(d, s) + d->db_bytes + (v->shared ? v->copy_need : 0);
    return v->backup_avail >= *need && (v->shared || v->copy_avail >= v->copy_need);
}

/* "library_backup = originals needs 812.0 GiB, you have 900.0 GiB free" */
static void put_strategy(const struct space_view *v, enum backup_strategy s, uint64_t need,
                         struct strbuf *out)
{
    struct strbuf n = {0}, a = {0};
    format_bytes(need, &n);
    format_bytes(v->backup_avail, &a);
    sb_printf(out, _("library_backup = %s needs %s, you have %s free"), backup_strategy_name(s),
              sb_str(&n), sb_str(&a));
    sb_free(&n);
    sb_free(&a);
}

/* The fix when the chosen strategy does not fit: the strategies that do, by name. */
static char *space_fix(const struct discovery *d, const struct space_view *v, enum backup_strategy chosen)
{
    struct strbuf fits = {0};
    for (int s = BACKUP_ARCHIVE; s <= BACKUP_NONE; s++) {
        uint64_t need;
        if (s == (int)chosen || !strategy_fits(d, v, (enum backup_strategy)s, &need))
            continue;
        if (fits.len)
            sb_append(&fits, "; ");
        put_strategy(v, (enum backup_strategy)s, need, &fits);
    }
    char *fix = fits.len ? xasprintf(_("These fit: %s. Set library_backup (none only if you keep "
                                       "another backup), free disk space, or choose "
                                       "backup_dir/target_location on a larger disk."),
                                     sb_str(&fits))
                         : xstrdup(_("No library_backup fits: free disk space, or choose "
                                     "backup_dir/target_location on a larger disk."));
    sb_free(&fits);
    return fix;
}

static void check_space(const struct discovery *d, const struct plan *p, struct check_list *l)
{
    const char *name = _("Free space");
    if (!d->lib_walked) {
        add(l, name, CHECK_FAIL, xstrdup(_("the library could not be measured")),
            xstrdup(_("Check upload_location.")));
        return;
    }
    struct space_view v = {.copy_need = same_location(p) ? 0 : d->lib_bytes};
    dev_t backup_dev = 0, copy_dev = 0;
    if (!free_bytes(plan_get(p, PLAN_backup_dir), &v.backup_avail, &backup_dev) ||
        !free_bytes(plan_get(p, PLAN_target_location), &v.copy_avail, &copy_dev)) {
        add(l, name, CHECK_FAIL, xstrdup(_("cannot read the free space")),
            xstrdup(_("Check backup_dir and target_location.")));
        return;
    }
    v.shared = v.copy_need && backup_dev == copy_dev;
    enum backup_strategy chosen = backup_strategy_of(plan_get(p, PLAN_library_backup));
    uint64_t need;
    bool ok = strategy_fits(d, &v, chosen, &need);
    struct strbuf detail = {0}, b = {0}, c = {0}, ca = {0};
    put_strategy(&v, chosen, need, &detail);
    format_bytes(archive_bytes(d, chosen) + d->db_bytes, &b);
    format_bytes(v.copy_need, &c);
    format_bytes(v.copy_avail, &ca);
    sb_printf(&detail, _(" (backup and dump %s, copy %s%s; %s free for the copy)"), sb_str(&b),
              sb_str(&c), v.shared ? _(", on the same disk") : "", sb_str(&ca));
    sb_free(&b);
    sb_free(&c);
    sb_free(&ca);
    add(l, name, ok ? CHECK_PASS : CHECK_FAIL, sb_detach(&detail),
        ok ? NULL : space_fix(d, &v, chosen));
}

static void check_lock(const char *state_dir, struct check_list *l)
{
    const char *name = _("No other migration running");
    char *path = xasprintf("%s/lock", state_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(path);
    long pid = 0;
    if (fd >= 0) {
        char buf[32] = {0};
        ssize_t n = read(fd, buf, sizeof buf - 1);
        pid = n > 0 ? strtol(buf, NULL, 10) : 0;
    }
    bool busy = false;
    /* Our own session holds the lock: that is not a second migration. A pid that lives but
     * holds no flock is a stale file from a crash (the pid was reused). */
    if (fd >= 0 && pid > 0 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
        if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
            busy = true;
        else
            flock(fd, LOCK_UN);
    }
    if (fd >= 0)
        close(fd);
    if (busy)
        add(l, name, CHECK_FAIL,
            xasprintf(_("immich-migrate (pid %ld) holds %s/lock"), pid, state_dir),
            xstrdup(_("Wait for it to finish, or stop it, then try again.")));
    else
        add(l, name, CHECK_PASS, xasprintf(_("no lock held in %s"), state_dir), NULL);
}

/* A dump in a directory others can write could be swapped before the import loads it; the
 * journal (plan, checksums) likewise. */
static void check_private_dirs(const struct plan *p, const char *state_dir, struct check_list *l)
{
    const char *name = _("Backup and state directories");
    const char *backup = plan_get(p, PLAN_backup_dir);
    struct strbuf why = {0};
    if (safe_dir_check(backup, &why) == 0 && safe_dir_check(state_dir, &why) < 0) {
        char *detail = xasprintf(_("state directory %s: %s"), state_dir, sb_str(&why));
        sb_reset(&why);
        sb_append(&why, detail);
        free(detail);
    } else if (why.len) {
        char *detail = xasprintf("backup_dir %s: %s", backup, sb_str(&why));
        sb_reset(&why);
        sb_append(&why, detail);
        free(detail);
    }
    if (why.len) {
        add(l, name, CHECK_FAIL, sb_detach(&why),
            xstrdup(_("Whoever can write there could swap the dump before the import. Make "
                      "the directory owned by root with mode 0700 and its parents writable "
                      "only by root, or choose another backup_dir or --state-dir.")));
    } else {
        add(l, name, CHECK_PASS, xasprintf(_("only root can write %s and %s"), backup, state_dir),
            NULL);
    }
    sb_free(&why);
}

/* services.immich creates the user and group "immich" only (its defaults); any other owner
 * must exist already. Missing, it would stop the run at chown, long after Docker was stopped. */
static void check_owner(const struct discovery *d, const struct plan *p, bool require,
                        struct check_list *l)
{
    const char *name = _("Media owner");
    const char *owner = plan_get(p, PLAN_media_owner);
    const char *colon = strchr(owner, ':');
    char *user = colon ? xstrndup(owner, (size_t)(colon - owner)) : xstrdup(owner);
    const char *group = colon ? colon + 1 : user;
    bool user_ok = getpwnam(user) != NULL, group_ok = getgrnam(group) != NULL;
    bool nixos_makes = (user_ok || strcmp(user, "immich") == 0) &&
                       (group_ok || strcmp(group, "immich") == 0);
    if (user_ok && group_ok)
        add(l, name, CHECK_PASS, xasprintf(_("%s exists"), owner), NULL);
    else if (nixos_makes && !require && !d->unit_exists)
        add(l, name, CHECK_WARN, xasprintf(_("%s does not exist yet"), owner),
            xstrdup(_("services.immich creates it when NixOS is switched to the new "
                      "configuration; checked again then.")));
    else
        add(l, name, CHECK_FAIL,
            xasprintf(user_ok ? _("group %s does not exist") : _("user %s does not exist"),
                      user_ok ? group : user),
            xasprintf(_("Create it (users.users / users.groups in configuration.nix) or set "
                        "media_owner to the owner services.immich uses (%s)."),
                      "immich:immich"));
    free(user);
}

static void check_version(const struct discovery *d, bool require, struct check_list *l)
{
    const char *name = _("Immich version");
    if (!d->source_version) {
        add(l, name, CHECK_FAIL, xstrdup(_("the Docker Immich version is unknown")),
            xstrdup(_("Immich cannot migrate backwards: set IMMICH_VERSION in .env to the "
                      "version tag you run (e.g. v1.135.3) and recreate the containers, or "
                      "check that the version_history table is readable.")));
        return;
    }
    if (!d->unit_exists || !d->unit.nix_version) {
        add(l, name, require ? CHECK_FAIL : CHECK_WARN,
            xasprintf(_("Docker runs %s (%s); NixOS version not known yet"), d->source_version,
                      _(d->source_version_origin)),
            xstrdup(_("Checked again once immich-server.service exists.")));
        return;
    }
    int s[3], t[3];
    if (version_parse(d->source_version, s) < 0 || version_parse(d->unit.nix_version, t) < 0)
        return;
    bool ok = version_compare(t, s) >= 0;
    bool from_tag = d->source_version_origin && strcmp(d->source_version_origin, "image tag") == 0;
    add(l, name, ok ? CHECK_PASS : CHECK_FAIL,
        from_tag || !d->source_version_origin
            ? xasprintf(_("Docker runs %s, NixOS has %s"), d->source_version, d->unit.nix_version)
            : xasprintf(_("Docker runs %s, NixOS has %s (Docker's version from the %s)"),
                        d->source_version, d->unit.nix_version, _(d->source_version_origin)),
        ok ? NULL
           : xasprintf(_("Immich cannot migrate backwards: use a nixpkgs with immich >= %s "
                         "(e.g. services.immich.package from nixos-unstable), or wait."),
                       d->source_version));
}

/* The database the NixOS unit uses, from DB_URL or DB_DATABASE_NAME/DB_USERNAME. */
static void unit_database(const struct unit_info *ui, char **db, char **user)
{
    *db = NULL;
    *user = NULL;
    const char *url = unit_env(ui, "DB_URL");
    PQconninfoOption *opts = url ? PQconninfoParse(url, NULL) : NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (o->val && strcmp(o->keyword, "dbname") == 0)
            *db = xstrdup(o->val);
        else if (o->val && strcmp(o->keyword, "user") == 0)
            *user = xstrdup(o->val);
    }
    if (opts)
        PQconninfoFree(opts);
    if (!*db && unit_env(ui, "DB_DATABASE_NAME"))
        *db = xstrdup(unit_env(ui, "DB_DATABASE_NAME"));
    if (!*user && unit_env(ui, "DB_USERNAME"))
        *user = xstrdup(unit_env(ui, "DB_USERNAME"));
}

static void check_unit_settings(const struct discovery *d, const struct plan *p, struct check_list *l)
{
    if (!d->unit_exists)
        return;
    const char *name = _("NixOS unit settings");
    const char *loc = unit_env(&d->unit, "IMMICH_MEDIA_LOCATION");
    const char *target = plan_get(p, PLAN_target_location);
    char *db, *user;
    unit_database(&d->unit, &db, &user);
    const char *want_db = plan_get(p, PLAN_target_db_name);
    const char *want_user = plan_get(p, PLAN_target_db_owner);
    if (!loc || strcmp(loc, target) != 0)
        add(l, name, CHECK_FAIL,
            xasprintf(_("the unit uses media location %s, the plan %s"), loc ? loc : "?", target),
            xasprintf(_("Set services.immich.mediaLocation = \"%s\"; and switch, or change "
                        "target_location."),
                      target));
    else if ((db && strcmp(db, want_db) != 0) || (user && strcmp(user, want_user) != 0))
        add(l, name, CHECK_FAIL,
            xasprintf(_("the unit connects to database %s as %s, the plan imports into %s "
                        "owned by %s"),
                      db ? db : "?", user ? user : "?", want_db, want_user),
            xstrdup(_("Set target_db_name and target_db_owner to the unit's values (or change "
                      "services.immich.database.name/user).")));
    else
        add(l, name, CHECK_PASS,
            xasprintf(_("media location %s, database %s, user %s"), loc, db ? db : want_db,
                      user ? user : want_user),
            NULL);
    free(db);
    free(user);
}

/* The NixOS setting that provides ext, in a source whose extensions are src_exts. */
static const char *extension_option(const char *ext, const char *src_exts)
{
    const char *settings = vecext_nixos_settings(vecext_kind(ext, list_has(src_exts, "vchord")));
    return settings ? settings : "services.postgresql.extensions";
}

static void check_target_pg(const struct discovery *d, bool require, struct check_list *l)
{
    const char *name = _("NixOS PostgreSQL and extensions");
    bool pending = !require && !d->unit_exists;
    if (!d->dst_extensions) {
        add(l, name, pending ? CHECK_WARN : CHECK_FAIL, xstrdup(sb_str(&d->target_pg_error)),
            xstrdup(pending ? _("Checked again once immich-server.service exists.")
                            : _("Check target_dsn and that services.postgresql runs.")));
        return;
    }
    if (!d->dst_superuser) {
        add(l, name, CHECK_FAIL, xstrdup(_("target_dsn does not connect as a superuser")),
            xstrdup(_("Use a superuser in target_dsn (e.g. user=postgres over /run/postgresql).")));
        return;
    }
    if (!d->src_extensions) {
        add(l, name, CHECK_FAIL, xstrdup(_("the source's extensions are unknown")),
            xstrdup(_("See the source database check.")));
        return;
    }
    struct strbuf missing = {0}, fix = {0};
    for (const char *e = d->src_extensions; *e;) {
        size_t n = strcspn(e, "\n");
        char *ext = xstrndup(e, n);
        if (*ext && strcmp(ext, "plpgsql") != 0 && !list_has(d->dst_extensions, ext)) {
            sb_printf(&missing, "%s%s", missing.len ? ", " : "", ext);
            if (!strstr(sb_str(&fix), extension_option(ext, d->src_extensions)))
                sb_printf(&fix, "%s%s", fix.len ? " " : "", extension_option(ext, d->src_extensions));
        }
        free(ext);
        e += n;
        if (*e)
            e++;
    }
    if (missing.len)
        add(l, name, CHECK_FAIL, xasprintf(_("missing on NixOS: %s"), sb_str(&missing)),
            xasprintf(_("Add to configuration.nix: %s and switch."), sb_str(&fix)));
    else
        add(l, name, CHECK_PASS,
            xstrdup(_("reachable as superuser; every extension the source "
                      "uses is available")),
            NULL);
    sb_free(&missing);
    sb_free(&fix);
}

void checks_target(const struct discovery *d, const struct plan *p, bool require_target,
                   struct check_list *out)
{
    check_version(d, require_target, out);
    check_unit_settings(d, p, out);
    check_target_pg(d, require_target, out);
    check_owner(d, p, require_target, out);
}

/* Every path setting judged resolved ("/./etc" and a symlink to /usr are system directories):
 * a failing check before anything changes. */
static void check_path_settings(const struct plan *p, struct check_list *l)
{
    static const enum plan_key paths[] = {PLAN_compose_dir, PLAN_upload_location,
                                          PLAN_target_location, PLAN_backup_dir};
    struct strbuf bad = {0};
    for (size_t i = 0; i < ARRAY_LEN(paths); i++) {
        struct strbuf why = {0};
        /* An empty one is the library's or the compose check's business. */
        const char *v = plan_get(p, paths[i]);
        bool written = paths[i] == PLAN_target_location || paths[i] == PLAN_backup_dir;
        if (*v && !path_check(v, written ? PATH_WRITE : PATH_READ, &why))
            sb_printf(&bad, "%s%s: %s", bad.len ? "; " : "", plan_key_name(paths[i]), sb_str(&why));
        sb_free(&why);
    }
    if (bad.len)
        add(l, _("Path settings"), CHECK_FAIL, sb_detach(&bad),
            xstrdup(_("Choose directories of their own, outside the system directories.")));
    else
        add(l, _("Path settings"), CHECK_PASS, xstrdup(_("no system directory, however spelled")),
            NULL);
}

void checks_run(const struct discovery *d, const struct plan *p, const char *state_dir,
                struct check_list *out)
{
    check_private_dirs(p, state_dir, out);
    check_lock(state_dir, out);
    check_path_settings(p, out);
    check_containers(d, p, out);
    check_env(d, out);
    check_library(d, p, out);
    check_source_db(d, out);
    checks_target(d, p, false, out);
    check_target_location(p, state_dir, out);
    check_space(d, p, out);
}

static const char *status_word(enum check_status s)
{
    return s == CHECK_PASS ? _("PASS") : s == CHECK_WARN ? _("WARN") : _("FAIL");
}

void checks_report(const struct check_list *l, const struct reporter *rep)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct check *c = &l->v[i];
        enum record_kind k = c->status == CHECK_PASS   ? REC_MESSAGE
                             : c->status == CHECK_WARN ? REC_WARNING
                                                       : REC_ERROR;
        if (c->fix)
            report_msg(rep, k, "%s %s: %s. %s", status_word(c->status), c->name, c->detail, c->fix);
        else
            report_msg(rep, k, "%s %s: %s", status_word(c->status), c->name, c->detail);
    }
}

void checks_format(const struct check_list *l, struct strbuf *out)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct check *c = &l->v[i];
        sb_printf(out, "%-4s  %s: %s\n", status_word(c->status), c->name, c->detail);
        if (c->fix)
            sb_printf(out, "      -> %s\n", c->fix);
    }
}
