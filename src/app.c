/* The program's modes above single stages: batch, dry run, report, demo, wizard, review. */
#include "common.h"
#include "app.h"
#include "datadir.h"
#include "report_md.h"
#include "redact.h"
#include "finish.h"
#include "rollback.h"
#include "runstatus.h"
#include "journal.h"
#include "session.h"
#include "sys/spawn.h"
#include "textesc.h"
#include "ui/ui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void print_plan(const struct plan *p, FILE *out)
{
    fprintf(out, _("## Plan\n\n"));
    for (int k = 0; k < PLAN_KEY_COUNT; k++) {
        const struct plan_value *v = &p->v[k];
        struct strbuf why = {0};
        bool ok = plan_validate_value(p, (enum plan_key)k, plan_get(p, (enum plan_key)k), false, &why);
        char *safe = redact_dup(plan_get(p, (enum plan_key)k));
        fprintf(out, "- %s = \"%s\" (%s%s%s)%s%s\n", plan_key_name((enum plan_key)k), safe,
                _(plan_source_label(v->source)), v->origin ? ", " : "", v->origin ? v->origin : "",
                ok ? "" : " — ", ok ? "" : sb_str(&why));
        free(safe);
        sb_free(&why);
    }
    fputc('\n', out);
}

/* The stage table's policy for the reader: what a stage changes, what must hold first. */
static void print_gates(const struct stage *st)
{
    if (st->changes)
        printf(_("Changes: %s.\n"), _(st->changes));
    if (st->requires) {
        struct strbuf what = {0};
        stage_gates_describe(st->requires, &what);
        printf(_("Needs first: %s.\n"), sb_str(&what));
        sb_free(&what);
    }
    if (st->changes || st->requires)
        putchar('\n');
}

/* --dry-run: every stage with the exact commands and SQL it would run. Changes nothing. */
static int run_dry(struct session *s)
{
    printf(_("# immich-migrate dry run — nothing is executed\n\n"));
    print_plan(&s->plan, stdout);
    size_t n;
    const struct stage *const *list = stage_list(&n);
    struct stage_ctx ctx = {.plan = &s->plan, .state_dir = s->state_dir};
    for (size_t i = 0; i < n; i++) {
        struct strbuf out = {0};
        list[i]->preview(&ctx, &out);
        printf("## %zu. %s%s\n\n%s\n\n", i + 1, _(list[i]->title),
               list[i]->destructive ? _(" (destructive: asks for confirmation)") : "",
               _(list[i]->describe));
        print_gates(list[i]);
        char *safe = redact_dup(sb_str(&out));
        printf("```\n%s%s```\n\n", safe, out.len && out.buf[out.len - 1] != '\n' ? "\n" : "");
        free(safe);
        sb_free(&out);
    }
    return 0;
}

/* Batch mode does not start Docker by itself (the user may want to look first); it says how. */
static void print_rollback_hint(const struct plan *p)
{
    struct argv_builder a = {0};
    argv_add_words(&a, plan_get(p, PLAN_docker_command));
    argv_add(&a, "start");
    argv_add(&a, plan_get(p, PLAN_server_container));
    argv_add(&a, plan_get(p, PLAN_ml_container));
    struct strbuf line = {0};
    argv_format(argv_get(&a), &line);
    fprintf(stderr,
            _("immich-migrate: nothing was imported yet; the Docker containers are stopped. "
              "To run the old installation again: %s\n"),
            sb_str(&line));
    sb_free(&line);
    argv_free(&a);
}

/* A failed stage does not stop the batch when all it is there for is a gate the user passed
 * over with --override (the session logs the override where a later stage needs the gate). */
static bool overridden(const struct session *s, const struct stage *st)
{
    return st->provides && (st->provides & ~s->opt->overrides) == 0;
}

