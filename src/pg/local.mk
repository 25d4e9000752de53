libimmich_a_SOURCES += src/pg/import_cmd_stub.c
