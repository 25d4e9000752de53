# src/tools: the helper programs of the sandbox (installed in pkglibexecdir).
pkglibexec_PROGRAMS = src/tools/immich-migrate-fake-immich src/tools/immich-migrate-sandbox-files
src_tools_immich_migrate_fake_immich_SOURCES = src/tools/fake-immich.c
src_tools_immich_migrate_fake_immich_LDADD =
src_tools_immich_migrate_sandbox_files_SOURCES = src/tools/sandbox-files.c
src_tools_immich_migrate_sandbox_files_LDADD =
