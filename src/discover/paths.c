#include "discover/paths.h"
#include "discover/docker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Path columns of both schema generations (see reference notes): table, column. */
static const char *const path_columns[][2] = {
    {"asset", "originalPath"},   {"asset", "encodedVideoPath"},  {"asset", "sidecarPath"},
    {"asset_file", "path"},      {"person", "thumbnailPath"},    {"user", "profileImagePath"},
    {"assets", "originalPath"},  {"assets", "encodedVideoPath"}, {"assets", "sidecarPath"},
    {"assets", "resizePath"},    {"assets", "webpPath"},         {"assets", "previewPath"},
    {"assets", "thumbnailPath"}, {"asset_files", "path"},        {"users", "profileImagePath"},
};

const char *path_columns_query(void)
{
    return "select table_name || '.' || column_name from information_schema.columns "
           "where table_schema = 'public' and table_name in "
           "('asset','asset_file','person','user','assets','asset_files','users') "
           "and column_name in ('originalPath','encodedVideoPath','sidecarPath','path',"
           "'thumbnailPath','profileImagePath','resizePath','webpPath','previewPath') "
           "order by 1";
}

static bool column_listed(const char *columns, const char *table, const char *column)
{
    char *want = xasprintf("%s.%s", table, column);
    size_t n = strlen(want);
    bool found = false;
    for (const char *l = columns; *l; l += strcspn(l, "\n"), l += *l == '\n') {
        size_t len = strcspn(l, "\r\n");
        if (len == n && memcmp(l, want, n) == 0) {
            found = true;
            break;
        }
    }
    free(want);
    return found;
}

bool path_union_query(const char *columns, struct strbuf *sql)
{
    bool any = false;
    for (size_t i = 0; i < ARRAY_LEN(path_columns); i++) {
        const char *t = path_columns[i][0], *c = path_columns[i][1];
        if (!column_listed(columns, t, c))
            continue;
        if (any)
            sb_append(sql, " union all ");
        sb_printf(sql, "select \"%s\"::text from public.\"%s\" where \"%s\" <> ''", c, t, c);
        any = true;
    }
    return any;
}

/* Is path equal to dir or below it? Returns the rest ("" or "x/y"), or NULL. */
static const char *under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (strncmp(path, dir, n) != 0)
        return NULL;
    if (path[n] == '\0')
        return path + n;
    if (path[n] == '/')
        return path + n + 1;
    return NULL;
}

char *source_path_to_host(const char *db_path, const struct container_info *server,
                          const char *upload_dest, struct strbuf *key)
{
    char *container = db_path[0] == '/' ? xstrdup(db_path) : xasprintf("/usr/src/app/%s", db_path);
    const struct mount *best = NULL;
    const char *best_rest = NULL;
    for (size_t i = 0; i < server->mount_count; i++) {
        const char *rest = under(container, server->mounts[i].destination);
        if (rest && (!best || strlen(server->mounts[i].destination) > strlen(best->destination))) {
            best = &server->mounts[i];
            best_rest = rest;
        }
    }
    char *host = NULL;
    if (best)
        host = *best_rest ? xasprintf("%s/%s", best->source, best_rest) : xstrdup(best->source);
    sb_reset(key);
    const char *rel = upload_dest && *upload_dest ? under(container, upload_dest) : NULL;
    sb_append(key, rel ? rel : host ? host : container);
    free(container);
    return host;
}

void dangling_result_free(struct dangling_result *r)
{
    for (size_t i = 0; i < ARRAY_LEN(r->first); i++)
        free(r->first[i]);
    *r = (struct dangling_result){0};
}

static void note_dangling(struct dangling_result *res, FILE *f, const char *db_path,
                          const char *host, const char *key)
{
    if (res->dangling < ARRAY_LEN(res->first))
        res->first[res->dangling] = xstrdup(db_path);
    res->dangling++;
    if (strpbrk(db_path, "\t\n") || (host && strpbrk(host, "\t\n")) || strpbrk(key, "\t\n"))
        return;
    fprintf(f, "%s\t%s\t%s\n", key, db_path, host ? host : "-");
}

/* Reads NUL-separated rows from fd and checks each. */
static void scan_rows(int fd, const struct container_info *server, const char *upload_dest, FILE *f,
                      const struct reporter *rep, struct dangling_result *res)
{
    struct strbuf row = {0}, key = {0};
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\0') {
                sb_append_char(&row, buf[i]);
                continue;
            }
            /* psql -At -0 ends the last row with a newline before the NUL-less end. */
            char *host = source_path_to_host(sb_str(&row), server, upload_dest, &key);
            struct stat st;
            if (!host || lstat(host, &st) < 0)
                note_dangling(res, f, sb_str(&row), host, sb_str(&key));
            free(host);
            res->checked++;
            if (res->checked % 1000 == 0)
                report_progress(rep, "files", res->checked, 0, NULL);
            sb_reset(&row);
        }
    }
    /* The last row has no separator after it (psql ends it with a newline). */
    while (row.len && row.buf[row.len - 1] == '\n')
        row.buf[--row.len] = '\0';
    if (row.len) {
        char *host = source_path_to_host(sb_str(&row), server, upload_dest, &key);
        struct stat st;
        if (!host || lstat(host, &st) < 0)
            note_dangling(res, f, sb_str(&row), host, sb_str(&key));
        free(host);
        res->checked++;
    }
    sb_free(&row);
    sb_free(&key);
}

