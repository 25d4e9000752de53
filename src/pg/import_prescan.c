/* The safety scan: the whole file is read once before anything runs, so a file that would
 * be refused halfway never changes the target. */
#include "common.h"
#include "pg/dump_walker.h"
#include "pg/import_int.h"
#include "pg/sql_classify.h"
#include "pg/sql_meta.h"
#include "pg/sql_policy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void no_transaction(struct scan_summary *sum, uint64_t line, const char *what)
{
    if (!sum->allows_transaction)
        return;
    sum->allows_transaction = false;
    snprintf(sum->why_no_transaction, sizeof sum->why_no_transaction, _("line %llu: %s"),
             (unsigned long long)line, what);
}

void import_model_apply(struct sql_lexer *lx, const struct stmt_info *info)
{
    if (info->sets_std_strings >= 0)
        lx->std_strings = info->sets_std_strings == 1;
    if (info->sets_encoding[0])
        lx->encoding = pg_char_to_encoding(info->sets_encoding);
}

void scan_summary_free(struct scan_summary *sum)
{
    for (size_t i = 0; i < sum->nextensions; i++)
        free(sum->extensions[i]);
    free(sum->extensions);
    sum->extensions = NULL;
    sum->nextensions = 0;
}

/* The line of byte `at` of the statement the walker just returned. */
static uint64_t line_of(const struct dump_walker *w, size_t at)
{
    const char *s = sb_str(&w->lx.stmt);
    uint64_t line = w->lx.first_line;
    for (size_t i = 0; i < at && s[i]; i++)
        line += s[i] == '\n';
    return line;
}

/* The file's own BEGIN … COMMIT (pg_dump's large-object section): paired, not nested, and
 * never around a \connect. */
struct block {
    bool open;
    uint64_t line;
};

/* BEGIN ISOLATION LEVEL …, ROLLBACK and the like: no single transaction then, but a
 * \connect must still not come while one is open. */
static void track_other(struct block *b, const struct stmt_info *info, uint64_t line)
{
    static const char *const opens[] = {"begin", "start"};
    static const char *const closes[] = {"commit", "end", "rollback", "abort"};
    for (size_t k = 0; k < ARRAY_LEN(opens); k++)
        if (strcasecmp(info->what, opens[k]) == 0 && !b->open) {
            b->open = true;
            b->line = line;
        }
    for (size_t k = 0; k < ARRAY_LEN(closes); k++)
        if (strcasecmp(info->what, closes[k]) == 0)
            b->open = false;
}

static int track_block(struct block *b, const struct stmt_info *info, uint64_t line, struct strbuf *err)
{
    if (info->cls == STMT_NO_TRANSACTION)
        track_other(b, info, line);
    if (info->cls == STMT_BEGIN) {
        if (b->open) {
            sb_printf(err, _("line %llu: BEGIN inside the transaction opened on line %llu"),
                      (unsigned long long)line, (unsigned long long)b->line);
            return -1;
        }
        b->open = true;
        b->line = line;
    } else if (info->cls == STMT_COMMIT) {
        if (!b->open) {
            sb_printf(err, _("line %llu: COMMIT without a BEGIN before it"), (unsigned long long)line);
            return -1;
        }
        b->open = false;
    }
    return 0;
}

static int scan_statement(struct dump_walker *w, struct scan_summary *sum, struct block *b,
                          struct strbuf *err)
{
    const char *stmt = sb_str(&w->lx.stmt);
    struct stmt_info info;
    stmt_classify(stmt, w->lx.copy_from_stdin, &info);
    struct strbuf why = {0};
    size_t at = 0;
    if (sql_policy_check(stmt, &info, &at, &why) < 0) {
        sb_printf(err, _("line %llu: %s"), (unsigned long long)line_of(w, at), sb_str(&why));
        sb_free(&why);
        return -1;
    }
    if (track_block(b, &info, w->lx.first_line, err) < 0)
        return -1;
    if (info.cls == STMT_NO_TRANSACTION)
        no_transaction(sum, w->lx.first_line, info.what);
    if (info.cls == STMT_CREATE_EXTENSION) {
        sum->extensions = xrealloc(sum->extensions, (sum->nextensions + 1) * sizeof *sum->extensions);
        sum->extensions[sum->nextensions++] = xstrdup(info.name);
    }
    import_model_apply(&w->lx, &info);
    return 0;
}

int import_prescan(struct sql_input *in, const char *current_db, const char *target_db,
                   bool std_strings, int encoding, struct scan_summary *sum, struct strbuf *err)
{
    memset(sum, 0, sizeof *sum);
    sum->allows_transaction = true;
    struct dump_walker w;
    dump_walker_init(&w, in);
    w.lx.std_strings = std_strings;
    w.lx.encoding = encoding;
    struct meta_rules rules = {0};
    struct block block = {false, 0};
    char *db = xstrdup(current_db);
    int rc = -1;
    for (;;) {
        enum dump_event ev = dump_next(&w, err);
        if (ev == DUMP_FAIL)
            goto out;
        if (ev == DUMP_END)
            break;
        if (ev == DUMP_COPY_END)
            sum->copy_blocks++;
        if (ev == DUMP_META) {
            struct meta_cmd m;
            if (meta_accept(&rules, sb_str(&w.lx.meta), w.lx.first_line, db, target_db, &m, err) < 0)
                goto out;
            if (m.kind == META_CONNECT && block.open) {
                sb_printf(err,
                          _("line %llu: \\connect while the transaction opened on line %llu "
                            "is open"),
                          (unsigned long long)w.lx.first_line, (unsigned long long)block.line);
                meta_cmd_free(&m);
                goto out;
            }
            if (m.kind == META_CONNECT) {
                no_transaction(sum, w.lx.first_line, "\\connect");
                free(db);
                db = xstrdup(m.arg);
            } else if (m.kind == META_ENCODING) {
                w.lx.encoding = pg_char_to_encoding(m.arg);
            }
            meta_cmd_free(&m);
        }
        if (ev != DUMP_STATEMENT)
            continue;
        sum->statements++;
        if (scan_statement(&w, sum, &block, err) < 0)
            goto out;
    }
    if (block.open) {
        sb_printf(err, _("the BEGIN on line %llu has no COMMIT: the file is truncated or altered"),
                  (unsigned long long)block.line);
        goto out;
    }
    if (w.lx.dump_headers > w.lx.dump_trailers) {
        sb_printf(err,
                  _("the file ends before pg_dump's closing comment \"-- PostgreSQL database "
                    "dump complete\": it is truncated (read %llu lines)"),
                  (unsigned long long)(w.lx.line - 1));
        goto out;
    }
    if (rules.restricted) {
        sb_append(err, _("the file ends while \\restrict is in force (no matching \\unrestrict): "
                         "it is truncated or altered"));
        goto out;
    }
    rc = 0;
out:
    free(db);
    meta_rules_free(&rules);
    dump_walker_free(&w);
    return rc;
}
