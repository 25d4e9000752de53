/* The fix-up's stream: big blocks in, lines classified with memchr, unchanged bytes written
 * straight from the input block, only rewritten lines built anew. Memory is the block plus
 * the longest line that has to be looked at whole. */
#include "db/fixup.h"
#include "db/fixup_rows.h"
#include "db/sqlline.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK (4u << 20)

static const char search_path_old[] = "SELECT pg_catalog.set_config('search_path', '', false);";
static const char search_path_new[] =
    "SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', true);";
static const char dump_complete[] = "-- PostgreSQL database dump complete";
static const char cluster_marker[] = "-- PostgreSQL database cluster dump";

enum mode {
    M_SQL,          /* statements */
    M_COPY,         /* data rows of a COPY block */
    M_CLUSTER_SKIP, /* a cluster dump outside the wanted database: dropped */
    M_CLUSTER_TAIL, /* right after the wanted database's end: keep its closing lines */
};
enum action { KEEP, REPLACE, DROP };
enum long_line { LL_NONE, LL_PASS, LL_DROP, LL_ASSEMBLE };

struct engine {
    const struct fixup_options *o;
    struct fixup_stats *st;
    struct dump_writer *out;
    struct strbuf *err;
    enum mode mode;
    bool copy_interesting; /* M_COPY: rows must be looked at */
    bool skip_copy;        /* M_CLUSTER_SKIP inside another database's COPY data */
    bool failed;
    struct fixup_rows rows;
    struct strbuf repl;
    struct strbuf obuf; /* output on its way to the writer; rewritten rows are built here */
    struct strbuf line; /* a line longer than the block, assembled */
    char *buf;          /* the block, or the mapped file */
    char *own_buf;
    size_t fill, pos, flush_from;
    enum long_line ll;
    char *connect_plain, *connect_reuse; /* the \connect lines of the wanted database */
};

#define OBUF_FLUSH (1u << 20)
#define DIRECT_WRITE (256u << 10)

static void flush_obuf(struct engine *e)
{
    if (e->obuf.len && e->out && !e->failed &&
        dump_writer_write(e->out, e->obuf.buf, e->obuf.len, e->err) < 0)
        e->failed = true;
    e->obuf.len = 0;
}

/* Output: small pieces gather in obuf, big spans of the input go to the writer directly. */
static void put(struct engine *e, const char *data, size_t len)
{
    if (!e->out || e->failed || !len)
        return;
    if (len >= DIRECT_WRITE) {
        flush_obuf(e);
        if (dump_writer_write(e->out, data, len, e->err) < 0)
            e->failed = true;
        return;
    }
    sb_append_len(&e->obuf, data, len);
    if (e->obuf.len >= OBUF_FLUSH)
        flush_obuf(e);
}

static void flush_upto(struct engine *e, size_t upto)
{
    if (upto > e->flush_from)
        put(e, e->buf + e->flush_from, upto - e->flush_from);
    e->flush_from = upto;
}

static bool line_is(const char *line, size_t len, const char *text)
{
    size_t n = strlen(text);
    return len == n && memcmp(line, text, n) == 0;
}

static bool line_starts(const char *line, size_t len, const char *text)
{
    size_t n = strlen(text);
    return len >= n && memcmp(line, text, n) == 0;
}

static void add_extension(struct fixup_stats *st, const char *line, size_t len)
{
    char *name = sql_extension_name(line, len);
    if (!name)
        return;
    if (fixup_has_extension(st, name)) {
        free(name);
        return;
    }
    st->extensions = xrealloc(st->extensions, (st->nextensions + 1) * sizeof *st->extensions);
    st->extensions[st->nextensions++] = name;
}

