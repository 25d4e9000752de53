/* What a stage will change and what it asks first, in the words of its screen: the stage
 * table's .effect and .asks with the plan's values put in. */
#include "stages/stage.h"
#include "redact.h"

#include <stdlib.h>
#include <string.h>

/* Appends text with every "{plan_key}" replaced by that key's value (passwords redacted); an
 * unknown name in braces stays as it is. */
static void expand(const char *text, const struct plan *p, struct strbuf *out)
{
    while (*text) {
        const char *open = strchr(text, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            sb_append(out, text);
            return;
        }
        sb_append_len(out, text, (size_t)(open - text));
        size_t n = (size_t)(close - open - 1);
        int found = -1;
        for (int k = 0; k < PLAN_KEY_COUNT && found < 0; k++)
            if (strlen(plan_key_name((enum plan_key)k)) == n &&
                strncmp(plan_key_name((enum plan_key)k), open + 1, n) == 0)
                found = k;
        if (found >= 0) {
            char *value = redact_dup(plan_get(p, (enum plan_key)found));
            sb_append(out, value);
            free(value);
        } else {
            sb_append_len(out, open, n + 2);
        }
        text = close + 1;
    }
}

void stage_explain(const struct stage *st, const struct plan *p, struct strbuf *out)
{
    if (st->effect)
        expand(_(st->effect), p, out);
    else
        sb_append(out, _("It only looks: it changes nothing."));
    sb_append_char(out, ' ');
    if (st->asks)
        expand(_(st->asks), p, out);
    else if (st->effect)
        sb_append(out, _("It does not ask first: r starts it at once."));
}
