/* The gates of the stage table: what must hold before a stage runs, judged from the journal.
 * Only the session enforces them (session.c: run_stage); the UI reads them to explain. */
#include "stages/stage.h"
#include "journal.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    unsigned bit;
    const char *name;
    const char *text;
} gates[] = {
#define X(id, name, text) {id, name, text},
    STAGE_GATES(X)
#undef X
};

/* Is p's work done: the journal says so (when there is one) and p's own test agrees. */
static bool provider_done(const struct stage *p, const struct stage_ctx *ctx)
{
    if (ctx->journal && journal_status(ctx->journal, p->id) != ST_DONE)
        return false;
    if (p->is_done)
        return p->is_done(ctx);
    return ctx->journal != NULL;
}

unsigned stage_gates_missing(const struct stage *st, const struct stage_ctx *ctx)
{
    size_t n;
    const struct stage *const *list = stage_list(&n);
    unsigned missing = 0;
    for (size_t i = 0; i < n; i++)
        if ((list[i]->provides & st->requires) && !provider_done(list[i], ctx))
    missing |= list[i]->provides & st->requires;
    return missing;
}

static void put_list(unsigned mask, bool names, struct strbuf *out)
{
    const char *sep = "";
    for (size_t i = 0; i < ARRAY_LEN(gates); i++) {
        if (!(mask & gates[i].bit))
            continue;
        sb_printf(out, "%s%s", sep, names ? gates[i].name : _(gates[i].text));
        sep = names ? "," : "; ";
    }
}

void stage_gates_describe(unsigned mask, struct strbuf *out)
{
    put_list(mask, false, out);
}

void stage_gates_names(unsigned mask, struct strbuf *out)
{
    put_list(mask, true, out);
}

unsigned stage_gate_by_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(gates); i++)
        if (strcmp(gates[i].name, name) == 0)
            return gates[i].bit;
    return 0;
}

int stage_gates_parse(const char *list, unsigned *mask, struct strbuf *err)
{
    char *copy = xstrdup(list), *save = NULL;
    int rc = 0;
    for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        unsigned gate = stage_gate_by_name(name);
        if (!gate) {
            struct strbuf all = {0};
            stage_gates_names(~0u, &all);
            sb_printf(err, _("--override: unknown gate \"%s\" (known: %s)"), name, sb_str(&all));
            sb_free(&all);
            rc = -1;
            break;
        }
        *mask |= gate;
    }
    if (rc == 0 && !*mask) {
        sb_append(err, _("--override needs the names of gates"));
        rc = -1;
    }
    free(copy);
    return rc;
}
