#include "discover/verify.h"
#include "discover/paths.h"
#include "discover/target_pg.h"
#include "redact.h"
#include "sys/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FIRST_NAMED 10
#define MAX_FOLDERS 1000

struct folder_count {
    char *dir;
    uint64_t n;
};

struct missing_log {
    struct folder_count folders[MAX_FOLDERS];
    size_t nfolders;
    uint64_t other;
    char *first[FIRST_NAMED];
    size_t nfirst;
};

static void note_missing(struct missing_log *m, const char *path)
{
    if (m->nfirst < FIRST_NAMED)
        m->first[m->nfirst++] = xstrdup(path);
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : 0;
    for (size_t i = m->nfolders; i-- > 0;)
        if (strlen(m->folders[i].dir) == len && memcmp(m->folders[i].dir, path, len) == 0) {
            m->folders[i].n++;
            return;
        }
    if (m->nfolders == MAX_FOLDERS) {
        m->other++;
        return;
    }
    m->folders[m->nfolders++] = (struct folder_count){xstrndup(path, len), 1};
}

static void missing_report(struct missing_log *m, const struct reporter *rep, enum record_kind k,
                           const char *what)
{
    for (size_t i = 0; i < m->nfolders; i++) {
        report_msg(rep, k, _("%s: %llu in %s"), what, (unsigned long long)m->folders[i].n,
                   m->folders[i].dir);
        free(m->folders[i].dir);
    }
    if (m->other)
        report_msg(rep, k, _("%s: %llu in other folders"), what, (unsigned long long)m->other);
    for (size_t i = 0; i < m->nfirst; i++) {
        report_msg(rep, k, _("%s: %s"), what, m->first[i]);
        free(m->first[i]);
    }
}

/* The dangling key of a target path (see paths.h): relative to target_location when below. */
static const char *target_key(const char *path, const char *target)
{
    size_t n = strlen(target);
    while (n > 1 && target[n - 1] == '/')
        n--;
    if (strncmp(path, target, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

static bool resolve_owner(const char *owner, uid_t *uid, gid_t *gid)
{
    const char *colon = strchr(owner, ':');
    char *user = colon ? xstrndup(owner, (size_t)(colon - owner)) : xstrdup(owner);
    struct passwd *pw = getpwnam(user);
    struct group *gr = getgrnam(colon ? colon + 1 : user);
    free(user);
    if (!pw || !gr)
        return false;
    *uid = pw->pw_uid;
    *gid = gr->gr_gid;
    return true;
}

struct file_check {
    const struct plan *p;
    const struct reporter *rep;
    struct verify_result *res;
    struct string_set dangling;
    struct missing_log lost, old;
    uid_t uid;
    gid_t gid;
    uint64_t owner_named;
};

static void check_one(struct file_check *fc, const char *path)
{
    struct verify_result *res = fc->res;
    struct stat st;
    res->paths++;
    if (path[0] == '/' && fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        res->present++;
        if (S_ISREG(st.st_mode))
            res->bytes += (uint64_t)st.st_size;
        /* Only what the migration put under target_location must belong to Immich;
         * external libraries keep their owners (Immich only reads them). */
        bool ours = target_key(path, plan_get(fc->p, PLAN_target_location)) != path;
        if (ours && (st.st_uid != fc->uid || st.st_gid != fc->gid)) {
            if (fc->owner_named++ < FIRST_NAMED)
                report_msg(fc->rep, REC_ERROR, _("wrong owner %u:%u: %s"), (unsigned)st.st_uid,
                           (unsigned)st.st_gid, path);
            res->wrong_owner++;
        }
        return;
    }
    const char *key = target_key(path, plan_get(fc->p, PLAN_target_location));
    if (string_set_has(&fc->dangling, key) || string_set_has(&fc->dangling, path)) {
        res->dangling++;
        note_missing(&fc->old, path);
    } else {
        res->missing++;
        note_missing(&fc->lost, path);
    }
}

static int stream_paths(PGconn *conn, struct file_check *fc, struct strbuf *err)
{
    PGresult *r = PQexec(conn, path_columns_query());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        sb_printf(err, _("listing path columns failed: %s"), PQerrorMessage(conn));
        PQclear(r);
        return -1;
    }
    struct strbuf cols = {0}, sql = {0};
    for (int i = 0; i < PQntuples(r); i++)
        sb_printf(&cols, "%s\n", PQgetvalue(r, i, 0));
    PQclear(r);
    bool any = path_union_query(sb_str(&cols), &sql);
    sb_free(&cols);
    if (!any) {
        sb_free(&sql);
        sb_append(err, _("the migrated database has no Immich tables"));
        return -1;
    }
    struct record rec = RECORD_INIT(REC_SQL, sb_str(&sql));
    report_record(fc->rep, &rec);
    int rc = 0;
    if (!PQsendQuery(conn, sb_str(&sql)) || !PQsetSingleRowMode(conn)) {
        sb_printf(err, "%s", PQerrorMessage(conn));
        rc = -1;
    }
    sb_free(&sql);
    while (rc == 0 && (r = PQgetResult(conn))) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            check_one(fc, PQgetvalue(r, 0, 0));
            if (fc->res->paths % 1000 == 0)
                report_progress(fc->rep, "files", fc->res->paths, 0, NULL);
        } else if (st != PGRES_TUPLES_OK) {
            sb_printf(err, _("listing paths failed: %s"), PQerrorMessage(conn));
            rc = -1;
        }
        PQclear(r);
    }
    while (rc < 0 && (r = PQgetResult(conn)))
        PQclear(r);
    return rc;
}

