# src/cli: the subcommand front-ends (`immich-migrate STAGE [ARGS]`), their table and helpers.
libimmich_a_SOURCES += \
	src/cli/commands.c src/cli/commands.h \
	src/cli/cli_options.c src/cli/cli_options.h \
	src/cli/cli_util.c src/cli/cli_util.h \
	src/cli/cli_db.c src/cli/cli_db.h \
	src/cli/cli_gates.c src/cli/cli_gates.h \
	src/cli/cmd_import.c \
	src/cli/cmd_dump.c src/cli/cmd_fixup.c src/cli/cmd_prepare_db.c \
	src/cli/cmd_backup.c src/cli/cmd_verify_backup.c src/cli/cmd_copy.c src/cli/cmd_chown.c \
	src/cli/cmd_restore_owners.c \
	src/cli/cmd_check.c src/cli/cmd_verify.c
