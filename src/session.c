#include "session.h"
#include "redact.h"
#include "sys/safe_dir.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_dry_run(const struct session *s)
{
    return s->opt->dry_run;
}

static void stage_ids(const char **ids, size_t *n)
{
    const struct stage *const *list = stage_list(n);
    for (size_t i = 0; i < *n; i++)
        ids[i] = list[i]->id;
}

static bool unfinished(const struct journal *j)
{
    const char *ids[64];
    size_t n;
    stage_ids(ids, &n);
    return journal_unfinished(j, ids, n);
}

static void log_message(struct session *s, const char *stage, enum record_kind kind, const char *text)
{
    struct record rec = RECORD_INIT(kind, text);
    mlog_write(s->log, stage, &rec);
}

int session_open(struct session *s, const struct session_options *opt, bool *found_unfinished,
                 struct strbuf *err)
{
    memset(s, 0, sizeof *s);
    s->opt = opt;
    s->lock_fd = -1;
    s->state_dir = xstrdup(opt->state_dir);
    *found_unfinished = false;
    plan_init(&s->plan);
    if (opt->config && plan_load_file(&s->plan, opt->config, err) != 0)
        return -1;
    if (is_dry_run(s))
        return 0;

    s->lock_fd = journal_lock(s->state_dir, err);
    if (s->lock_fd < 0)
        return -1;
    s->status = runstatus_new(s->state_dir);
    struct journal *old = journal_load(s->state_dir, err);
    if (!old && err->len)
        return -1;
    if (old) {
        bool open_work = unfinished(old);
        journal_free(old);
        /* A finished migration is taken up as well: every stage then reports "already
         * done", so running again never repeats work. Starting over is explicit. */
        if (!open_work || opt->resume)
            return session_resume(s, err);
        *found_unfinished = true;
        return 0;
    }
    if (opt->resume) {
        sb_printf(err, _("nothing to resume in %s"), s->state_dir);
        return -1;
    }
    return session_start_over(s, err);
}

static int open_log(struct session *s, struct strbuf *err)
{
    if (!s->log)
        s->log = mlog_open(s->state_dir, err);
    return s->log ? 0 : -1;
}

/* The journal's snapshot has passwords redacted; take those values from the config file
 * given on this run. */
static void restore_secrets(struct plan *p, const struct plan *config)
{
    for (int k = 0; k < PLAN_KEY_COUNT; k++)
        if (strstr(plan_get(p, (enum plan_key)k), REDACTED) && config->v[k].source == SRC_CONFIG)
            plan_set(p, (enum plan_key)k, plan_get(config, (enum plan_key)k), SRC_CONFIG,
                     config->v[k].origin);
}

/* A stage killed while writing into backup_dir leaves a partial file behind (see
 * stage_partial_name); its rerun picks a new time-stamped name. Such a file is never complete,
 * so whoever holds the lock removes them. */
static void remove_stale_partials(struct session *s)
{
    /* Nothing is removed from a directory others can write: the checks refuse it later. */
    struct strbuf unsafe = {0};
    int safe = safe_dir_check(plan_get(&s->plan, PLAN_backup_dir), &unsafe);
    sb_free(&unsafe);
    if (safe < 0)
        return;
    DIR *d = opendir(plan_get(&s->plan, PLAN_backup_dir));
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!stage_partial_name(de->d_name))
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
            char *text = xasprintf(_("removed %s/%s, left half-written by an interrupted run"),
                                   plan_get(&s->plan, PLAN_backup_dir), de->d_name);
            log_message(s, NULL, REC_FILEOP, text);
            free(text);
        }
    }
    closedir(d);
}

/* Was stage id tried without finishing (running, failed, or interrupted back to pending)? */
static bool attempt_unfinished(const struct journal *j, const char *id)
{
    struct strbuf why = {0};
    enum stage_status now = journal_status(j, id);
    journal_reason(j, id, &why);
    bool unfinished = now == ST_RUNNING || now == ST_FAILED || (now == ST_PENDING && why.len);
    sb_free(&why);
    return unfinished;
}

