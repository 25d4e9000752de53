# src/stages: the stage table and the thirteen stage adapters over the libraries.
libimmich_a_SOURCES += \
	src/stages/stage.h src/stages/stages.c src/stages/artifacts.c src/stages/gates.c \
	src/stages/discover.c src/stages/stop_docker.c \
	src/stages/dump.c src/stages/fixup.c src/stages/fixed_dump.h src/stages/prepare_db.c \
	src/stages/import.c \
	src/stages/backup.c src/stages/verify_backup.c src/stages/copy.c src/stages/chown.c \
	src/stages/precopy.c src/stages/library_copy.h \
	src/stages/backup_strategy.c src/stages/backup_strategy.h \
	src/stages/nixos.c src/stages/nixos.h src/stages/start.c src/stages/verify.c \
	src/stages/outputs.c src/stages/artifact.h src/stages/artifact_codec.c src/stages/explain.c