static enum action sql_line(struct engine *e, const char *line, size_t len)
{
    switch (len ? line[0] : 0) {
    case 'C':
        if (line_starts(line, len, "COPY ")) {
            if (fixup_rows_begin(&e->rows, line, len))
                e->copy_interesting = fixup_rows_interesting(&e->rows);
            else
                e->copy_interesting = false;
            e->mode = M_COPY;
        } else if (line_starts(line, len, "CREATE EXTENSION ")) {
            add_extension(e->st, line, len);
        }
        return KEEP;
    case 'S':
        if (line_is(line, len, search_path_old)) {
            sb_reset(&e->repl);
            sb_append(&e->repl, search_path_new);
            e->st->search_path_fixed++;
            return REPLACE;
        }
        break;
    case 'A':
    case 'G':
    case 'R': break;
    case '-':
        if (line_starts(line, len, "-- Dumped from database version ") && !e->st->server_major) {
            e->st->server_major = atoi(line + strlen("-- Dumped from database version "));
        } else if (line_is(line, len, dump_complete)) {
            e->st->complete = true;
            if (e->st->cluster_dump)
                e->mode = M_CLUSTER_TAIL;
        } else if (line_is(line, len, cluster_marker) && e->st->lines < 20 && !e->st->cluster_dump) {
            e->st->cluster_dump = true;
            e->mode = M_CLUSTER_SKIP;
            return DROP;
        }
        return KEEP;
    default: return KEEP;
    }
    int n = sql_map_roles(line, len, e->o->roles, e->o->nroles, &e->repl);
    if (n <= 0)
        return KEEP;
    e->st->roles_mapped += (uint64_t)n;
    return REPLACE;
}

static enum action cluster_line(struct engine *e, const char *line, size_t len)
{
    if (e->mode == M_CLUSTER_TAIL) {
        if (len == 0 || line_is(line, len, "--") || line_starts(line, len, "\\unrestrict "))
            return KEEP;
        e->mode = M_CLUSTER_SKIP;
    }
    if (line_starts(line, len, "-- Dumped from database version ") && !e->st->complete)
        e->st->server_major = atoi(line + strlen("-- Dumped from database version "));
    if (e->skip_copy) {
        if (line_is(line, len, "\\."))
            e->skip_copy = false;
        return DROP;
    }
    if (line_starts(line, len, "COPY ") && len > 12 && memcmp(line + len - 12, " FROM stdin;", 12) == 0)
        e->skip_copy = true;
    else if (!e->st->complete &&
             (line_is(line, len, e->connect_plain) || line_is(line, len, e->connect_reuse)))
        e->mode = M_SQL;
    return DROP;
}

static enum action handle_line(struct engine *e, const char *line, size_t len)
{
    enum action a;
    if (e->mode == M_COPY) {
        if (len == 2 && line[0] == '\\' && line[1] == '.') {
            e->mode = M_SQL;
            fixup_rows_end(&e->rows);
            a = KEEP;
        } else {
            sb_reset(&e->repl);
            a = e->copy_interesting && fixup_rows_row(&e->rows, line, len, &e->repl) ? REPLACE : KEEP;
        }
    } else if (e->mode == M_SQL) {
        a = sql_line(e, line, len);
    } else {
        a = cluster_line(e, line, len);
    }
    e->st->lines++;
    return a;
}

/* Blind copy of uninteresting COPY data: jump to the terminator line "\." with memmem. */
static void skip_copy_data(struct engine *e, bool at_eof)
{
    const char *p = e->buf + e->pos;
    size_t left = e->fill - e->pos;
    if (left >= 3 && memcmp(p, "\\.\n", 3) == 0)
        return; /* the terminator is the next line: let the line loop handle it */
    const char *hit = memmem(p, left, "\n\\.\n", 4);
    if (hit) {
        e->pos = (size_t)(hit + 1 - e->buf);
        return;
    }
    const char *last = memrchr(p, '\n', left);
    if (last)
        e->pos = (size_t)(last + 1 - e->buf);
    (void)at_eof;
}

