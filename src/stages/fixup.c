/* Stage "fixup": rewrites the dump for NixOS (search_path, paths, MediaLocation, owners).
 * Reads the artifact dump_file; sets fixed_dump, fixed_dump_sha256 (see fixed_dump.h),
 * fixup_report, dump_extensions and dump_immich_version. Path rules: the upload mount found
 * by discovery (upload_mount), the defaults /usr/src/app/upload and upload/, and each
 * external library mount (external_mounts). */
#include "stages/stage.h"
#include "db/fixup.h"
#include "db/fixup_plan.h"
#include "stages/fixed_dump.h"
#include "sys/safe_dir.h"
#include "sys/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int build_options(const struct stage_ctx *ctx, struct fixup_options *o, struct strbuf *err)
{
    if (fixup_plan_defaults(ctx->plan, o, err) < 0)
        return -1;
    const char *target = plan_get(ctx->plan, PLAN_target_location);
    char *mount = artifact_upload_mount(ctx);
    int rc = mount && *mount ? path_rules_add(&o->rules, mount, target, err) : 0;
    free(mount);
    struct ext_mounts ext = {0};
    if (rc == 0 && artifact_external_mounts(ctx, &ext, err) < 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < ext.n; i++)
        rc = path_rules_add(&o->rules, ext.v[i].container, ext.v[i].host, err);
    ext_mounts_free(&ext);
    return rc;
}

/* <backup_dir>/<dump name without .sql/.gz/.zst>-nixos.sql (-2, -3... when taken). */
static char *output_name(const struct stage_ctx *ctx, const char *in, int attempt)
{
    const char *base = strrchr(in, '/');
    base = base ? base + 1 : in;
    size_t n = strlen(base);
    static const char *const exts[] = {".zst", ".gz", ".sql"};
    for (size_t i = 0; i < ARRAY_LEN(exts); i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strncmp(base + n - e, exts[i], e) == 0)
            n -= e;
    }
    if (attempt > 1)
        return xasprintf("%s/%.*s-nixos-%d.sql", plan_get(ctx->plan, PLAN_backup_dir), (int)n, base,
                         attempt);
    return xasprintf("%s/%.*s-nixos.sql", plan_get(ctx->plan, PLAN_backup_dir), (int)n, base);
}

static void fixup_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    char *in = artifact_dump_file(ctx);
    if (!in || !*in) { /* the dump stage has not run yet: the name it claimed, if any */
        free(in);
        in = artifact_pending(ctx, ART_dump_file);
        if (in && !*in) {
            free(in);
            in = NULL;
        }
    }
    struct fixup_options o;
    struct strbuf err = {0};
    fixup_options_init(&o);
    build_options(ctx, &o, &err);
    char *outname = output_name(ctx, in ? in : "immich.sql", 1);
    sb_printf(out, "immich-migrate fixup --target %s", plan_get(ctx->plan, PLAN_target_location));
    for (size_t i = 0; i < o.rules.count; i++)
        sb_printf(out, " --map '%s=%s'", o.rules.rules[i].from, o.rules.rules[i].to);
    for (size_t i = 0; i < o.nroles; i++)
        sb_printf(out, " --role-map '%s=%s'", o.roles[i].from, o.roles[i].to);
    sb_printf(out, " '%s' '%s'\n", in ? in : _("(the dump)"), outname);
    free(outname);
    free(in);
    fixup_options_free(&o);
    sb_free(&err);
}

static bool fixup_is_done(const struct stage_ctx *ctx)
{
    char *f = artifact_fixed_dump(ctx);
    char *sum = artifact_fixed_dump_sha256(ctx);
    /* Without its checksum (a journal of an older version) the import would refuse it. */
    bool done = f && *f && access(f, R_OK) == 0 && sum && *sum;
    free(f);
    free(sum);
    return done;
}

/* 0 when fd's SHA-256 is want (the recorded one, NULL when none), else -1 with the reason. */
static int check_sum(const char *path, int fd, const char *want, struct strbuf *err)
{
    if (!want || !*want) {
        sb_printf(err,
                  _("%s has no checksum from the fix-up stage: run the fix-up stage "
                    "again"),
                  path);
        return -1;
    }
    char got[SHA256_HEX_LEN + 1];
    if (sha256_fd_hex(fd, path, got, err) < 0)
        return -1;
    if (strcmp(got, want) != 0) {
        sb_printf(err,
                  _("%s was changed after the fix-up stage wrote it (SHA-256 %s, expected "
                    "%s); refusing to import it. Find out who changed it, then run the "
                    "fix-up stage again"),
                  path, got, want);
        return -1;
    }
    return 0;
}

int fixed_dump_verify(const struct stage_ctx *ctx, const char *path, int fd, struct strbuf *err)
{
    char *want = artifact_fixed_dump_sha256(ctx);
    int rc = check_sum(path, fd, want, err);
    free(want);
    return rc;
}

