/* The terminal user interface: the wizard and the log browser. Only this directory calls curses. */
#ifndef IM_UI_H
#define IM_UI_H

#include <stdbool.h>

struct session;

/* The interactive wizard on an open session. found_unfinished: session_open found an
 * unfinished migration that is neither resumed nor started over yet (the welcome screen
 * offers resume, review or start over). at_next_stage: it opens on the first stage not done
 * (taking over from a detached run) instead of the welcome screen. Returns the exit status:
 * 0 after a normal quit, 2 without a terminal, 128+signal when SIGHUP/SIGTERM stopped it (a
 * hang-up during a stage with survives_hangup first lets that stage finish, detached). */
int ui_wizard_run(struct session *s, bool found_unfinished, bool at_next_stage);

/* A new wizard found dir locked by process pid, which runs detached (its terminal hung up;
 * runstatus.h): shows that run's stage and progress, read from dir's status file and log,
 * until q (returns 0: the run goes on) or the lock is free: then it returns -1 with the
 * terminal still open, for the caller to open the session and run the wizard on it (or
 * ui_close_terminal). 2 without a terminal, 128+signal on SIGHUP/SIGTERM. */
int ui_attach_run(const char *dir, long pid);
/* Closes the terminal ui_attach_run left open. */
void ui_close_terminal(void);

/* Browses DIR's migration log: search with '/', filter by stage or errors, Enter for a
 * record in full, q quits. Returns 0, 1 when the log cannot be read, 2 without a terminal. */
int ui_review_run(const char *dir);

#endif
