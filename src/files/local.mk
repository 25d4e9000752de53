# src/files: the library steps backup, verify-backup, copy, chown (one tree walker for all).
libimmich_a_SOURCES += \
	src/files/walk.c src/files/walk.h \
	src/files/xxh64.c src/files/xxh64.h \
	src/files/manifest.c src/files/manifest.h \
	src/files/manifest_read.c src/files/manifest_read.h \
	src/files/meter.c src/files/meter.h \
	src/files/fsutil.c src/files/fsutil.h \
	src/files/scan.c src/files/scan.h \
	src/files/space.c src/files/space.h \
	src/files/select.c src/files/select.h \
	src/files/archive_sink.c src/files/archive_sink.h \
	src/files/backup.c src/files/backup.h \
	src/files/compare.c src/files/compare.h \
	src/files/verify.c src/files/verify.h \
	src/files/verify_archive.c \
	src/files/linkmap.c src/files/linkmap.h \
	src/files/copy.c src/files/copy_verify.c src/files/copy_readback.c src/files/copy.h \
	src/files/copy_record.c src/files/copy_record.h \
	src/files/chown.c src/files/chown.h \
	src/files/owners.c src/files/owners.h
