#include "summary.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool known(const char *path)
{
    return path && *path;
}

void migration_summary(const struct plan *p, const struct summary_facts *f, struct strbuf *out)
{
    const struct verify_result *res = f->res;
    if (res) {
        sb_printf(out, _("  Assets: %llu\n  Files:  %llu (%llu already missing in Docker)\n"),
                  (unsigned long long)res->assets, (unsigned long long)res->present,
                  (unsigned long long)res->dangling);
        sb_append(out, _("  Size:   "));
        format_bytes(res->bytes, out);
        sb_append(out, "\n");
    }
    long secs = (long)(f->duration_seconds + 0.5);
    sb_printf(out, _("  Time:   %ldh %02ldm %02lds\n"), secs / 3600, secs / 60 % 60, secs % 60);
    if (f->downtime_known) {
        long down = (long)(f->downtime_seconds + 0.5);
        sb_printf(out, _("  Immich was down: %ldh %02ldm %02lds (Stop Docker to Start Immich)\n"),
                  down / 3600, down / 60 % 60, down % 60);
    }
    sb_printf(out, _("  Library: %s\n"), plan_get(p, PLAN_target_location));
    bool no_archive = strcmp(plan_get(p, PLAN_library_backup), "none") == 0;
    if (no_archive)
        sb_append(out, _("  Library backup: none (library_backup = none): no archive was written\n"));
    else if (known(f->archive_path) && known(f->base_path))
        sb_printf(out,
                  _("  Library backup: %s\n    + catch-up %s and %s.removed (restore order: "
                    "--report)\n"),
                  f->base_path, f->archive_path, f->archive_path);
    else if (known(f->archive_path))
        sb_printf(out, _("  Library backup: %s\n"), f->archive_path);
    if (known(f->dump_path))
        sb_printf(out, _("  Database dump:  %s\n"), f->dump_path);
    if (!known(f->archive_path) || !known(f->dump_path))
        sb_printf(out, _("  Backups: %s\n"), plan_get(p, PLAN_backup_dir));
    if (known(f->nixos_file))
        sb_printf(out, _("  NixOS settings: %s\n"), f->nixos_file);
    if (known(f->log_path))
        sb_printf(out, _("  Log:     %s\n"), f->log_path);
    if (known(f->review_command))
        sb_printf(out, _("  Browse the log later with: %s\n"), f->review_command);
    sb_append(out, _("\nOnce you have checked the new installation (photos, albums, faces, "
                     "search), remove the old Docker installation:\n"));
    const char *compose = plan_get(p, PLAN_compose_dir);
    if (*compose)
        sb_printf(out, "  cd %s && %s compose down\n", compose, plan_get(p, PLAN_docker_command));
    else
        sb_printf(out, "  %s rm %s %s %s\n", plan_get(p, PLAN_docker_command),
                  plan_get(p, PLAN_server_container), plan_get(p, PLAN_ml_container),
                  plan_get(p, PLAN_db_container));
    sb_append(out, _("  then delete its database directory (DB_DATA_LOCATION in .env)"));
    if (strcmp(plan_get(p, PLAN_upload_location), plan_get(p, PLAN_target_location)) != 0)
        sb_printf(out, _(" and the old library %s"), plan_get(p, PLAN_upload_location));
    sb_append(out, _(".\nKeep the backups until you are sure.\n"));
    if (no_archive && strcmp(plan_get(p, PLAN_upload_location), plan_get(p, PLAN_target_location)) != 0)
        sb_printf(out,
                  _("With library_backup = none the old library %s is the only backup of the "
                    "photos: delete it last.\n"),
                  plan_get(p, PLAN_upload_location));
}
