/* Backslash command lines found in dumps, and the rules for them. Only \restrict,
 * \unrestrict, \connect (to the target database) and \encoding are allowed; anything else
 * (\!, \i, \o, \copy, \gexec, …) is refused before anything runs. */
#ifndef IM_SQL_META_H
#define IM_SQL_META_H

#include "common.h"

enum meta_kind { META_RESTRICT, META_UNRESTRICT, META_CONNECT, META_ENCODING };

struct meta_cmd {
    enum meta_kind kind;
    char *arg; /* the key, the database name, or the encoding name */
};

/* psql's \restrict state (CVE-2025-8714): while restricted only \unrestrict KEY works. */
struct meta_rules {
    bool restricted;
    char *key;
};

/* Parses and checks one line against the rules (updating them). current_db is the database
 * the import is connected to ("\connect -" means it); target_db the only database \connect may
 * name. Returns 0, or -1 with one sentence in err (prefixed with the line number). */
int meta_accept(struct meta_rules *rules, const char *line, uint64_t lineno, const char *current_db,
                const char *target_db, struct meta_cmd *out, struct strbuf *err);
void meta_cmd_free(struct meta_cmd *m);
void meta_rules_free(struct meta_rules *rules);

#endif
