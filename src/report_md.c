#include "report_md.h"
#include "textesc.h"
#include "journal.h"
#include "mlog.h"
#include "downtime.h"
#include "redact.h"
#include "stages/stage.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static void format_time(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* Text inside a Markdown code span/block: redacted again (belt and braces). */
static void put_code(FILE *out, const char *text, bool block)
{
    char *redacted = redact_dup(text);
    char *safe = ctl_escape_dup(redacted, true); /* also for logs written before escaping */
    free(redacted);
    if (block || strchr(safe, '\n') || strchr(safe, '`'))
        fprintf(out, "\n\n  ```\n  %s\n  ```\n", safe);
    else
        fprintf(out, " `%s`\n", safe);
    free(safe);
}

static void put_entry(FILE *out, const struct mlog_entry *e)
{
    char when[64];
    format_time(e->time, when, sizeof when);
    fprintf(out, "- %s **%s**", when + 11, record_kind_name(e->kind));
    if (e->exit_status >= 0)
        fprintf(out, _(" (exit %d)"), e->exit_status);
    if (e->duration >= 0)
        fprintf(out, _(" %.2f s"), e->duration);
    if (e->bytes >= 0)
        fprintf(out, _(" %lld bytes"), (long long)e->bytes);
    if (e->rows >= 0)
        fprintf(out, _(" %lld rows"), (long long)e->rows);
    fputc(':', out);
    put_code(out, e->text, e->kind == REC_SQL || e->kind == REC_ERROR);
}

/* The name a person reads for a log record's stage: the stage's translated title (the log
 * keeps the id), "immich-migrate" for records outside any stage. */
static const char *stage_name(const char *id)
{
    const struct stage *st = *id ? stage_find(id) : NULL;
    return st ? _(st->title) : *id ? id : "immich-migrate";
}

/* How long the stage's last finished attempt took: session_run_stage ends every attempt with
 * a message (or error) record carrying the duration. Negative when it never finished. */
static double stage_duration(const struct mlog_entries *log, const char *stage_id)
{
    for (size_t i = log->n; i-- > 0;) {
        const struct mlog_entry *e = &log->v[i];
        if (strcmp(e->stage, stage_id) == 0 && e->duration >= 0 &&
            (e->kind == REC_MESSAGE || e->kind == REC_ERROR))
            return e->duration;
    }
    return -1;
}

/* How long Immich was down: from the end of the stage that stops Docker to the end of the one
 * that starts Immich on NixOS (both finished), with every stage's time in human units above. */
static void put_downtime(FILE *out, const struct mlog_entries *log)
{
    double down = migration_downtime(log);
    if (down < 0)
        return;
    struct strbuf took = {0};
    format_seconds(down, &took);
    fprintf(out, _("\nImmich was down for %s (from the end of Stop Docker to the end of Start "
                   "Immich).\n"),
            sb_str(&took));
    sb_free(&took);
}

/* Is a migration working in dir right now (its lock is held)? A stage the journal says is
 * "running" while nobody holds the lock was interrupted (killed, power cut). */