static void count_assets(PGconn *conn, struct verify_result *res)
{
    PGresult *r = PQexec(conn, "select count(*) from public.asset");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        r = PQexec(conn, "select count(*) from public.assets");
    }
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        res->assets = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
}

static void check_markers(const struct plan *p, const struct reporter *rep, struct verify_result *res)
{
    static const char *const folders[] = {"library",       "upload",  "thumbs",
                                          "encoded-video", "profile", "backups"};
    for (size_t i = 0; i < ARRAY_LEN(folders); i++) {
        char *m = xasprintf("%s/%s/.immich", plan_get(p, PLAN_target_location), folders[i]);
        struct stat st;
        if (fstatat(AT_FDCWD, m, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
            report_msg(rep, REC_ERROR, _("marker missing: %s (Immich refuses to start without it)"), m);
            res->markers_missing++;
        }
        free(m);
    }
}

/* Checks files, markers and owners. dangling_file may be NULL. Returns 0 when nothing is
 * missing, 1 when something is, -1 when it could not check (err). */
static int verify_files(const struct plan *p, const char *dangling_file, const struct reporter *rep,
                        struct verify_result *res, struct strbuf *err)
{
    *res = (struct verify_result){0};
    struct file_check fc = {.p = p, .rep = rep, .res = res};
    if (!resolve_owner(plan_get(p, PLAN_media_owner), &fc.uid, &fc.gid)) {
        sb_printf(err, _("media_owner %s does not exist"), plan_get(p, PLAN_media_owner));
        return -1;
    }
    if (dangling_file && dangling_load(dangling_file, &fc.dangling, err) < 0)
        return -1;
    PGconn *conn = target_connect(p, plan_get(p, PLAN_target_db_name), err);
    if (!conn) {
        string_set_free(&fc.dangling);
        return -1;
    }
    int rc = stream_paths(conn, &fc, err);
    if (rc == 0)
        count_assets(conn, res);
    PQfinish(conn);
    string_set_free(&fc.dangling);
    missing_report(&fc.lost, rep, REC_ERROR, _("missing"));
    missing_report(&fc.old, rep, REC_WARNING, _("already missing before the migration"));
    if (rc < 0)
        return -1;
    check_markers(p, rep, res);
    report_msg(rep, res->missing || res->wrong_owner || res->markers_missing ? REC_ERROR : REC_MESSAGE,
               _("%llu paths: %llu present, %llu missing, %llu already missing in Docker, "
                 "%llu with a wrong owner, %d markers missing"),
               (unsigned long long)res->paths, (unsigned long long)res->present,
               (unsigned long long)res->missing, (unsigned long long)res->dangling,
               (unsigned long long)res->wrong_owner, res->markers_missing);
    return res->missing || res->wrong_owner || res->markers_missing ? 1 : 0;
}

bool journal_line_is_error(const char *line)
{
    /* Immich (NestJS) logs "... ERROR [Context] message"; Node prints "Error: ..." and
     * "Unhandled ..." for crashes; systemd adds "Failed with result". */
    static const char *const marks[] = {" ERROR ",
                                        "ERROR [",
                                        "Error:",
                                        "Unhandled",
                                        "FATAL",
                                        "Failed with result",
                                        "corrupted migrations"};
    if (strncmp(line, "ERROR", 5) == 0)
        return true;
    for (size_t i = 0; i < ARRAY_LEN(marks); i++)
        if (strstr(line, marks[i]))
            return true;
    return false;
}

/* Reads `journalctl -u immich-server.service --since SINCE -o cat --no-pager`; reports each
 * error line (redacted). Returns the number of error lines, or -1. */
static int verify_journal(const struct plan *p, const char *since, const struct reporter *rep,
                          struct strbuf *err)
{
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(p, PLAN_journalctl_command));
    argv_add(&a, "-u");
    argv_add(&a, "immich-server.service");
    if (since && *since) {
        argv_add(&a, "--since");
        argv_add(&a, since);
    }
    argv_add(&a, "-o");
    argv_add(&a, "cat");
    argv_add(&a, "--no-pager");
    struct strbuf out = {0}, errout = {0};
    int rc = run_capture(rep, argv_get(&a), &out, 8 * 1024 * 1024, &errout);
    argv_free(&a);
    int errors = 0;
    if (rc != 0) {
        sb_printf(err, _("journalctl failed (exit %d): %s"), rc, sb_str(&errout));
        errors = -1;
    } else {
        for (char *line = out.buf; line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            if (journal_line_is_error(line)) {
                char *safe = redact_dup(line);
                report_msg(rep, REC_ERROR, _("immich-server: %s"), safe);
                free(safe);
                errors++;
            }
            line = nl ? nl + 1 : NULL;
        }
    }
    sb_free(&out);
    sb_free(&errout);
    return errors;
}

int verify_all(const struct plan *p, const char *dangling_file, const char *since,
               const struct reporter *rep, struct verify_result *res, struct strbuf *err)
{
    int rc = verify_files(p, dangling_file, rep, res, err);
    if (rc < 0)
        return -1;
    res->journal_errors = verify_journal(p, since, rep, err);
    if (res->journal_errors < 0)
        return -1;
    if (res->journal_errors > 0)
        report_msg(rep, REC_ERROR, _("%d error lines in the immich-server journal"),
                   res->journal_errors);
    if (res->dangling)
        report_msg(rep, REC_WARNING,
                   _("%llu files were already missing in the Docker installation; "
                     "the migration did not lose them"),
                   (unsigned long long)res->dangling);
    return rc || res->journal_errors ? 1 : 0;
}
