libimmich_a_SOURCES += \
	src/stages/stage.h src/stages/stages.c src/stages/artifacts.c src/stages/gates.c \
	src/stages/outputs.c src/stages/artifact.h src/stages/artifact_codec.c
