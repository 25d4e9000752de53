# The SQL dump engine (issue 3): lexer, input and importer.
libimmich_a_SOURCES += \
	src/pg/connect.c src/pg/connect.h \
	src/pg/sql_lexer.c src/pg/sql_lexer.h \
	src/pg/sql_input.c src/pg/sql_input.h \
	src/pg/dump_walker.c src/pg/dump_walker.h \
	src/pg/sql_meta.c src/pg/sql_meta.h \
	src/pg/sql_classify.c src/pg/sql_classify.h \
	src/pg/sql_policy.c src/pg/sql_policy.h \
	src/pg/pg_report.c src/pg/pg_report.h \
	src/pg/import_int.h src/pg/import_conn.c src/pg/import_prescan.c src/pg/import_pool.c \
	src/pg/import_copy.c src/pg/import_verify.c src/pg/import_ext.c src/pg/import_tune.c \
	src/pg/importer.c src/pg/importer.h