/* A stage with redo_after_unfinished_next (stage.h) is pending again when the attempt of the
 * stage after it did not finish (e.g. an import killed after its COMMIT has loaded the
 * database, and repeating it on top fails: prepare_db empties it first). */
static void redo_before_unfinished(struct session *s)
{
    size_t n;
    const struct stage *const *list = stage_list(&n);
    for (size_t i = 0; i + 1 < n; i++) {
        const struct stage *st = list[i];
        if (!st->redo_after_unfinished_next || !attempt_unfinished(s->journal, list[i + 1]->id) ||
            journal_status(s->journal, st->id) != ST_DONE)
            continue;
        const char *text = _(st->redo_after_unfinished_next);
        journal_set_status(s->journal, st->id, ST_PENDING, text);
        log_message(s, st->id, REC_MESSAGE, text);
    }
}

int session_resume(struct session *s, struct strbuf *err)
{
    struct journal *j = journal_load(s->state_dir, err);
    if (!j) {
        if (!err->len)
            sb_printf(err, _("nothing to resume in %s"), s->state_dir);
        return -1;
    }
    journal_free(s->journal);
    s->journal = j;
    /* The plan the migration started with wins: changing it halfway would mix two plans. */
    struct plan from_config;
    plan_copy(&from_config, &s->plan);
    plan_free(&s->plan);
    plan_copy(&s->plan, journal_plan(j));
    restore_secrets(&s->plan, &from_config);
    plan_free(&from_config);
    s->resumed = true;
    if (open_log(s, err) < 0)
        return -1;
    log_message(s, NULL, REC_MESSAGE, _("migration resumed"));
    redo_before_unfinished(s);
    remove_stale_partials(s);
    return 0;
}

int session_start_over(struct session *s, struct strbuf *err)
{
    if (journal_archive(s->state_dir, err) < 0)
        return -1;
    journal_free(s->journal);
    s->journal = journal_create(s->state_dir, &s->plan);
    if (journal_save(s->journal, err) < 0 || open_log(s, err) < 0)
        return -1;
    s->resumed = false;
    log_message(s, NULL, REC_MESSAGE, _("migration started"));
    return 0;
}

void session_close(struct session *s)
{
    if (s->journal) {
        struct strbuf err = {0};
        journal_save(s->journal, &err);
        sb_free(&err);
    }
    journal_free(s->journal);
    mlog_close(s->log);
    runstatus_free(s->status); /* before the lock goes: a viewer reads it only while locked */
    journal_unlock(s->lock_fd);
    plan_free(&s->plan);
    free(s->state_dir);
    memset(s, 0, sizeof *s);
    s->lock_fd = -1;
}

/* The reporter a stage sees: every record goes to the log, then everything to `outer`. */
struct tee {
    struct session *s;
    const char *stage;
    const struct reporter *outer;
};

static void tee_record(void *ud, const struct record *rec)
{
    struct tee *t = ud;
    mlog_write(t->s->log, t->stage, rec);
    report_record(t->outer, rec);
}

static void tee_progress(void *ud, const struct progress *p)
{
    struct tee *t = ud;
    if (t->s->status)
        runstatus_progress(t->s->status, p);
    if (t->outer && t->outer->on_progress)
        t->outer->on_progress(t->outer->ud, p);
}

static bool tee_cancelled(void *ud)
{
    struct tee *t = ud;
    return report_cancelled(t->outer);
}

static bool tee_confirm(void *ud, const char *question, const char *expected)
{
    struct tee *t = ud;
    bool yes = report_confirm(t->outer, question, expected);
    struct strbuf text = {0};
    sb_printf(&text, yes ? _("confirmed: %s") : _("not confirmed: %s"), question);
    struct record rec = RECORD_INIT(REC_MESSAGE, sb_str(&text));
    mlog_write(t->s->log, t->stage, &rec);
    sb_free(&text);
    return yes;
}