/* --batch: the stages in order, one line per event on stderr, stop at the first failure. */
static int run_batch(struct session *s, bool found_unfinished)
{
    if (found_unfinished) {
        fprintf(stderr,
                _("immich-migrate: an unfinished migration is in %s; continue it with --resume "
                  "(or look at it with --report)\n"),
                s->state_dir);
        return 1;
    }
    size_t n;
    const struct stage *const *list = stage_list(&n);
    for (size_t i = 0; i < n; i++) {
        struct reporter rep;
        struct cli_reporter_state st;
        cli_reporter_init(&rep, &st, _(list[i]->title), s->opt->yes); /* the name people read */
        struct strbuf err = {0};
        enum stage_result r = session_run_stage(s, list[i], &rep, &err);
        /* A signal that came while a stage finished anyway still stops here: the stage is
         * recorded as done, the next one must not start (SIGHUP = the user is gone). */
        if (r == STAGE_CANCELLED || (cli_stop_signal() && (r != STAGE_OK || i + 1 < n))) {
            fprintf(stderr,
                    _("immich-migrate: interrupted during \"%s\"; the state is saved, continue with --resume\n"),
                    _(list[i]->title));
            sb_free(&err);
            return 128 + (cli_stop_signal() ? cli_stop_signal() : 1);
        }
        if (r == STAGE_FAILED && overridden(s, list[i])) {
            fprintf(stderr, _("immich-migrate: stage \"%s\" failed: %s; going on (--override)\n"),
                    _(list[i]->title), sb_str(&err));
        } else if (r == STAGE_FAILED) {
            fprintf(stderr, _("immich-migrate: stage \"%s\" failed: %s\n"), _(list[i]->title),
                    sb_str(&err));
            if (rollback_possible(s, list[i]))
                print_rollback_hint(&s->plan);
            char *owners = rollback_owners_hint(s);
            if (owners)
                fprintf(stderr, "immich-migrate: %s\n", owners);
            free(owners);
            sb_free(&err);
            return 1;
        }
        sb_free(&err);
    }
    fprintf(stderr, _("immich-migrate: migration finished; log and journal in %s\n"), s->state_dir);
    struct strbuf summary = {0};
    session_summary(s, &summary);
    fputs(sb_str(&summary), stdout);
    sb_free(&summary);
    return 0;
}

static int run_report(const struct app_options *opt)
{
    const char *dir = opt->log_dir ? opt->log_dir : opt->state_dir;
    struct strbuf err = {0};
    int rc = report_markdown(dir, stdout, &err);
    if (rc < 0)
        fprintf(stderr, "immich-migrate: %s\n", sb_str(&err));
    sb_free(&err);
    return rc < 0 ? 1 : 0;
}

/* What of the command line the session needs. */
static struct session_options session_options_of(const struct app_options *opt)
{
    return (struct session_options){
        .config = opt->config,
        .state_dir = opt->state_dir,
        .resume = opt->resume,
        .wizard = opt->mode == MODE_WIZARD,
        .dry_run = opt->mode == MODE_DRY_RUN,
        .yes = opt->yes,
        .demo = opt->demo,
        .overrides = opt->overrides,
    };
}

/* Appends word for a POSIX shell: as it is when it is plain, else in single quotes; control
 * characters escaped so the line stays one line on the terminal. */
static void shell_word(const char *word, struct strbuf *out)
{
    char *safe = ctl_escape_dup(word, false);
    if (*safe && strspn(safe, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                              "_-./,:=+@%") == strlen(safe)) {
        sb_append(out, safe);
    } else {
        sb_append_char(out, '\'');
        for (const char *p = safe; *p; p++)
            sb_append(out, *p == '\'' ? "'\\''" : (char[]){*p, '\0'});
        sb_append_char(out, '\'');
    }
    free(safe);
}

/* After the wizard leaves a migration unfinished: the command that continues it, with the
 * state directory when it is not the default and the config file when one was given. */
