/* A stage of the migration: one step of the guide. Each stage is a file in src/stages/
 * exporting one `const struct stage`; stages.c lists them in wizard order. The worker runs
 * a stage's run(); the UI only reads the table. A stage never calls curses. */
#ifndef IM_STAGE_H
#define IM_STAGE_H

#include "common.h"
#include "plan.h"
#include "report.h"
#include "stages/artifact.h"

struct journal;

/* What a stage gets. Stages hand results to later ones through the typed artifacts of
 * stages/artifact.h, kept in the journal so a resumed run finds them.
 *
 * Who may write what while a stage runs on the worker thread (the wizard; session.h): the
 * running stage alone writes the plan (discovered values: discover, start's immich_url) and
 * the artifacts, through its own context. The UI thread does not touch the plan meanwhile:
 * it reads it only while no stage runs (a stage screen makes its preview once, on entering,
 * and no key leaves the screen of a running stage) and writes it only on the settings
 * screen, which cannot be reached while a stage runs. The artifacts live in the journal,
 * which locks inside (journal.h), so the UI may read them and the stage statuses at any
 * time. A new screen that must read the plan during a run takes a plan_copy before starting
 * the stage (or the stage gets a copy merged back when it finishes); it never shares it. */
struct stage_ctx {
    struct plan *plan;          /* values; a stage may fill discovered ones */
    const struct reporter *rep; /* records, progress, confirmation, cancellation */
    bool assume_yes;            /* batch --yes */
    const char *state_dir;
    struct journal *journal;       /* NULL when a stage runs alone */
    struct artifact_memory memory; /* the artifacts when journal is NULL (stage_ctx_free) */
};

/* Frees what the context keeps in memory (artifacts set without a journal). */
void stage_ctx_free(struct stage_ctx *ctx);

/* For tools and tests that take artifact names from outside, on a context without a journal:
 * the journal's text of the artifact named name, kept in ctx (valid until it is set again or
 * stage_ctx_free), NULL when unset or no artifact has that name. Stages use the typed
 * accessors of stages/artifact.h. */
const char *stage_artifact(const struct stage_ctx *ctx, const char *name);
/* Sets the artifact named name from its journal text; -1 when no artifact has that name. */
int stage_set_artifact(struct stage_ctx *ctx, const char *name, const char *text);

/* The path a stage writes its output file to (OUTPUT artifact a), chosen once: fresh (taken
 * over) is saved in the journal as a's pending name before the stage creates anything, so a
 * run killed after the file was completed but before the stage was recorded as done reuses
 * that name rather than writing a second, differently time-stamped copy (unless fresh is in
 * another directory: the setting was changed; or its name up to the time stamp differs: another
 * kind of file). Returns the path to use (caller frees) or NULL
 * when the journal cannot be saved. */
char *stage_claim_output(struct stage_ctx *ctx, enum artifact a, char *fresh, struct strbuf *err);
/* The name the stage will write output a to, for its preview: the claimed (pending) name
 * when it is still valid for fresh (as stage_claim_output would reuse it), else the file it
 * wrote (a done stage), when of the same kind, else fresh (taken over). Changes nothing.
 * Caller frees. */
char *stage_output_name(const struct stage_ctx *ctx, enum artifact a, char *fresh);
/* The stage is done with its output: sets a to path and forgets the pending name. */
void stage_commit_output(struct stage_ctx *ctx, enum artifact a, const char *path);

enum stage_result { STAGE_OK = 0, STAGE_FAILED = 1, STAGE_CANCELLED = 2, STAGE_SKIPPED = 3 };

/* What must hold before a stage runs (stage.requires). Each gate is established by the stages
 * that name it in stage.provides: it holds while all of them are done in the journal (and their
 * is_done agrees). The session enforces the gates for the wizard, batch and resume alike; a
 * gate is passed over only by a typed confirmation (wizard) or --override NAME (batch), which
 * is logged. X(id, name for --override and the log, N_() description). */
#define STAGE_GATES(X) \
    X(GATE_CHECKS, "checks", N_("the checks passed with the current settings")) \
    X(GATE_BACKUP, "backup", N_("a verified backup of the library")) \
    X(GATE_NIXOS, "nixos", N_("the NixOS stage done (units stopped)"))

/* What the wizard's user types to pass over a gate (not translated, like --override). */
#define GATE_OVERRIDE_WORD "override"

enum stage_gate_bit {
#define X(id, name, text) id##_BIT,
    STAGE_GATES(X)
#undef X
        GATE_COUNT
};
enum stage_gate {
#define X(id, name, text) id = 1u << id##_BIT,
    STAGE_GATES(X)
#undef X
};