/* Processes the complete lines in the block. */
static void process_block(struct engine *e, bool at_eof)
{
    while (e->pos < e->fill && !e->failed) {
        if (e->mode == M_COPY && !e->copy_interesting) {
            skip_copy_data(e, at_eof);
            if (e->pos >= e->fill)
                break;
        }
        char *line = e->buf + e->pos;
        char *nl = memchr(line, '\n', e->fill - e->pos);
        if (!nl && !at_eof)
            break;
        size_t len = nl ? (size_t)(nl - line) : e->fill - e->pos;
        size_t next = e->pos + len + (nl ? 1 : 0);
        if (e->mode == M_COPY && e->copy_interesting &&
            !(len == 2 && line[0] == '\\' && line[1] == '.')) {
            /* A data row: a rewritten row is built straight into the output buffer. */
            flush_upto(e, e->pos);
            struct strbuf *dst = e->out ? &e->obuf : &e->repl;
            if (!e->out)
                sb_reset(&e->repl);
            if (fixup_rows_row(&e->rows, line, len, dst))
                e->flush_from = e->pos + len; /* the newline stays */
            if (e->obuf.len >= OBUF_FLUSH)
                flush_obuf(e);
            e->st->lines++;
            e->pos = next;
            continue;
        }
        enum action a = handle_line(e, line, len);
        if (a == REPLACE) {
            flush_upto(e, e->pos);
            put(e, e->repl.buf, e->repl.len);
            e->flush_from = e->pos + len; /* the newline stays */
        } else if (a == DROP) {
            flush_upto(e, e->pos);
            e->flush_from = next;
        }
        e->pos = next;
    }
}

/* The block is full and holds no newline: a very long line. */
static enum long_line long_line_mode(const struct engine *e)
{
    if (e->mode == M_CLUSTER_SKIP)
        return LL_DROP;
    if (e->mode == M_COPY)
        return e->copy_interesting && e->rows.t.role != T_PLAIN ? LL_ASSEMBLE : LL_PASS;
    if (e->mode == M_SQL && !strchr("CSAGR-", e->buf[e->pos]))
        return LL_PASS;
    return LL_ASSEMBLE;
}

/* Continues a long line with the new block; returns true when it ended in this block. */
static bool continue_long_line(struct engine *e, bool at_eof)
{
    char *nl = memchr(e->buf, '\n', e->fill);
    size_t upto = nl ? (size_t)(nl - e->buf) : e->fill;
    if (e->ll == LL_PASS) {
        put(e, e->buf, upto);
    } else if (e->ll == LL_ASSEMBLE) {
        sb_append_len(&e->line, e->buf, upto);
    }
    e->pos = e->flush_from = upto; /* the newline itself is pending output */
    if (!nl && !at_eof)
        return false;
    if (e->ll == LL_ASSEMBLE) {
        enum action a = handle_line(e, e->line.buf, e->line.len);
        if (a == REPLACE)
            put(e, e->repl.buf, e->repl.len);
        else if (a == KEEP)
            put(e, e->line.buf, e->line.len);
        else if (nl)
            e->flush_from = e->pos = upto + 1;
        sb_free(&e->line);
    } else if (e->ll == LL_DROP) {
        if (nl)
            e->flush_from = e->pos = upto + 1;
    } else {
        e->st->lines++;
    }
    e->ll = LL_NONE;
    return true;
}

static int read_block(struct engine *e, struct dump_reader *in, const struct reporter *rep, bool *at_eof)
{
    while (e->fill < BLOCK) {
        ssize_t n = dump_reader_read(in, e->buf + e->fill, BLOCK - e->fill, e->err);
        if (n < 0)
            return -1;
        if (n == 0) {
            *at_eof = true;
            break;
        }
        e->fill += (size_t)n;
        e->st->bytes_in += (uint64_t)n;
    }
    report_progress(rep, "bytes", dump_reader_file_pos(in), dump_reader_file_size(in), NULL);
    return 0;
}

static void engine_init(struct engine *e, const struct fixup_options *o, struct fixup_stats *st,
                        struct dump_writer *out, struct strbuf *err)
{
    memset(e, 0, sizeof *e);
    e->o = o;
    e->st = st;
    e->out = out;
    e->err = err;
    e->buf = e->own_buf = xmalloc(BLOCK);
    fixup_rows_init(&e->rows, o, st);
    struct strbuf sb = {0};
    sb_append(&sb, "\\connect ");
    sql_ident_append(&sb, o->cluster_database ? o->cluster_database : "immich");
    e->connect_plain = sb_detach(&sb);
    e->connect_reuse = xasprintf("\\connect -reuse-previous=on \"dbname='%s'\"",
                                 o->cluster_database ? o->cluster_database : "immich");
}

