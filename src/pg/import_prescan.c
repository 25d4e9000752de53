/* The safety scan: the whole file is read once before anything runs, so a file that would
 * be refused halfway never changes the target. */
#include "common.h"
#include "pg/dump_walker.h"
#include "pg/import_int.h"
#include "pg/sql_classify.h"
#include "pg/sql_meta.h"

#include <stdlib.h>
#include <string.h>

static void no_transaction(struct scan_summary *sum, uint64_t line, const char *what)
{
    if (!sum->allows_transaction)
        return;
    sum->allows_transaction = false;
    snprintf(sum->why_no_transaction, sizeof sum->why_no_transaction, _("line %llu: %s"),
             (unsigned long long)line, what);
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
        struct stmt_info info;
        stmt_classify(sb_str(&w.lx.stmt), w.lx.copy_from_stdin, &info);
        if (info.cls == STMT_NO_TRANSACTION)
            no_transaction(sum, w.lx.first_line, info.what);
        if (info.sets_std_strings >= 0)
            w.lx.std_strings = info.sets_std_strings == 1;
        if (info.sets_encoding[0] && pg_char_to_encoding(info.sets_encoding) >= 0)
            w.lx.encoding = pg_char_to_encoding(info.sets_encoding);
    }
    if (w.lx.dump_headers > w.lx.dump_trailers) {
        sb_printf(err, _("the file ends before pg_dump's closing comment \"-- PostgreSQL database "
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
