/* Which tables and columns of Immich's schema (both generations) hold paths. */
#ifndef IM_DB_FIXUP_TABLES_H
#define IM_DB_FIXUP_TABLES_H

#include "db/copyrow.h"

/* The kind of column `col` of table `table` in schema public. */
enum column_kind immich_column_kind(const char *table, const char *col);

#endif
