#include "db/sqlline.h"

#include <stdlib.h>
#include <string.h>

static bool is_bare_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$';
}

/* Reads an identifier (bare or "quoted") at *pos into out; returns 0 or -1. */
static int sql_ident_parse(const char *s, size_t len, size_t *pos, struct strbuf *out)
{
    size_t i = *pos;
    sb_reset(out);
    if (i < len && s[i] == '"') {
        i++;
        for (;;) {
            if (i >= len)
                return -1;
            if (s[i] == '"') {
                if (i + 1 < len && s[i + 1] == '"') {
                    sb_append_char(out, '"');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            sb_append_char(out, s[i++]);
        }
    } else {
        size_t start = i;
        while (i < len && is_bare_char(s[i]))
            i++;
        if (i == start)
            return -1;
        /* An unquoted identifier is folded to lower case. */
        for (size_t k = start; k < i; k++) {
            char c = s[k];
            sb_append_char(out, (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c);
        }
    }
    *pos = i;
    return 0;
}

/* PostgreSQL 15's keywords that are not UNRESERVED_KEYWORD (kwlist.h): quote_identifier
 * quotes these. Sorted for bsearch. */
/* clang-format off */
static const char *const quoted_keywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast",
    "char", "character", "check", "coalesce", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
    "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
    "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout",
    "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "lateral",
    "leading", "least", "left", "like", "limit", "localtime", "localtimestamp", "national",
    "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric",
    "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing",
    "position", "precision", "primary", "real", "references", "returning", "right", "row",
    "select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric",
    "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat", "trim",
    "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose",
    "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
    "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable"
};
/* clang-format on */

static int cmp_word(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* quote_identifier's rule: bare only for [a-z_][a-z0-9_]* that is not such a keyword. A bare
 * "public" would be the pseudo-role in a grant, so that name is quoted too. */
static bool needs_quotes(const char *name)
{
    if (!(*name >= 'a' && *name <= 'z') && *name != '_')
        return true;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return true;
    if (strcmp(name, "public") == 0)
        return true;
    return bsearch(&name, quoted_keywords, ARRAY_LEN(quoted_keywords), sizeof *quoted_keywords,
                   cmp_word) != NULL;
}

void sql_ident_append(struct strbuf *out, const char *name)
{
    if (!needs_quotes(name)) {
        sb_append(out, name);
        return;
    }
    sb_append_char(out, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sb_append_char(out, '"');
        sb_append_char(out, *p);
    }
    sb_append_char(out, '"');
}

void copy_header_free(struct copy_header *h)
{
    free(h->schema);
    free(h->table);
    for (size_t i = 0; i < h->ncols; i++)
        free(h->cols[i]);
    free(h->cols);
    memset(h, 0, sizeof *h);
}

static void skip_blanks(const char *s, size_t len, size_t *i)
{
    while (*i < len && s[*i] == ' ')
        (*i)++;
}

int copy_header_parse(const char *line, size_t len, struct copy_header *h)
{
    struct strbuf id = {0};
    size_t i = 5;
    memset(h, 0, sizeof *h);
    if (len < 5 || memcmp(line, "COPY ", 5) != 0 || sql_ident_parse(line, len, &i, &id) < 0)
        goto bad;
    if (i < len && line[i] == '.') {
        h->schema = sb_detach(&id);
        i++;
        if (sql_ident_parse(line, len, &i, &id) < 0)
            goto bad;
    } else {
        h->schema = xstrdup("");
    }
    h->table = sb_detach(&id);
    skip_blanks(line, len, &i);
    if (i >= len || line[i] != '(')
        goto bad;
    i++;
    for (;;) {
        skip_blanks(line, len, &i);
        if (sql_ident_parse(line, len, &i, &id) < 0)
            goto bad;
        h->cols = xrealloc(h->cols, (h->ncols + 1) * sizeof *h->cols);
        h->cols[h->ncols++] = sb_detach(&id);
        skip_blanks(line, len, &i);
        if (i < len && line[i] == ',') {
            i++;
            continue;
        }
        if (i < len && line[i] == ')')
            break;
        goto bad;
    }
    sb_free(&id);
    return 0;
bad:
    sb_free(&id);
    copy_header_free(h);
    return -1;
}

static const char *role_lookup(const struct role_map *roles, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(roles[i].from, name) == 0)
            return roles[i].to;
    return NULL;
}

/* Copies line[*copied..start), then the role list at start with names mapped; moves *copied
 * past the list. Returns the number of names replaced. */
static int map_list_at(const char *line, size_t len, size_t start, const struct role_map *roles,
                       size_t nroles, struct strbuf *out, size_t *copied)
{
    struct strbuf name = {0};
    int count = 0;
    size_t i = start;
    sb_append_len(out, line + *copied, start - *copied);
    *copied = start;
    for (;;) {
        skip_blanks(line, len, &i);
        size_t tok = i;
        if (sql_ident_parse(line, len, &i, &name) < 0)
            break;
        const char *to = role_lookup(roles, nroles, sb_str(&name));
        /* a bare PUBLIC is the pseudo-role, never a user's role */
        bool is_keyword = line[tok] != '"' && strcmp(sb_str(&name), "public") == 0;
        sb_append_len(out, line + *copied, tok - *copied);
        if (to && !is_keyword) {
            sql_ident_append(out, to);
            count++;
        } else {
            sb_append_len(out, line + tok, i - tok);
        }
        *copied = i;
        skip_blanks(line, len, &i);
        if (i < len && line[i] == ',') {
            i++;
            continue;
        }
        break;
    }
    sb_free(&name);
    return count;
}

static bool starts_with(const char *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(line, prefix, n) == 0;
}

/* Position just after the last occurrence of needle in line[from..len), or 0. */
static size_t after_last(const char *line, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle), found = 0;
    for (size_t i = from; i + n <= len; i++)
        if (line[i] == needle[0] && memcmp(line + i, needle, n) == 0)
            found = i + n;
    return found;
}

int sql_map_roles(const char *line, size_t len, const struct role_map *roles, size_t nroles,
                  struct strbuf *out)
{
    size_t copied = 0, from = 0, at;
    int count = 0;
    if (nroles == 0)
        return 0;
    sb_reset(out);
    if (starts_with(line, len, "SET SESSION AUTHORIZATION ")) {
        size_t i = strlen("SET SESSION AUTHORIZATION ");
        if (i < len && line[i] == '\'') {
            size_t end = i + 1;
            while (end < len && line[end] != '\'')
                end++;
            char *name = xstrndup(line + i + 1, end - i - 1);
            const char *to = role_lookup(roles, nroles, name);
            free(name);
            if (to && !strchr(to, '\'')) {
                sb_append_len(out, line, i);
                sb_printf(out, "'%s'", to);
                sb_append_len(out, line + end + 1, len > end ? len - end - 1 : 0);
                return 1;
            }
            return 0;
        }
        count += map_list_at(line, len, i, roles, nroles, out, &copied);
    } else if (starts_with(line, len, "ALTER DEFAULT PRIVILEGES FOR ROLE ")) {
        from = strlen("ALTER DEFAULT PRIVILEGES FOR ROLE ");
        count += map_list_at(line, len, from, roles, nroles, out, &copied);
        from = copied;
        if ((at = after_last(line, len, from, " TO ")) || (at = after_last(line, len, from, " FROM ")))
            count += map_list_at(line, len, at, roles, nroles, out, &copied);
    } else if (starts_with(line, len, "ALTER ")) {
        if ((at = after_last(line, len, 0, " OWNER TO ")))
            count += map_list_at(line, len, at, roles, nroles, out, &copied);
    } else if (starts_with(line, len, "GRANT ")) {
        if ((at = after_last(line, len, 0, " TO ")))
            count += map_list_at(line, len, at, roles, nroles, out, &copied);
    } else if (starts_with(line, len, "REVOKE ")) {
        if ((at = after_last(line, len, 0, " FROM ")))
            count += map_list_at(line, len, at, roles, nroles, out, &copied);
    }
    if (count)
        sb_append_len(out, line + copied, len - copied);
    return count;
}

char *sql_extension_name(const char *line, size_t len)
{
    static const char *const prefixes[] = {"CREATE EXTENSION IF NOT EXISTS ", "CREATE EXTENSION "};
    for (size_t k = 0; k < ARRAY_LEN(prefixes); k++) {
        if (!starts_with(line, len, prefixes[k]))
            continue;
        size_t i = strlen(prefixes[k]);
        struct strbuf name = {0};
        if (sql_ident_parse(line, len, &i, &name) < 0) {
            sb_free(&name);
            return NULL;
        }
        return sb_detach(&name);
    }
    return NULL;
}