static enum stage_result run_stage(struct session *s, const struct stage *st,
                                   const struct reporter *outer, bool again, struct strbuf *err);

/* Asks the user to pass over the missing gates (wizard: typing "override"; batch never asks,
 * only --override NAME counts). */
static bool override_wanted(const struct session *s, const struct stage *st,
                            const struct stage_ctx *ctx, unsigned missing, const char *what)
{
    if (!s->opt->wizard)
        return (missing & ~s->opt->overrides) == 0;
    struct strbuf q = {0};
    /* TRANSLATORS: "Prepare database" drops and recreates ..., but first it needs: ... */
    sb_printf(&q,
              _("\"%s\" %s, but first it needs: %s. Run it anyway? This is recorded in the "
                "log and the report as an override."),
              _(st->title), st->changes ? _(st->changes) : _("changes the system"), what);
    bool yes = report_confirm(ctx->rep, sb_str(&q), GATE_OVERRIDE_WORD);
    sb_free(&q);
    return yes;
}

/* The one place the gates of the stage table (stage.h) are enforced, for the wizard, batch
 * and resume alike: a stage whose gates do not hold is refused (nothing runs, the journal is
 * left as it was) unless the user overrides them by name; an override is logged as such. */
static bool pass_gates(struct session *s, const struct stage *st, const struct stage_ctx *ctx,
                       struct strbuf *err)
{
    unsigned missing = stage_gates_missing(st, ctx);
    if (!missing)
        return true;
    struct strbuf what = {0}, names = {0}, text = {0};
    stage_gates_describe(missing, &what);
    stage_gates_names(missing, &names);
    bool yes = override_wanted(s, st, ctx, missing, sb_str(&what));
    enum record_kind kind = REC_OVERRIDE;
    if (yes) {
        sb_printf(&text, _("%s: override of %s: runs without %s"), _(st->title), sb_str(&names),
                  sb_str(&what));
    } else {
        kind = REC_ERROR;
        if (s->opt->wizard)
            sb_printf(err, _("refused: it needs first: %s (or type \"%s\" when asked)"),
                      sb_str(&what), GATE_OVERRIDE_WORD);
        else
            sb_printf(err, _("refused: it needs first: %s (or run with --override %s)"),
                      sb_str(&what), sb_str(&names));
        sb_printf(&text, "%s: %s", _(st->title), sb_str(err));
    }
    report_msg(ctx->rep, kind, "%s", sb_str(&text));
    sb_free(&what);
    sb_free(&names);
    sb_free(&text);
    return yes;
}

/* The unfinished journal in s->state_dir, judged (safe_dir) and locked (the lock stays in s),
 * with its plan put in s->plan. NULL with err empty when no migration is under way there. */
static struct journal *migration_under_way(struct session *s, struct strbuf *err)
{
    /* Judged before anything in it is believed; a missing directory is no migration. */
    if (safe_dir_judge(_("the state directory"), s->state_dir, err) < 0)
        return NULL;
    struct journal *j = journal_load(s->state_dir, err);
    bool under_way = j && unfinished(j);
    journal_free(j);
    /* Locked before it is read again: no stage of the migration runs meanwhile. */
    if (!under_way || (s->lock_fd = journal_lock(s->state_dir, err)) < 0)
        return NULL;
    j = journal_load(s->state_dir, err);
    if (j) {
        plan_free(&s->plan);
        plan_copy(&s->plan, journal_plan(j));
    }
    return j;
}

