/* Prefix rules for library paths: FROM -> TO, the longest FROM wins, and a FROM matches only
 * a whole path component ("upload" matches "upload" and "upload/x", never "uploads/x"). */
#ifndef IM_DB_PATHMAP_H
#define IM_DB_PATHMAP_H

#include "common.h"

struct path_rule {
    char *from;
    size_t from_len;
    char *to;
    size_t to_len;
    char *to_copy; /* to, escaped for COPY text format */
    size_t to_copy_len;
    bool from_plain; /* from needs no COPY escaping: it can be matched on raw fields */
};

struct path_rules {
    struct path_rule *rules; /* kept sorted: longest FROM first */
    size_t count;
    bool first_byte[256]; /* quick pre-check for "does any rule start with this byte" */
    char firsts[256];     /* the distinct first bytes of the rules */
    size_t nfirsts;
};

/* Adds a rule; trailing slashes are dropped from both sides. A rule for an existing FROM
 * replaces it. Returns 0, or -1 with a translated reason in err (empty FROM, FROM "/"). */
int path_rules_add(struct path_rules *pr, const char *from, const char *to, struct strbuf *err);
/* Parses "FROM=TO" (as given to --map). */
int path_rules_add_spec(struct path_rules *pr, const char *spec, struct strbuf *err);
void path_rules_free(struct path_rules *pr);

/* The rule that matches value, or NULL. */
const struct path_rule *path_rules_match(const struct path_rules *pr, const char *value, size_t len);
/* Appends the mapped value (TO + the rest after FROM) to out; returns the rule or NULL (then
 * nothing is appended). */
const struct path_rule *path_rules_apply(const struct path_rules *pr, const char *value, size_t len,
                                         struct strbuf *out);

#endif
