#include "common.h"
#include "pg/pg_report.h"
#include "pg/sql_lexer.h"

#include <stdlib.h>
#include <string.h>

void pg_report_where(const struct stmt_where *w, struct strbuf *out)
{
    if (w->first_line == w->last_line)
        sb_printf(out, _("%s, line %llu"), w->file, (unsigned long long)w->first_line);
    else
        sb_printf(out, _("%s, lines %llu-%llu"), w->file, (unsigned long long)w->first_line,
                  (unsigned long long)w->last_line);
    if (w->object && *w->object)
        sb_printf(out, " (%s)", w->object);
}

/* PG_DIAG_STATEMENT_POSITION counts characters from 1; turn it into line:column. */
static void position_to_line(const struct stmt_where *w, const char *pos, struct strbuf *out)
{
    long chars = strtol(pos, NULL, 10);
    if (chars <= 0 || !w->stmt)
        return;
    uint64_t line = w->first_line;
    long col = 1;
    const char *p = w->stmt;
    for (long c = 1; c < chars && *p; c++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        int len = PQmblen(p, w->encoding);
        for (int i = 0; i < (len > 0 ? len : 1) && *p; i++)
            p++;
    }
    sb_printf(out, _("  position: line %llu, column %ld\n"), (unsigned long long)line, col);
}

/* COPY errors carry "COPY table, line N[, column c]" in CONTEXT: N counts data lines. */
static void copy_line(const struct stmt_where *w, const char *context, struct strbuf *out)
{
    if (!w->copy_line_base || !context)
        return;
    const char *p = strstr(context, ", line ");
    if (!p)
        return;
    long n = strtol(p + 7, NULL, 10);
    if (n > 0)
        sb_printf(out, _("  data: %s, line %llu\n"), w->file,
                  (unsigned long long)(w->copy_line_base + (uint64_t)n));
}

static void field(const PGresult *res, int code, const char *label, struct strbuf *out)
{
    const char *v = res ? PQresultErrorField(res, code) : NULL;
    if (v && *v)
        sb_printf(out, "  %s: %s\n", label, v);
}

void pg_report_failure(const struct stmt_where *w, const PGresult *res, const PGconn *conn,
                       struct strbuf *out)
{
    sb_append(out, _("a statement failed at "));
    pg_report_where(w, out);
    sb_append_char(out, '\n');
    if (w->stmt) {
        struct strbuf s = {0};
        sql_shorten(w->stmt, 200, &s);
        sb_printf(out, _("  statement: %s\n"), sb_str(&s));
        sb_free(&s);
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (msg) {
        const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
        sb_printf(out, "  %s: %s%s%s\n", sev ? sev : "ERROR", state ? state : "", state ? " " : "",
                  msg);
    } else {
        /* no server message: the connection broke, or libpq itself failed */
        const char *m = res ? PQresultErrorMessage(res) : NULL;
        if (!m || !*m)
            m = conn ? PQerrorMessage(conn) : "";
        struct strbuf t = {0};
        sb_append(&t, m);
        while (t.len && (t.buf[t.len - 1] == '\n' || t.buf[t.len - 1] == ' '))
            t.buf[--t.len] = '\0';
        sb_printf(out, _("  error: %s\n"), sb_str(&t));
        sb_free(&t);
    }
    field(res, PG_DIAG_MESSAGE_DETAIL, "DETAIL", out);
    field(res, PG_DIAG_MESSAGE_HINT, "HINT", out);
    field(res, PG_DIAG_CONTEXT, "CONTEXT", out);
    const char *pos = res ? PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION) : NULL;
    if (pos)
        position_to_line(w, pos, out);
    copy_line(w, res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL, out);
}
