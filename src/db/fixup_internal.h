/* Shared between the fix-up's files; not for other areas. */
#ifndef IM_DB_FIXUP_INTERNAL_H
#define IM_DB_FIXUP_INTERNAL_H

#include "db/fixup_types.h"

struct fixup_column_stats *fixup_stats_column(struct fixup_stats *st, const char *table,
                                              const char *column, bool is_path);
void fixup_stats_sample(struct fixup_column_stats *c, const char *value, size_t len);
void fixup_stats_first(struct fixup_column_stats *c, const char *before, size_t blen,
                       const char *after, size_t alen);

#endif