static void engine_free(struct engine *e)
{
    fixup_rows_free(&e->rows);
    sb_free(&e->repl);
    sb_free(&e->obuf);
    sb_free(&e->line);
    free(e->own_buf);
    free(e->connect_plain);
    free(e->connect_reuse);
}

static int run_loop(struct engine *e, struct dump_reader *in, const struct reporter *rep)
{
    bool at_eof = false;
    while (!e->failed) {
        if (report_cancelled(rep)) {
            sb_append(e->err, _("cancelled"));
            return -1;
        }
        if (read_block(e, in, rep, &at_eof) < 0)
            return -1;
        if (e->ll != LL_NONE && !continue_long_line(e, at_eof)) {
            e->fill = e->pos = e->flush_from = 0;
            continue;
        }
        process_block(e, at_eof);
        flush_upto(e, e->pos);
        if (at_eof && e->pos >= e->fill)
            break;
        size_t rest = e->fill - e->pos;
        if (rest == BLOCK) { /* one line fills the whole block */
            e->ll = long_line_mode(e);
            if (e->ll == LL_PASS)
                put(e, e->buf, rest);
            else if (e->ll == LL_ASSEMBLE)
                sb_append_len(&e->line, e->buf, rest);
            rest = 0;
        } else {
            memmove(e->buf, e->buf + e->pos, rest);
        }
        e->fill = rest;
        e->pos = e->flush_from = 0;
    }
    return e->failed ? -1 : 0;
}

/* A mapped file: no copying into blocks, no long-line cases; the window grows by BLOCK so
 * progress and cancellation are checked as often as with reads. */
static int run_mapped(struct engine *e, struct dump_reader *in, const char *map, size_t size,
                      const struct reporter *rep)
{
    e->buf = (char *)map; /* only read */
    while (!e->failed) {
        if (report_cancelled(rep)) {
            sb_append(e->err, _("cancelled"));
            return -1;
        }
        e->fill = size - e->fill > BLOCK ? e->fill + BLOCK : size;
        bool at_eof = e->fill == size;
        process_block(e, at_eof);
        flush_upto(e, e->pos);
        dump_reader_release(in, e->pos);
        report_progress(rep, "bytes", e->fill, size, NULL);
        if (at_eof)
            break;
    }
    e->st->bytes_in = size;
    return e->failed ? -1 : 0;
}

int fixup_run(const struct fixup_options *o, struct dump_reader *in, struct dump_writer *out,
              const struct reporter *rep, struct fixup_stats *st, struct strbuf *err)
{
    struct engine e;
    engine_init(&e, o, st, out, err);
    size_t size;
    const char *map = dump_reader_map(in, &size);
    int rc = map ? run_mapped(&e, in, map, size, rep) : run_loop(&e, in, rep);
    flush_obuf(&e);
    if (rc == 0 && e.failed)
        rc = -1;
    if (rc == 0 && st->cluster_dump && e.mode == M_CLUSTER_SKIP && !st->complete) {
        sb_printf(err, _("the cluster dump holds no database named '%s'"),
                  o->cluster_database ? o->cluster_database : "immich");
        rc = -1;
    }
    if (out)
        st->bytes_out = dump_writer_bytes_in(out);
    engine_free(&e);
    return rc;
}

int fixup_scan_file(const char *path, const char *cluster_database, struct fixup_stats *st,
                    struct strbuf *err)
{
    struct fixup_options o;
    fixup_options_init(&o);
    o.cluster_database = cluster_database;
    o.watch_other = false;
    struct dump_reader *in = dump_reader_open(path, err);
    if (!in)
        return -1;
    int rc = fixup_run(&o, in, NULL, NULL, st, err);
    dump_reader_close(in);
    fixup_options_free(&o);
    return rc;
}
