# fragment for data: the sandbox (a stand-in Immich installation); its helper programs are in src/tools.
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
