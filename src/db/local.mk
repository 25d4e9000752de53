# src/db: the database stages (dump, fixup, prepare-db).
libimmich_a_SOURCES += \
	src/db/copytext.c src/db/copytext.h \
	src/db/pathmap.c src/db/pathmap.h \
	src/db/copyrow.c src/db/copyrow.h \
	src/db/dumpio.c src/db/dumpio.h \
	src/db/sqlline.c src/db/sqlline.h \
	src/db/fixup_tables.c src/db/fixup_tables.h \
	src/db/fixup_rows.c src/db/fixup_rows.h \
	src/db/fixup_stats.c src/db/fixup_internal.h \
	src/db/fixup.c src/db/fixup.h \
	src/db/dbcmd.c src/db/dbcmd.h \
	src/db/fixup_cmd.c \
	src/db/dump.c src/db/dump.h src/db/backups.c src/db/dump_cmd.c \
	src/db/asuser.c src/db/asuser.h src/db/prepare.c src/db/prepare.h src/db/prepare_cmd.c \
	src/stages/dump.c src/stages/fixup.c src/stages/fixed_dump.h src/stages/prepare_db.c
