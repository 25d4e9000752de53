#include "db/pathmap.h"
#include "db/copytext.h"

#include <stdlib.h>
#include <string.h>

static size_t strip_slashes(const char *s)
{
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    return n;
}

int path_rules_add(struct path_rules *pr, const char *from, const char *to, struct strbuf *err)
{
    size_t flen = strip_slashes(from), tlen = strip_slashes(to);
    if (flen == 0 || (flen == 1 && from[0] == '/')) {
        sb_printf(err, _("a path rule cannot map '%s'"), from);
        return -1;
    }
    struct strbuf enc = {0};
    copy_field_encode(to, tlen, &enc);
    for (size_t i = 0; i < pr->count; i++) {
        struct path_rule *r = &pr->rules[i];
        if (r->from_len == flen && memcmp(r->from, from, flen) == 0) {
            free(r->to);
            free(r->to_copy);
            r->to = xstrndup(to, tlen);
            r->to_len = tlen;
            r->to_copy_len = enc.len;
            r->to_copy = sb_detach(&enc);
            return 0;
        }
    }
    bool plain = true;
    for (size_t i = 0; i < flen; i++)
        if (from[i] == '\\' || (unsigned char)from[i] < 0x20)
            plain = false;
    pr->rules = xrealloc(pr->rules, (pr->count + 1) * sizeof *pr->rules);
    size_t pos = 0;
    while (pos < pr->count && pr->rules[pos].from_len >= flen)
        pos++;
    memmove(pr->rules + pos + 1, pr->rules + pos, (pr->count - pos) * sizeof *pr->rules);
    size_t enc_len = enc.len;
    pr->rules[pos] = (struct path_rule){
        xstrndup(from, flen), flen, xstrndup(to, tlen), tlen, sb_detach(&enc), enc_len, plain};
    pr->count++;
    if (!pr->first_byte[(unsigned char)from[0]] && pr->nfirsts < sizeof pr->firsts)
        pr->firsts[pr->nfirsts++] = from[0];
    pr->first_byte[(unsigned char)from[0]] = true;
    return 0;
}

int path_rules_add_spec(struct path_rules *pr, const char *spec, struct strbuf *err)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) {
        sb_printf(err, _("'%s' is not FROM=TO"), spec);
        return -1;
    }
    char *from = xstrndup(spec, (size_t)(eq - spec));
    int rc = path_rules_add(pr, from, eq + 1, err);
    free(from);
    return rc;
}

void path_rules_free(struct path_rules *pr)
{
    for (size_t i = 0; i < pr->count; i++) {
        free(pr->rules[i].from);
        free(pr->rules[i].to);
        free(pr->rules[i].to_copy);
    }
    free(pr->rules);
    memset(pr, 0, sizeof *pr);
}

const struct path_rule *path_rules_match(const struct path_rules *pr, const char *value, size_t len)
{
    if (len == 0 || !pr->first_byte[(unsigned char)value[0]])
        return NULL;
    for (size_t i = 0; i < pr->count; i++) {
        const struct path_rule *r = &pr->rules[i];
        if (len < r->from_len || memcmp(value, r->from, r->from_len) != 0)
            continue;
        if (len == r->from_len || value[r->from_len] == '/')
            return r;
    }
    return NULL;
}

const struct path_rule *path_rules_apply(const struct path_rules *pr, const char *value, size_t len,
                                         struct strbuf *out)
{
    const struct path_rule *r = path_rules_match(pr, value, len);
    if (!r)
        return NULL;
    sb_append_len(out, r->to, r->to_len);
    sb_append_len(out, value + r->from_len, len - r->from_len);
    return r;
}
