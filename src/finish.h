/* The closing words of a migration, from its journal: counts, duration, where things are. */
#ifndef IM_FINISH_H
#define IM_FINISH_H

#include "session.h"

void session_summary(const struct session *s, struct strbuf *out);

#endif
