libimmich_a_SOURCES += \
	src/sys/spawn.c src/sys/spawn.h \
	src/sys/atomic_file.c src/sys/atomic_file.h \
	src/sys/safepath.c src/sys/safepath.h
libimmich_a_SOURCES += src/sys/fdio.c src/sys/fdio.h src/sys/fsfree.c src/sys/fsfree.h \
	src/sys/zread.c src/sys/zread.h
libimmich_a_SOURCES += src/sys/safe_dir.c src/sys/safe_dir.h src/sys/sha256.c src/sys/sha256.h
