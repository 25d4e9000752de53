# src/db: the database steps (dump, fixup, prepare-db) as a library.
libimmich_a_SOURCES += \
	src/db/copytext.c src/db/copytext.h \
	src/db/pathmap.c src/db/pathmap.h \
	src/db/copyrow.c src/db/copyrow.h \
	src/db/dumpio.c src/db/dumpio.h \
	src/db/sqlline.c src/db/sqlline.h \
	src/db/fixup_tables.c src/db/fixup_tables.h \
	src/db/fixup_rows.c src/db/fixup_rows.h \
	src/db/fixup_types.h src/db/fixup_stats.c src/db/fixup_internal.h \
	src/db/fixup.c src/db/fixup.h \
	src/db/fixup_plan.c src/db/fixup_plan.h \
	src/db/dump.c src/db/dump.h src/db/backups.c \
	src/db/asuser.c src/db/asuser.h src/db/prepare.c src/db/prepare.h
