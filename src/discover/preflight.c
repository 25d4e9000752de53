#include "discover/preflight.h"
#include "discover/paths.h"
#include "files/select.h"
#include "sys/safe_dir.h"
#include "sys/safepath.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *list_to_commas(const char *list)
{
    struct strbuf sb = {0};
    for (const char *l = list ? list : ""; *l;) {
        size_t n = strcspn(l, "\n");
        if (n)
            sb_printf(&sb, "%s%.*s", sb.len ? "," : "", (int)n, l);
        l += n;
        if (*l)
            l++;
    }
    return sb_detach(&sb);
}

static void add_check(struct check_list *l, const char *name, enum check_status st, char *detail,
                      char *fix)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = (struct check){name, st, detail, fix};
}

/* Which source paths already name no file: reported now, and apart by verify later. */
static void scan_dangling(struct plan *p, const char *state_dir, bool write,
                          const struct reporter *rep, struct discovery *d, struct check_list *l)
{
    const char *name = _("Files named by the source database");
    if (d->server_state != 0 || !d->src_extensions) {
        add_check(l, name, CHECK_FAIL, xstrdup(_("not checked: the source is not reachable")),
                  xstrdup(_("See the checks above.")));
        return;
    }
    char *path = NULL;
    struct strbuf why = {0};
    char *real = write && state_dir ? path_judge(state_dir, PATH_WRITE, &why) : NULL;
    if (write && state_dir && !real) {
        add_check(l, name, CHECK_FAIL, xasprintf(_("state directory: %s"), sb_str(&why)),
                  xstrdup(_("Choose another --state-dir.")));
        sb_free(&why);
        return;
    }
    sb_free(&why);
    /* Never written into a state directory others can write (that check fails already). */
    if (real && safe_dir_make(_("the state directory"), real, &why) == 0)
        path = xasprintf("%s/%s", real, DANGLING_FILE_NAME);
    sb_free(&why);
    free(real);
    struct dangling_result res;
    struct strbuf err = {0};
    if (dangling_scan(p, &d->server, d->upload_dest, path, rep, &res, &err) < 0) {
        add_check(l, name, CHECK_FAIL, sb_detach(&err),
                  xstrdup(_("Check the source database and the state directory.")));
    } else if (res.dangling) {
        struct strbuf detail = {0};
        sb_printf(&detail, _("%llu of %llu already missing in Docker (e.g. %s)"),
                  (unsigned long long)res.dangling, (unsigned long long)res.checked,
                  res.first[0] ? res.first[0] : "?");
        add_check(l, name, CHECK_WARN, sb_detach(&detail),
                  path ? xasprintf(_("Not caused by the migration; listed in %s and reported "
                                     "apart by verify."),
                                   path)
                       : xstrdup(_("Not caused by the migration; verify reports them apart.")));
    } else {
        add_check(l, name, CHECK_PASS,
                  xasprintf(_("all %llu exist"), (unsigned long long)res.checked), NULL);
    }
    dangling_result_free(&res);
    sb_free(&err);
    free(path);
}

/* Names that docker, pg_dump or psql would take for options, a bad URL or owner: refused
 * before any of them is passed to a program (when = before discovery), and again for what
 * discovery took from .env. */
static bool settings_valid(const struct plan *p, const char *when, struct check_list *l)
{
    struct strbuf why = {0};
    if (plan_validate_non_paths(p, &why) == 0) {
        sb_free(&why);
        return true;
    }
    add_check(l, _("Settings"), CHECK_FAIL, sb_detach(&why),
              xasprintf(_("Correct the settings named above (%s)."), when));
    return false;
}

static bool same_device(const char *a, const char *b)
{
    struct stat sa, sb;
    /* unknown (not there yet): assume one disk, the slower case */
    return stat(a, &sa) != 0 || stat(b, &sb) != 0 || sa.st_dev == sb.st_dev;
}

/* The estimate (discover/estimate.h) and its line among the checks. The write rate is
 * measured only when the run may write (not in a dry run). */
static void estimate_run(const struct plan *p, bool may_write, struct discovery *d,
                         struct check_list *checks)
{
    if (!d->lib_walked)
        return;
    const char *up = plan_get(p, PLAN_upload_location), *target = plan_get(p, PLAN_target_location);
    enum backup_strategy s = backup_strategy_of(plan_get(p, PLAN_library_backup));
    char a[PATH_MAX], b[PATH_MAX];
    struct estimate_input in = {
        .archive_bytes = s == BACKUP_ARCHIVE     ? d->lib_bytes
                         : s == BACKUP_ORIGINALS ? d->lib_originals_bytes
                                                 : 0,
        .lib_bytes = d->lib_bytes,
        .lib_files = d->lib_files,
        .db_bytes = d->db_bytes,
        .copy = !(realpath(up, a) && realpath(target, b) && strcmp(a, b) == 0),
        .same_disk = same_device(up, plan_get(p, PLAN_backup_dir)) && same_device(up, target),
    };
    struct io_rates r;
    estimate_measure_rates(up, plan_get(p, PLAN_backup_dir), may_write, &r);
    estimate_compute(&in, &r, &d->estimate);
    struct strbuf line = {0};
    estimate_summary(&d->estimate, &line);
    add_check(checks, _("Time estimate"), CHECK_PASS, sb_detach(&line), NULL);
}

int preflight_run(struct plan *p, const char *state_dir, bool write_dangling,
                  const struct reporter *rep, struct discovery *d, struct check_list *checks)
{
    if (!settings_valid(p, _("nothing was run"), checks))
        return check_list_failures(checks);
    discover_source(d, p, rep);
    settings_valid(p, _("in the plan or in .env"), checks);
    discover_target(d, p, rep);
    struct strbuf note = {0};
    bool url_odd = d->unit_exists && discover_immich_url(p, &d->unit, &note) < 0;
    checks_run(d, p, state_dir ? state_dir : DEFAULT_STATE_DIR, checks);
    if (url_odd)
        add_check(checks, _("Immich address"), CHECK_WARN, sb_detach(&note),
                  xstrdup(_("Set immich_url to where the NixOS Immich answers.")));
    sb_free(&note);
    estimate_run(p, write_dangling, d, checks);
    scan_dangling(p, state_dir, write_dangling, rep, d, checks);
    return check_list_failures(checks);
}