struct stage {
    const char *id;       /* journal/log name, e.g. "dump"; never translated */
    const char *title;    /* N_() */
    const char *describe; /* N_(): what it does, in plain words */
    bool destructive;     /* changes something that cannot be undone without the backup */
    const char *changes; /* N_(): what it changes, a phrase after the title ("drops ..."); NULL = nothing */
    /* N_(): what it changes, exactly, as a sentence for its screen, NULL when it only looks;
     * "{plan_key}" stands for that plan value (stage_explain). */
    const char *effect;
    /* N_(): what it asks before it changes anything (report_confirm), as a sentence with
     * "{plan_key}" like effect; NULL = it does not ask. Must agree with what run() asks. */
    const char *asks;
    unsigned requires; /* enum stage_gate bits that must hold before it runs */
    unsigned provides; /* enum stage_gate bits it establishes once done */
    /* Policy the session, the rollback and other stages read from the table (never by id): */
    bool stops_source;       /* stops the Docker installation: the rollback (starting it again)
                            * is offered only once it is done, and makes it pending again; the
                            * checks may run again only while it is pending */
    bool point_of_no_return; /* once a run reaches it, the rollback is no longer offered */
    bool saves_owners;       /* changes owners and modes after saving them in the owners
                              * manifest (files/owners.h): the wizard's rollback offers to put
                              * them back, and makes this stage pending again */
    bool starts_target;      /* starts Immich on NixOS: the downtime the report gives runs
                              * from the end of the stops_source stage to the end of this one */
    /* N_(): when set, a resume does this stage again whenever the attempt of the stage after
     * it (in stage_list order) did not finish; the text says why (logged). */
    const char *redo_after_unfinished_next;
    /* It changes nothing in the source and nothing in the target database (it only reads,
     * or writes backup_dir or target_location), and does its work in this process (a child
     * running at the hang-up gets the SIGHUP too: the dump's pg_dump would die): when the
     * wizard's terminal hangs up (SSH dropped) during it, the stage goes on detached and the
     * program stops when it ends (ui/wizard.c); any other stage stops at its next safe point. */
    bool survives_hangup;
    /* Appends the exact commands and SQL it will run, one per line, to out (for the stage
     * screen and --dry-run). May use plan values; must not change anything. A dry run is the
     * session's business (session.c): it shows the preview and never calls run. */
    void (*preview)(const struct stage_ctx *ctx, struct strbuf *out);
    /* Names the files it will write once (stage_claim_output: saved in the journal as pending
     * names), so that the preview shown before a run and the run name the same files; its
     * run claims them again, which reuses the names. Called by the session before a preview
     * that a run may follow, never in a dry run. 0, or -1 with err. NULL = writes no such
     * file. */
    int (*name_outputs)(struct stage_ctx *ctx, struct strbuf *err);
    /* Is the stage's work already done (resume)? NULL = never. */
    bool (*is_done)(const struct stage_ctx *ctx);
    /* Does the work (never called in a dry run). On failure appends a one-line reason to err. */
    enum stage_result (*run)(struct stage_ctx *ctx, struct strbuf *err);
    /* Does it only look (change nothing), so that the wizard's "r" may run it again when it
     * is already done? NULL = never. */
    bool (*repeatable)(const struct stage_ctx *ctx);
};

/* For stage.repeatable: a stage that only looks can always run again. */
bool stage_always_repeatable(const struct stage_ctx *ctx);

/* The gates of st->requires that do not hold now (journal from ctx, may be NULL: then only
 * the providers' is_done counts, and a provider without one does not hold). */
unsigned stage_gates_missing(const struct stage *st, const struct stage_ctx *ctx);
/* Appends the descriptions (translated) of the gates in mask, separated by "; ". */
void stage_gates_describe(unsigned mask, struct strbuf *out);
/* Appends the names of the gates in mask ("checks,backup", as --override takes them). */
void stage_gates_names(unsigned mask, struct strbuf *out);
/* The gate named name ("checks", "backup", "nixos"), or 0. */
unsigned stage_gate_by_name(const char *name);
/* --override's list ("checks,backup"): adds the gates named to *mask. Returns 0, or -1 with a
 * message for an unknown name or an empty list (then *mask may hold the names before it). */
int stage_gates_parse(const char *list, unsigned *mask, struct strbuf *err);

/* Appends st's effect and what it asks, as its screen states them (translated, with the
 * plan's values of p in place of "{plan_key}"; passwords redacted). stages/explain.c */
void stage_explain(const struct stage *st, const struct plan *p, struct strbuf *out);

/* The wizard's order. */
const struct stage *const *stage_list(size_t *count);
const struct stage *stage_find(const char *id);
/* The stage with stops_source set (the one the rollback undoes), or NULL. */
const struct stage *stage_stopping_source(void);
/* The stage with saves_owners set (the one restore-owners undoes), or NULL. */
const struct stage *stage_saving_owners(void);

/* Stages writing into backup_dir (dump, fixed dump, library archive and manifest) write under
 * a name "immich-....partial" first and rename it when complete, so such a file is never
 * complete and only we write these names. Is name (no directory) one of them? */
bool stage_partial_name(const char *name);

#endif
