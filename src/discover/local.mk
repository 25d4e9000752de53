# src/discover: discovery, pre-flight checks, Docker and systemd, verify (issue 6).
libimmich_a_SOURCES += \
	src/discover/dotenv.c src/discover/dotenv.h \
	src/discover/inspect.c src/discover/inspect.h \
	src/discover/docker.c src/discover/docker.h \
	src/discover/systemd.c src/discover/systemd.h \
	src/discover/target_pg.c src/discover/target_pg.h \
	src/discover/paths.c src/discover/paths.h \
	src/discover/discover.c src/discover/discover.h \
	src/discover/checks.c src/discover/checks.h \
	src/discover/preflight.c src/discover/preflight.h \
	src/discover/estimate.c src/discover/estimate.h \
	src/discover/http.c src/discover/http.h \
	src/discover/verify.c src/discover/verify.h
