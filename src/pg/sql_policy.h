/* What a dump may hold beyond what the lexer accepts. The dump comes out of a container its
 * owner controls; pg_dump never writes any of the following for an Immich database, and each
 * is a way out of the database or out of the safety scan:
 *   COPY other than COPY table (columns) FROM stdin (TO/FROM PROGRAM, a server file), DO,
 *   CREATE/ALTER/DROP ROLE|USER|GROUP, ALTER SYSTEM, LOAD, CREATE LANGUAGE, functions in a
 *   language other than sql and plpgsql, function bodies with dynamic SQL (EXECUTE), COPY or
 *   role changes, the server-file functions (lo_import, lo_export, pg_read_file, …) anywhere,
 *   and any change of standard_conforming_strings or client_encoding other than pg_dump's own
 *   SET lines (set_config, SET … TO DEFAULT, SET LOCAL, RESET, ALTER DATABASE … SET, …).
 * The safety scan refuses the file before anything runs. The real boundary is that the load
 * runs as the database owner, not a superuser; this is defence in depth. */
#ifndef IM_SQL_POLICY_H
#define IM_SQL_POLICY_H

#include "common.h"
#include "pg/sql_classify.h"

/* Returns 0 when stmt (classified as info) may run; else -1, one sentence in why and the byte
 * offset in stmt of what was refused in *at. */
int sql_policy_check(const char *stmt, const struct stmt_info *info, size_t *at, struct strbuf *why);

#endif
