/* libFuzzer target for the statement splitter (and the meta/classify/policy code it feeds).
 * Byte 0 picks standard_conforming_strings, the client encoding and the feeding chunk size;
 * the rest is SQL. The splitter must never crash, never stall, and must give the same
 * statements however the input is cut into pieces. */
#include "common.h"
#include "pg/sql_classify.h"
#include "pg/sql_policy.h"
#include "pg/sql_lexer.h"
#include "pg/sql_meta.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const encodings[] = {"UTF8",    "SJIS",   "BIG5",   "GBK",
                                        "GB18030", "LATIN1", "EUC_JP", "UHC"};

/* Splits; returns a hash of the statements seen so chunkings can be compared. */
static uint64_t split(const char *in, size_t total, size_t chunk, bool std, int enc)
{
    struct sql_lexer lx;
    sql_lexer_init(&lx);
    lx.std_strings = std;
    lx.encoding = enc;
    struct meta_rules rules = {0};
    uint64_t hash = 1469598103934665603ull;
    size_t pos = 0, avail = 0;
    unsigned stalls = 0;
    for (;;) {
        if (avail - pos < chunk)
            avail = pos + chunk < total ? pos + chunk : total;
        size_t used = 0;
        enum sql_lex_result r = sql_lexer_scan(&lx, in + pos, avail - pos, avail == total, &used);
        pos += used;
        if (r == SQL_LEX_NEED_MORE) {
            if (avail == total)
                abort(); /* NEED_MORE at eof: would loop forever */
            stalls = used ? 0 : stalls + 1;
            if (stalls > total + 2)
                abort();
            avail = avail + chunk < total ? avail + chunk : total;
            continue;
        }
        const struct strbuf *t = r == SQL_LEX_META ? &lx.meta : &lx.stmt;
        for (size_t i = 0; i < t->len; i++)
            hash = (hash ^ (uint8_t)t->buf[i]) * 1099511628211ull;
        hash = (hash ^ (uint64_t)r) * 1099511628211ull;
        if (r == SQL_LEX_STATEMENT) {
            struct stmt_info info;
            stmt_classify(sb_str(&lx.stmt), lx.copy_from_stdin, &info);
            struct strbuf why = {0};
            size_t at = 0;
            if (sql_policy_check(sb_str(&lx.stmt), &info, &at, &why) < 0 && at > lx.stmt.len)
                abort();
            sb_free(&why);
        } else if (r == SQL_LEX_META) {
            struct meta_cmd m;
            struct strbuf err = {0};
            if (meta_accept(&rules, sb_str(&lx.meta), lx.first_line, "a", "b", &m, &err) == 0)
                meta_cmd_free(&m);
            sb_free(&err);
        }
        if (r == SQL_LEX_END || r == SQL_LEX_INCOMPLETE || r == SQL_LEX_ERROR)
            break;
        if (lx.first_line > lx.line)
            abort();
        sql_lexer_next(&lx);
    }
    meta_rules_free(&rules);
    sql_lexer_free(&lx);
    return hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t opt = data[0];
    bool std = opt & 1;
    int enc = pg_char_to_encoding(encodings[(opt >> 1) & 7]);
    size_t chunk = 1 + (opt >> 4);
    const char *in = (const char *)data + 1;
    size_t total = size - 1;
    uint64_t whole = split(in, total, total + 1, std, enc);
    uint64_t pieces = split(in, total, chunk, std, enc);
    if (whole != pieces)
        abort(); /* the result depends on how the input was cut */
    struct strbuf sb = {0};
    char *z = xstrndup(in, total);
    sql_shorten(z, (size_t)opt, &sb);
    free(z);
    sb_free(&sb);
    return 0;
}