int session_open_alone(struct session *s, const struct session_options *opt, const struct stage *st,
                       const char *command, const struct reporter *outer, struct strbuf *err)
{
    memset(s, 0, sizeof *s);
    s->opt = opt;
    s->lock_fd = -1;
    s->state_dir = xstrdup(opt->state_dir);
    plan_init(&s->plan);
    struct journal *j = migration_under_way(s, err);
    if (!j)
        return err->len ? -1 : 0;
    int rc = open_log(s, err);
    if (rc == 0) {
        struct tee t = {.s = s, .stage = st->id, .outer = outer};
        struct reporter rep = {tee_record, tee_progress, tee_cancelled, tee_confirm, &t};
        struct stage_ctx ctx = {.plan = &s->plan, .rep = &rep, .state_dir = s->state_dir, .journal = j};
        struct strbuf why = {0};
        rc = pass_gates(s, st, &ctx, &why) ? 0 : -1;
        if (rc < 0)
            sb_printf(err, _("a migration is under way in %s: %s"), s->state_dir, sb_str(&why));
        sb_free(&why);
        if (rc == 0) {
            char *text = xasprintf(_("%s: run alone by \"immich-migrate %s\", outside the journal"),
                                   _(st->title), command);
            log_message(s, st->id, REC_MESSAGE, text);
            free(text);
        }
    }
    journal_free(j);
    return rc;
}

enum stage_result session_run_stage(struct session *s, const struct stage *st,
                                    const struct reporter *outer, struct strbuf *err)
{
    return run_stage(s, st, outer, false, err);
}

enum stage_result session_rerun_stage(struct session *s, const struct stage *st,
                                      const struct reporter *outer, struct strbuf *err)
{
    struct stage_ctx ctx = {.plan = &s->plan, .state_dir = s->state_dir, .journal = s->journal};
    return run_stage(s, st, outer, st->repeatable && st->repeatable(&ctx), err);
}

/* The one place dry runs are handled: the stage shows what it would do (its preview) and
 * nothing runs; stages themselves know nothing of dry runs. */
static enum stage_result dry_run_stage(const struct stage *st, const struct stage_ctx *ctx)
{
    struct strbuf text = {0};
    st->preview(ctx, &text);
    report_msg(ctx->rep, REC_MESSAGE, "%s", sb_str(&text));
    sb_free(&text);
    return STAGE_OK;
}

static enum stage_result run_stage(struct session *s, const struct stage *st,
                                   const struct reporter *outer, bool again, struct strbuf *err)
{
    struct tee t = {.s = s, .stage = st->id, .outer = outer};
    struct reporter rep = {tee_record, tee_progress, tee_cancelled, tee_confirm, &t};
    struct stage_ctx ctx = {
        .plan = &s->plan,
        .rep = &rep,
        .assume_yes = s->opt->yes,
        .state_dir = s->state_dir,
        .journal = s->journal,
    };
    if (s->journal) {
        enum stage_status now = journal_status(s->journal, st->id);
        if (now == ST_DONE && !again && (!st->is_done || st->is_done(&ctx))) {
            report_msg(&rep, REC_MESSAGE, _("%s: already done"), _(st->title));
            return STAGE_OK;
        }
    }
    if (!is_dry_run(s) && !pass_gates(s, st, &ctx, err))
        return STAGE_FAILED;
    if (s->journal) {
        journal_set_status(s->journal, st->id, ST_RUNNING, NULL);
        if (journal_save(s->journal, err) < 0)
            return STAGE_FAILED;
    }
    if (s->status)
        runstatus_stage_started(s->status, st->id);
    report_msg(&rep, REC_MESSAGE, _("%s: started"), _(st->title));
    double t0 = now_monotonic();
    size_t errlen = err->len;
    enum stage_result result = is_dry_run(s) ? dry_run_stage(st, &ctx) : st->run(&ctx, err);
    const char *reason = err->buf ? err->buf + errlen : "";

    struct strbuf text = {0};
    enum stage_status status = ST_FAILED;
    enum record_kind kind = REC_MESSAGE;
    switch (result) {
    case STAGE_OK:
        status = ST_DONE;
        sb_printf(&text, _("%s: done"), _(st->title));
        break;
    case STAGE_SKIPPED:
        status = ST_SKIPPED;
        sb_printf(&text, _("%s: skipped %s"), _(st->title), reason);
        break;
    case STAGE_CANCELLED:
        /* Back to pending: a resume runs the stage again from its safe point. */
        status = ST_PENDING;
        sb_printf(&text, _("%s: interrupted"), _(st->title));
        reason = _("interrupted");
        break;
    case STAGE_FAILED:
        status = ST_FAILED;
        kind = REC_ERROR;
        sb_printf(&text, _("%s: failed: %s"), _(st->title), reason);
        break;
    }
    struct record rec = RECORD_INIT(kind, sb_str(&text));
    rec.duration = now_monotonic() - t0;
    tee_record(&t, &rec);
    sb_free(&text);
    if (s->journal) {
        journal_set_status(s->journal, st->id, status, reason);
        journal_set_plan(s->journal, &s->plan);
        struct strbuf save_err = {0};
        if (journal_save(s->journal, &save_err) < 0) {
            sb_printf(err, "%s%s", err->len ? "; " : "", sb_str(&save_err));
            result = STAGE_FAILED;
        }
        sb_free(&save_err);
    }
    /* After the journal: a viewer that sees "ended" finds the result saved. */
    if (s->status)
        runstatus_stage_ended(s->status, result);
    return result;
}