static void set_artifacts(struct stage_ctx *ctx, const struct fixup_stats *st, const char *out,
                          const char *report, const char *sum)
{
    struct strbuf ext = {0};
    for (size_t i = 0; i < st->nextensions; i++)
        sb_printf(&ext, "%s%s", i ? "," : "", st->extensions[i]);
    artifact_set_fixed_dump(ctx, out);
    artifact_set_fixed_dump_sha256(ctx, sum);
    artifact_set_fixup_report(ctx, report);
    artifact_set_dump_extensions(ctx, sb_str(&ext));
    artifact_set_dump_immich_version(ctx, st->immich_version ? st->immich_version : "");
    sb_free(&ext);
}

static int write_report(const char *path, const struct strbuf *text, struct strbuf *err)
{
    /* Our own report from an earlier run is replaced; a new file is always created afresh. */
    if (unlink(path) < 0 && errno != ENOENT) {
        sb_printf(err, _("cannot replace %s: %s"), path, strerror(errno));
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, text->buf, text->len) != (ssize_t)text->len) {
        sb_printf(err, _("cannot write %s: %s"), path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return close(fd);
}

static int run_fixup(struct stage_ctx *ctx, const struct fixup_options *o, const char *in,
                     const char *out, struct fixup_stats *st, char sum[SHA256_HEX_LEN + 1],
                     struct strbuf *err)
{
    struct dump_reader *r = dump_reader_open(in, err);
    if (!r)
        return -1;
    /* Written under a temporary name: a fixed dump killed midway never looks finished. */
    char *partial = xasprintf("%s.partial", out);
    unlink(partial); /* ours, from an interrupted run */
    struct dump_writer *w = dump_writer_create(partial, DUMP_PLAIN, 1, err);
    if (!w) {
        dump_reader_close(r);
        free(partial);
        return -1;
    }
    int rc = fixup_run(o, r, w, ctx->rep, st, err);
    dump_reader_close(r);
    if (rc == 0 && !st->complete) {
        sb_append(err, _("the dump is incomplete: its \"dump complete\" line is missing"));
        rc = -1;
    }
    if (rc < 0) {
        dump_writer_abort(w);
        free(partial);
        return -1;
    }
    rc = dump_writer_finish(w, true, err);
    /* Hashed before it gets its name: nobody else can write backup_dir (checked), so what is
     * hashed is what fixup wrote. */
    if (rc == 0)
        rc = sha256_file_hex(partial, sum, err);
    if (rc == 0 && rename(partial, out) < 0) {
        sb_printf(err, _("cannot rename %s: %s"), partial, strerror(errno));
        unlink(partial);
        rc = -1;
    }
    free(partial);
    return rc;
}

/* The report one record per line: the stage screen's log shows (and scrolls) every line,
 * the path rules, the counts per column and MediaLocation, instead of one collapsed line. */
static void report_lines(const struct reporter *rep, const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        if (n)
            report_msg(rep, REC_MESSAGE, "%.*s", (int)n, text);
        text += n + (text[n] == '\n');
    }
}

static enum stage_result fixup_stage_run(struct stage_ctx *ctx, struct strbuf *err)
{
    char *in = artifact_dump_file(ctx);
    if (!in || !*in) {
        free(in);
        sb_append(err, _("no dump to fix up: run the dump stage or choose a dump first"));
        return STAGE_FAILED;
    }
    struct fixup_options o;
    fixup_options_init(&o);
    enum stage_result result = STAGE_FAILED;
    char *out = NULL;
    if (build_options(ctx, &o, err) < 0 ||
        safe_dir_make("backup_dir", plan_get(ctx->plan, PLAN_backup_dir), err) < 0)
        goto done;
    /* The output is derived from the dump alone, so one left by an interrupted run (complete
     * but not yet in the journal) is replaced rather than kept beside a second copy. */
    out = output_name(ctx, in, 1);
    struct fixup_stats st = {0};
    char sum[SHA256_HEX_LEN + 1];
    if (run_fixup(ctx, &o, in, out, &st, sum, err) == 0) {
        struct strbuf text = {0};
        fixup_report_text(&o, &st, &text);
        report_lines(ctx->rep, sb_str(&text));
        char *report = xasprintf("%s.report.txt", out);
        if (write_report(report, &text, err) == 0) {
            set_artifacts(ctx, &st, out, report, sum);
            result = STAGE_OK;
        }
        if (st.media_location_unmapped)
            report_msg(ctx->rep, REC_WARNING, _("the old MediaLocation %s matches no path rule"),
                       st.old_media_location);
        free(report);
        sb_free(&text);
    } else if (report_cancelled(ctx->rep)) {
        result = STAGE_CANCELLED;
    }
    fixup_stats_free(&st);
done:
    free(out);
    free(in);
    fixup_options_free(&o);
    return result;
}

const struct stage stage_fixup = {
    .id = "fixup",
    .title = N_("Fix up dump"),
    .describe = N_("Rewrites the search_path line, the library paths and the owners in the dump."),
    .changes = N_("writes the fixed dump into backup_dir"),
    .effect =
        N_("Writes the fixed copy of the dump into {backup_dir}; the original dump stays as it is."),
    .requires = GATE_CHECKS,
    .preview = fixup_preview,
    .is_done = fixup_is_done,
    .run = fixup_stage_run,
    .survives_hangup = true,
};
