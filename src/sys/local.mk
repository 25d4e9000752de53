libimmich_a_SOURCES += \
	src/sys/spawn.c src/sys/spawn.h