void session_detach(struct session *s, const struct stage *st)
{
    char *text = xasprintf(_("%s: the terminal hung up; the stage goes on without it, and the "
                             "program stops when it ends (run immich-migrate again to follow it)"),
                           _(st->title));
    log_message(s, st->id, REC_MESSAGE, text);
    free(text);
    if (s->status)
        runstatus_detach(s->status);
}

void session_stage_preview(struct session *s, const struct stage *st, struct strbuf *out)
{
    struct stage_ctx ctx = {.plan = &s->plan, .state_dir = s->state_dir, .journal = s->journal};
    bool done = s->journal && journal_status(s->journal, st->id) == ST_DONE &&
                (!st->is_done || st->is_done(&ctx));
    if (st->name_outputs && s->journal && !is_dry_run(s) && !done) {
        /* When the journal cannot be saved the preview shows fresh names; the run then fails
         * with the reason. */
        struct strbuf err = {0};
        st->name_outputs(&ctx, &err);
        sb_free(&err);
    }
    if (st->preview)
        st->preview(&ctx, out);
}

void session_skip_stage(struct session *s, const struct stage *st, const char *why)
{
    char *text = xasprintf(_("%s: skipped by the user"), _(st->title));
    log_message(s, st->id, REC_MESSAGE, text);
    free(text);
    if (s->journal) {
        journal_set_status(s->journal, st->id, ST_SKIPPED, why);
        struct strbuf err = {0};
        journal_save(s->journal, &err);
        sb_free(&err);
    }
}

/* Checks run with other settings say nothing about these: the stages that establish the
 * checks gate (passed or failed) are pending again, so the gated stages refuse until the
 * checks run again, and the wizard shows their old findings as stale. */
static void invalidate_checks(struct session *s)
{
    size_t n;
    const struct stage *const *list = stage_list(&n);
    const char *why = _("the settings were changed after the checks: run them again");
    for (size_t i = 0; i < n; i++) {
        enum stage_status now = journal_status(s->journal, list[i]->id);
        if (!(list[i]->provides & GATE_CHECKS) || (now != ST_DONE && now != ST_FAILED))
            continue;
        journal_set_status(s->journal, list[i]->id, ST_PENDING, why);
        log_message(s, list[i]->id, REC_MESSAGE, why);
    }
}

void session_plan_changed(struct session *s)
{
    if (!s->journal)
        return;
    invalidate_checks(s);
    journal_set_plan(s->journal, &s->plan);
    struct strbuf err = {0};
    journal_save(s->journal, &err);
    sb_free(&err);
}