static FILE *open_temp_beside(const char *path, char **tmp_out, struct strbuf *err)
{
    /* ".tmp.XXXXXX": the name remove_stale_temps() clears when a killed run left it */
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
    if (fd < 0) {
        sb_printf(err, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return NULL;
    }
    *tmp_out = tmp;
    return fdopen(fd, "we");
}

int dangling_scan(const struct plan *p, const struct container_info *server,
                  const char *upload_dest, const char *out_path, const struct reporter *rep,
                  struct dangling_result *res, struct strbuf *err)
{
    *res = (struct dangling_result){0};
    struct strbuf cols = {0}, sql = {0};
    if (docker_psql(p, path_columns_query(), &cols, rep, err) < 0) {
        sb_free(&cols);
        return -1;
    }
    if (!path_union_query(sb_str(&cols), &sql)) {
        sb_free(&cols);
        sb_free(&sql);
        sb_append(err, _("the source database has no Immich path columns (is it Immich's?)"));
        return -1;
    }
    sb_free(&cols);
    char *tmp = NULL;
    FILE *f = out_path ? open_temp_beside(out_path, &tmp, err) : fopen("/dev/null", "we");
    if (!f) {
        sb_free(&sql);
        return -1;
    }
    fprintf(f, "# immich-migrate dangling paths v1: key\tdb path\thost path\n");
    struct argv_builder a = {0};
    docker_psql_argv(p, sb_str(&sql), true, &a);
    struct child c;
    struct strbuf cmdline = {0};
    argv_format(argv_get(&a), &cmdline);
    int rc = -1;
    if (child_start(&c, argv_get(&a), SPAWN_PIPE_STDOUT, err) == 0) {
        scan_rows(c.stdout_fd, server, upload_dest, f, rep, res);
        rc = child_wait(&c);
        struct record rec = RECORD_INIT(REC_COMMAND, sb_str(&cmdline));
        rec.argv = argv_get(&a);
        rec.exit_status = rc;
        rec.rows = (int64_t)res->checked;
        report_record(rep, &rec);
        if (rc != 0)
            sb_printf(err, _("listing the paths in the source database failed (exit %d)"), rc);
    }
    argv_free(&a);
    sb_free(&cmdline);
    sb_free(&sql);
    bool ok = rc == 0 && fflush(f) == 0 && (!out_path || fsync(fileno(f)) == 0);
    if (fclose(f) != 0)
        ok = false;
    if (!out_path)
        return rc == 0 ? 0 : -1;
    if (ok && rename(tmp, out_path) < 0) {
        sb_printf(err, "%s: %s", out_path, strerror(errno));
        ok = false;
    }
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

bool string_set_has(const struct string_set *s, const char *v)
{
    if (!s->cap)
        return false;
    for (size_t i = hash_str(v) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->slots[i])
            return false;
        if (strcmp(s->slots[i], v) == 0)
            return true;
    }
}

static void string_set_add(struct string_set *s, const char *v)
{
    if (string_set_has(s, v))
        return;
    if ((s->count + 1) * 2 > s->cap) {
        struct string_set bigger = {xcalloc(s->cap ? s->cap * 2 : 64, sizeof(char *)),
                                    s->cap ? s->cap * 2 : 64, 0};
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i]) {
                size_t j = hash_str(s->slots[i]) & (bigger.cap - 1);
                while (bigger.slots[j])
                    j = (j + 1) & (bigger.cap - 1);
                bigger.slots[j] = s->slots[i];
                bigger.count++;
            }
        free(s->slots);
        *s = bigger;
    }
    size_t j = hash_str(v) & (s->cap - 1);
    while (s->slots[j])
        j = (j + 1) & (s->cap - 1);
    s->slots[j] = xstrdup(v);
    s->count++;
}

void string_set_free(struct string_set *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i]);
    free(s->slots);
    *s = (struct string_set){0};
}

int dangling_load(const char *path, struct string_set *s, struct strbuf *err)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        sb_printf(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        char *db = tab + 1;
        char *tab2 = strchr(db, '\t');
        if (tab2)
            *tab2 = '\0';
        string_set_add(s, line);
        string_set_add(s, db);
    }
    free(line);
    fclose(f);
    return 0;
}
