/* What the fix-up learned and did, and its report. */
#include "db/fixup.h"
#include "db/fixup_internal.h"

#include <stdlib.h>
#include <string.h>

#define SAMPLE_MAX 300

void fixup_options_init(struct fixup_options *o)
{
    memset(o, 0, sizeof *o);
    o->cluster_database = "immich";
    o->watch_other = true;
}

void fixup_options_free(struct fixup_options *o)
{
    path_rules_free(&o->rules);
    for (size_t i = 0; i < o->nroles; i++) {
        free(o->roles[i].from);
        free(o->roles[i].to);
    }
    free(o->roles);
    o->roles = NULL;
    o->nroles = 0;
}

int fixup_options_add_role(struct fixup_options *o, const char *spec, struct strbuf *err)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) {
        sb_printf(err, _("'%s' is not FROM=TO"), spec);
        return -1;
    }
    char *from = xstrndup(spec, (size_t)(eq - spec));
    if (strcmp(from, eq + 1) == 0) { /* nothing to map */
        free(from);
        return 0;
    }
    o->roles = xrealloc(o->roles, (o->nroles + 1) * sizeof *o->roles);
    o->roles[o->nroles++] = (struct role_map){from, xstrdup(eq + 1)};
    return 0;
}

struct fixup_column_stats *fixup_stats_column(struct fixup_stats *st, const char *table,
                                              const char *column, bool is_path)
{
    for (size_t i = 0; i < st->ncols; i++) {
        struct fixup_column_stats *c = &st->cols[i];
        if (c->is_path == is_path && strcmp(c->table, table) == 0 && strcmp(c->column, column) == 0)
            return c;
    }
    st->cols = xrealloc(st->cols, (st->ncols + 1) * sizeof *st->cols);
    struct fixup_column_stats *c = &st->cols[st->ncols++];
    memset(c, 0, sizeof *c);
    c->table = xstrdup(table);
    c->column = xstrdup(column);
    c->is_path = is_path;
    return c;
}

static char *sample_text(const char *v, size_t len)
{
    if (len > SAMPLE_MAX)
        return xasprintf("%.*s...", SAMPLE_MAX, v);
    return xstrndup(v, len);
}

void fixup_stats_sample(struct fixup_column_stats *c, const char *value, size_t len)
{
    if (c->nsamples < FIXUP_SAMPLES)
        c->samples[c->nsamples++] = sample_text(value, len);
}

void fixup_stats_first(struct fixup_column_stats *c, const char *before, size_t blen,
                       const char *after, size_t alen)
{
    if (c->first_before)
        return;
    c->first_before = sample_text(before, blen);
    c->first_after = sample_text(after, alen);
}

void fixup_stats_free(struct fixup_stats *st)
{
    for (size_t i = 0; i < st->ncols; i++) {
        struct fixup_column_stats *c = &st->cols[i];
        free(c->table);
        free(c->column);
        for (size_t k = 0; k < c->nsamples; k++)
            free(c->samples[k]);
        free(c->first_before);
        free(c->first_after);
    }
    free(st->cols);
    for (size_t i = 0; i < st->nextensions; i++)
        free(st->extensions[i]);
    free(st->extensions);
    free(st->immich_version);
    free(st->newest_migration);
    free(st->old_media_location);
    memset(st, 0, sizeof *st);
}

bool fixup_has_extension(const struct fixup_stats *st, const char *name)
{
    for (size_t i = 0; i < st->nextensions; i++)
        if (strcmp(st->extensions[i], name) == 0)
            return true;
    return false;
}

/* "vectors", "vchord", "vector", or NULL when the dump creates none of them. */
static const char *fixup_vector_extension(const struct fixup_stats *st)
{
    if (fixup_has_extension(st, "vectors"))
        return "vectors";
    if (fixup_has_extension(st, "vchord"))
        return "vchord";
    if (fixup_has_extension(st, "vector"))
        return "vector";
    return NULL;
}

static void report_header(const struct fixup_options *o, const struct fixup_stats *st,
                          struct strbuf *out)
{
    sb_printf(out, _("Immich version of the dump: %s\n"),
              st->immich_version ? st->immich_version : _("unknown"));
    if (st->newest_migration)
        sb_printf(out, _("Newest database migration: %s\n"), st->newest_migration);
    const char *vec = fixup_vector_extension(st);
    sb_printf(out, _("Vector extension: %s\n"), vec ? vec : _("none"));
    sb_append(out, _("Extensions the dump creates:"));
    for (size_t i = 0; i < st->nextensions; i++)
        sb_printf(out, " %s", st->extensions[i]);
    sb_append(out, st->nextensions ? "\n" : _(" none\n"));
    if (st->cluster_dump)
        sb_printf(out, _("Cluster dump (pg_dumpall): only database '%s' was kept.\n"),
                  o->cluster_database);
    sb_printf(out, _("search_path lines fixed: %llu\n"), (unsigned long long)st->search_path_fixed);
    sb_printf(out, _("Owner and grant names mapped: %llu\n"), (unsigned long long)st->roles_mapped);
    if (st->old_media_location)
        sb_printf(out, _("MediaLocation: %s -> %s\n"), st->old_media_location,
                  st->media_location_set ? o->target_location : _("(left as it was)"));
    if (st->media_location_unmapped)
        sb_append(out, _("WARNING: the old MediaLocation matches no path rule.\n"));
    sb_append(out, _("Path rules:\n"));
    for (size_t i = 0; i < o->rules.count; i++)
        sb_printf(out, "  %s -> %s\n", o->rules.rules[i].from, o->rules.rules[i].to);
}

void fixup_report_text(const struct fixup_options *o, const struct fixup_stats *st, struct strbuf *out)
{
    report_header(o, st, out);
    sb_append(out, _("Path columns (rewritten / left as they were):\n"));
    for (size_t i = 0; i < st->ncols; i++) {
        const struct fixup_column_stats *c = &st->cols[i];
        if (!c->is_path)
            continue;
        sb_printf(out, "  %s.%s: %llu / %llu\n", c->table, c->column,
                  (unsigned long long)c->rewritten, (unsigned long long)c->left);
        if (c->first_before)
            sb_printf(out, _("    e.g. %s -> %s\n"), c->first_before, c->first_after);
        for (size_t k = 0; k < c->nsamples; k++)
            sb_printf(out, _("    left: %s\n"), c->samples[k]);
    }
    bool header = false;
    for (size_t i = 0; i < st->ncols; i++) {
        const struct fixup_column_stats *c = &st->cols[i];
        if (c->is_path)
            continue;
        if (!header)
            sb_append(out, _("Other fields that start with a mapped prefix (never changed):\n"));
        header = true;
        sb_printf(out, "  %s.%s: %llu\n", c->table, c->column, (unsigned long long)c->left);
        for (size_t k = 0; k < c->nsamples; k++)
            sb_printf(out, "    %s\n", c->samples[k]);
    }
}
