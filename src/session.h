/* One migration as the program lives it: the plan, the journal, the log and the lock,
 * and running a stage with all of them kept up to date. Used by batch, dry run and wizard.
 *
 * Threads: the wizard runs session_run_stage on its worker while the UI thread goes on
 * drawing. During that run the stage owns s->plan (it may fill discovered values); the UI
 * reads s->plan only while no stage runs and edits it (session_plan_changed) only on the
 * settings screen, never reachable during a run. The journal is locked inside and may be
 * read by both (stage statuses, artifacts). See stages/stage.h. */
#ifndef IM_SESSION_H
#define IM_SESSION_H

#include "journal.h"
#include "mlog.h"
#include "plan.h"
#include "runstatus.h"
#include "stages/stage.h"

/* The state directory when --state-dir is not given. */
#define SESSION_DEFAULT_STATE_DIR DEFAULT_STATE_DIR

/* How the program runs the session (app.c fills it from its command line). */
struct session_options {
    const char *config;    /* the plan file; NULL = defaults only */
    const char *state_dir; /* lock, journal and log */
    bool resume;           /* take up an unfinished journal */
    bool wizard;           /* the UI runs the stages: gates may be passed over when the user asks */
    bool dry_run;          /* no lock, nothing written */
    bool yes;              /* --yes: no typed confirmations */
    bool demo;             /* on the demo sandbox */
    unsigned overrides;    /* --override: stage gates (stage.h) batch mode passes over */
};

struct session {
    const struct session_options *opt; /* the caller's; must outlive the session */
    char *state_dir;
    struct plan plan;        /* what the stages use (journal's snapshot when resuming) */
    struct journal *journal; /* NULL in dry run */
    struct mlog *log;        /* NULL in dry run */
    int lock_fd;
    bool resumed;             /* an unfinished journal was found and taken up */
    struct runstatus *status; /* the running stage's status file (runstatus.h); NULL in dry run */
};

/* Reads the config, takes the lock, opens log and journal. When an unfinished journal exists:
 * with opt->resume it is taken up (plan from its snapshot); without, found_unfinished is set
 * and the caller decides (session_start_over / session_resume). Dry run takes no lock and
 * writes nothing. Returns 0 or -1 with a message. */
int session_open(struct session *s, const struct session_options *opt, bool *found_unfinished,
                 struct strbuf *err);
int session_resume(struct session *s, struct strbuf *err);
int session_start_over(struct session *s, struct strbuf *err);
void session_close(struct session *s);

/* Runs one stage: first its gates (stage.h) must hold or be overridden (wizard: the outer
 * reporter's typed confirmation; batch: opt->overrides), else STAGE_FAILED with the journal
 * unchanged. Then the journal says running, the stage runs with a reporter that writes every
 * record to the log and passes everything on to outer (UI events or stderr), then the journal
 * records the result. A stage already done is not run again (STAGE_OK). Cancellation leaves
 * the stage pending so a resume repeats it from its safe point. */
enum stage_result session_run_stage(struct session *s, const struct stage *st,
                                    const struct reporter *outer, struct strbuf *err);
/* The same, but a stage already done whose st->repeatable says yes runs once more. */
enum stage_result session_rerun_stage(struct session *s, const struct stage *st,
                                      const struct reporter *outer, struct strbuf *err);
/* Before a stage's subcommand (prepare-db, import, copy, chown; command is its name) changes
 * anything, run alone outside the journal: opt->state_dir is judged (safe_dir); when it holds
 * an unfinished migration, st's gates must hold in that journal or be passed over by
 * opt->overrides (--override), judged as for batch; the refusal or override is written to that
 * migration's log, and s keeps its lock so no stage of it runs meanwhile. Without a journal
 * there, or with a finished one, nothing is judged or written. Returns 0 to go on, or -1 with
 * a message (refused: nothing changed). Either way call session_close(s) afterwards. */
int session_open_alone(struct session *s, const struct session_options *opt, const struct stage *st,
                       const char *command, const struct reporter *outer, struct strbuf *err);
/* Appends st's preview (the commands it will run) to out, for the screen shown before it runs.
 * Outside a dry run, a stage not done yet first names the files it will write
 * (stage.name_outputs: saved in the journal), so the preview shows the names the run will
 * write and every visit shows the same ones. A dry run changes nothing: its preview makes up
 * names from the clock (or shows names claimed before). Call it while no stage runs. */
void session_stage_preview(struct session *s, const struct stage *st, struct strbuf *out);
/* Marks a stage skipped by the user. */
void session_skip_stage(struct session *s, const struct stage *st, const char *why);

/* The wizard's terminal hung up while st runs, and st->survives_hangup: the stage goes on
 * without it. Logs so and keeps DIR/status up to date from now on, for a viewer started in a
 * new session (runstatus.h). Any thread. */
void session_detach(struct session *s, const struct stage *st);

/* Saves edited plan values into the journal snapshot. The checks passed before no longer
 * count (their stage is pending again): call it only when a value really changed. */
void session_plan_changed(struct session *s);

#endif
