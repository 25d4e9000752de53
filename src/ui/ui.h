/* The terminal user interface: the wizard and the log browser. Only this directory calls curses. */
#ifndef IM_UI_H
#define IM_UI_H

#include <stdbool.h>

struct session;

/* The interactive wizard on an open session. found_unfinished: session_open found an
 * unfinished migration that is neither resumed nor started over yet (the welcome screen
 * offers resume, review or start over). Returns the exit status: 0 after a normal quit,
 * 2 without a terminal, 128+signal when SIGHUP/SIGTERM stopped it. */
int ui_wizard_run(struct session *s, bool found_unfinished);

/* Browses DIR's migration log: search with '/', filter by stage or errors, Enter for a
 * record in full, q quits. Returns 0, 1 when the log cannot be read, 2 without a terminal. */
int ui_review_run(const char *dir);

#endif