static void print_resume_hint(const struct app_options *opt, const struct session *s,
                              bool found_unfinished)
{
    size_t n;
    const struct stage *const *list = stage_list(&n);
    const char **ids = xcalloc(n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = list[i]->id;
    bool unfinished = s->journal ? journal_unfinished(s->journal, ids, n) : found_unfinished;
    free(ids);
    if (opt->demo || opt->mode != MODE_WIZARD || !unfinished)
        return;
    struct strbuf cmd = {0};
    sb_append(&cmd, "immich-migrate --resume");
    if (strcmp(opt->state_dir, APP_DEFAULT_STATE_DIR) != 0) {
        sb_append(&cmd, " --state-dir ");
        shell_word(opt->state_dir, &cmd);
    }
    if (opt->config) {
        sb_append(&cmd, " -c ");
        shell_word(opt->config, &cmd);
    }
    fprintf(stderr, _("immich-migrate: the migration is not finished; continue it with:\n  %s\n"),
            sb_str(&cmd));
    sb_free(&cmd);
}

/* The process that holds the state directory's lock and runs detached (its wizard's terminal
 * hung up; runstatus.h), or 0. */
static long detached_holder(const char *state_dir)
{
    long holder = journal_lock_holder(state_dir);
    struct runstatus_info info;
    if (holder <= 0 || runstatus_read(state_dir, &info) < 0)
        return 0;
    long pid = info.pid;
    runstatus_info_free(&info);
    return pid == holder ? pid : 0;
}

/* A wizard started while a detached one runs: it follows that run, and when the run's process
 * has ended, it takes over as a resume, at the next stage. */
static int attach_and_take_over(const struct app_options *opt, long pid)
{
    int rc = ui_attach_run(opt->state_dir, pid);
    if (rc == 0)
        fprintf(stderr,
                _("immich-migrate: the migration goes on in process %ld without a terminal; run "
                  "immich-migrate again to follow it\n"),
                pid);
    if (rc != -1)
        return rc;
    struct session_options so = session_options_of(opt);
    so.resume = true;
    struct session s;
    struct strbuf err = {0};
    bool found_unfinished = false;
    if (session_open(&s, &so, &found_unfinished, &err) < 0) {
        ui_close_terminal();
        fprintf(stderr, "immich-migrate: %s\n", sb_str(&err));
        sb_free(&err);
        session_close(&s);
        return 1;
    }
    sb_free(&err);
    rc = ui_wizard_run(&s, false, true);
    if (rc == 0 || rc > 128)
        print_resume_hint(opt, &s, false);
    session_close(&s);
    return rc;
}

static int run_session(const struct app_options *opt)
{
    struct session_options so = session_options_of(opt);
    struct session s;
    struct strbuf err = {0};
    bool found_unfinished = false;
    if (session_open(&s, &so, &found_unfinished, &err) < 0) {
        long pid = opt->mode == MODE_WIZARD ? detached_holder(opt->state_dir) : 0;
        if (pid > 0) {
            sb_free(&err);
            session_close(&s);
            return attach_and_take_over(opt, pid);
        }
        fprintf(stderr, "immich-migrate: %s\n", sb_str(&err));
        sb_free(&err);
        session_close(&s);
        return 1;
    }
    sb_free(&err);
    int rc;
    switch (opt->mode) {
    case MODE_DRY_RUN: rc = run_dry(&s); break;
    case MODE_BATCH: rc = run_batch(&s, found_unfinished); break;
    default:
        rc = ui_wizard_run(&s, found_unfinished, false);
        if (rc == 0 || rc > 128)
            print_resume_hint(opt, &s, found_unfinished);
        break;
    }
    session_close(&s);
    return rc;
}

/* --demo: build a sandbox, run the chosen mode on it, remove it unless asked to keep it. */
static int run_demo(const struct app_options *opt)
{
    char *script = datadir_file("immich-sandbox");
    if (!script) {
        fprintf(
            stderr,
            _("immich-migrate: the sandbox builder (immich-sandbox) was not found; set IMMICH_MIGRATE_DATADIR\n"));
        return 1;
    }
    char root_template[] = "/tmp/immich-migrate-demo.XXXXXX";
    char *root = mkdtemp(root_template);
    if (!root) {
        fprintf(stderr, _("immich-migrate: cannot create a demo directory: %s\n"), strerror(errno));
        free(script);
        return 1;
    }
    /* The sandbox's PostgreSQL servers run as an unprivileged user, who must reach them. */
    chmod(root, 0711);
    char *sandbox = xasprintf("%s/sandbox", root);
    char *config = xasprintf("%s/immich-migrate.conf", sandbox);
    char *state = xasprintf("%s/state", root);
    char *fake_immich = libexec_file("immich-migrate-fake-immich");
    if (fake_immich && !getenv("IMMICH_MIGRATE_FAKE_IMMICH"))
        setenv("IMMICH_MIGRATE_FAKE_IMMICH", fake_immich, 1);
    free(fake_immich);
    fprintf(stderr, _("Building the demo sandbox in %s ...\n"), sandbox);
    const char *argv[] = {script, "create", sandbox, NULL};
    struct strbuf errout = {0};
    int rc = run_capture(NULL, argv, NULL, 0, &errout);
    if (rc != 0) {
        fprintf(stderr, _("immich-migrate: building the sandbox failed:\n%s\n"), sb_str(&errout));
    } else {
        struct app_options demo = *opt;
        demo.config = config;
        demo.state_dir = state;
        demo.demo = true;
        rc = demo.mode == MODE_REPORT ? run_report(&demo) : run_session(&demo);
    }
    if (opt->keep_sandbox) {
        fprintf(stderr, _("The sandbox is kept in %s (remove it with: %s destroy %s)\n"), sandbox,
                script, sandbox);
    } else {
        const char *destroy[] = {script, "destroy", sandbox, NULL};
        run_capture(NULL, destroy, NULL, 0, NULL);
        const char *rm[] = {"rm", "-rf", "--", root, NULL};
        run_capture(NULL, rm, NULL, 0, NULL);
    }
    sb_free(&errout);
    free(sandbox);
    free(config);
    free(state);
    free(script);
    return rc;
}

int app_run(const struct app_options *opt)
{
    if (opt->mode == MODE_REVIEW)
        return ui_review_run(opt->log_dir ? opt->log_dir : opt->state_dir);
    if (opt->demo)
        return run_demo(opt);
    if (opt->mode == MODE_REPORT)
        return run_report(opt);
    if (opt->mode == MODE_BATCH || opt->mode == MODE_DRY_RUN)
        cli_signals_install();
    return run_session(opt);
}