static bool lock_held(const char *dir)
{
    char *path = xasprintf("%s/lock", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(path);
    if (fd < 0)
        return false;
    bool held = flock(fd, LOCK_SH | LOCK_NB) < 0;
    close(fd);
    return held;
}

/* The library backup the run made (library_backup, artifact backup_strategy): the reader must
 * know whether an archive exists, above all when the choice was "none". */
static void put_backup_choice(FILE *out, const struct journal *j)
{
    char *chosen = journal_artifact(j, artifact_name(ART_backup_strategy));
    if (!chosen || !*chosen) {
        free(chosen);
        return;
    }
    char *archive = journal_artifact(j, artifact_name(ART_backup_archive));
    char *safe = ctl_escape_dup(archive ? archive : "", true);
    if (strcmp(chosen, "none") == 0)
        fprintf(out, _("Library backup: `library_backup = none`: no archive was written (chosen "
                       "by the user)\n\n"));
    else
        fprintf(out, _("Library backup: `library_backup = %s`: `%s`\n\n"),
                strcmp(chosen, "originals") == 0 ? "originals" : "archive", safe);
    char *base = journal_artifact(j, artifact_name(ART_backup_base));
    if (base && *base && strcmp(chosen, "none") != 0) {
        char *safe_base = ctl_escape_dup(base, true);
        fprintf(out,
                _("That archive is the catch-up of the base archive `%s`, written during the "
                  "pre-copy. To restore: extract the base, remove the paths listed (NUL-separated) "
                  "in `%s.removed`, extract the catch-up.\n\n"),
                safe_base, safe);
        free(safe_base);
    }
    free(base);
    free(safe);
    free(archive);
    free(chosen);
}

int report_markdown(const char *dir, FILE *out, struct strbuf *err)
{
    struct mlog_entries log;
    if (mlog_read(dir, &log, err) < 0)
        return -1;
    struct strbuf jerr = {0};
    struct journal *j = journal_load(dir, &jerr);
    char when[64];

    fprintf(out, _("# immich-migrate report\n\n"));
    fprintf(out, _("State directory: `%s`\n\n"), dir);
    if (j) {
        format_time(journal_started(j), when, sizeof when);
        fprintf(out, _("Started: %s\n\n"), when);
    } else if (jerr.len) {
        fprintf(out, _("Journal: %s\n\n"), sb_str(&jerr));
    }

    if (j)
        put_backup_choice(out, j);

    bool live = lock_held(dir);
    size_t n;
    const struct stage *const *list = stage_list(&n);
    fprintf(out, _("## Stages\n\n| # | Stage | Status | Time | Note |\n|---|---|---|---|---|\n"));
    for (size_t i = 0; i < n; i++) {
        struct strbuf reason = {0};
        const char *status = "pending";
        if (j) {
            enum stage_status now = journal_status(j, list[i]->id);
            status = now == ST_RUNNING && !live ? "interrupted" : stage_status_name(now);
            journal_reason(j, list[i]->id, &reason);
        }
        char *redacted = redact_dup(sb_str(&reason));
        char *safe = ctl_escape_dup(redacted, true);
        free(redacted);
        for (char *c = safe; *c; c++)
            if (*c == '|' || *c == '\n')
                *c = ' ';
        struct strbuf took = {0};
        double d = stage_duration(&log, list[i]->id);
        if (d >= 0)
            format_seconds(d, &took);
        fprintf(out, "| %zu | %s | %s | %s | %s |\n", i + 1, _(list[i]->title), status,
                sb_str(&took), safe);
        free(safe);
        sb_free(&took);
        sb_free(&reason);
    }
    put_downtime(out, &log);

    /* Gates passed over by the user (stage.h): the reader must see them first. */
    size_t overrides = 0;
    for (size_t i = 0; i < log.n; i++)
        overrides += log.v[i].kind == REC_OVERRIDE;
    if (overrides) {
        fprintf(out, _("\n## Overrides\n\n"));
        for (size_t i = 0; i < log.n; i++)
            if (log.v[i].kind == REC_OVERRIDE) {
                format_time(log.v[i].time, when, sizeof when);
                fprintf(out, "- %s [%s]", when, stage_name(log.v[i].stage));
                put_code(out, log.v[i].text, false);
            }
    }

    size_t errors = 0;
    for (size_t i = 0; i < log.n; i++)
        errors += log.v[i].kind == REC_ERROR;
    if (errors) {
        fprintf(out, _("\n## Errors\n\n"));
        for (size_t i = 0; i < log.n; i++)
            if (log.v[i].kind == REC_ERROR) {
                fprintf(out, "- [%s]", stage_name(log.v[i].stage));
                put_code(out, log.v[i].text, true);
            }
    }

    /* The log, grouped into sections whenever the stage changes. */
    fprintf(out, _("\n## Log\n"));
    const char *current = NULL;
    for (size_t i = 0; i < log.n; i++) {
        const struct mlog_entry *e = &log.v[i];
        if (!current || strcmp(current, e->stage) != 0) {
            format_time(e->time, when, sizeof when);
            fprintf(out, "\n### %s (%s)\n\n", stage_name(e->stage), when);
            current = e->stage;
        }
        put_entry(out, e);
    }
    journal_free(j);
    sb_free(&jerr);
    mlog_entries_free(&log);
    return 0;
}
