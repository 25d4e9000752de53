# fragment for data: the sandbox (a stand-in Immich installation) and its helper programs.
dist_pkgdata_SCRIPTS += data/immich-sandbox data/fake-docker data/fake-systemctl data/fake-journalctl
dist_pkgdata_DATA += data/sandbox-common.sh
nodist_pkgdata_DATA = data/sandbox-paths.sh
sandboxsqldir = $(pkgdatadir)/sql
dist_sandboxsql_DATA = data/sql/sandbox-schema.sql data/sql/sandbox-data.sql \
	data/sql/sandbox-upgrade.sql

# Tells the installed immich-sandbox where its helper programs are.
data/sandbox-paths.sh: Makefile
	$(AM_V_GEN)$(MKDIR_P) data && \
	printf "pkglibexecdir='%s'\n" '$(pkglibexecdir)' >$@.tmp && mv $@.tmp $@
CLEANFILES += data/sandbox-paths.sh

pkglibexec_PROGRAMS = src/tools/immich-migrate-fake-immich src/tools/immich-migrate-sandbox-files
src_tools_immich_migrate_fake_immich_SOURCES = src/tools/fake-immich.c
src_tools_immich_migrate_fake_immich_LDADD =
src_tools_immich_migrate_sandbox_files_SOURCES = src/tools/sandbox-files.c
src_tools_immich_migrate_sandbox_files_LDADD =
