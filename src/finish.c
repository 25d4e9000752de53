#include "finish.h"
#include "downtime.h"
#include "stages/nixos.h"
#include "summary.h"
#include "sys/spawn.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void session_review_command(const struct session *s, struct strbuf *out)
{
    const char *argv[] = {"immich-migrate", "--review", "--state-dir", s->state_dir, NULL};
    if (strcmp(s->state_dir, SESSION_DEFAULT_STATE_DIR) == 0)
        argv[2] = NULL;
    argv_format(argv, out);
}

void session_nixos_settings(struct session *s, struct strbuf *out)
{
    struct stage_ctx ctx = {.plan = &s->plan, .state_dir = s->state_dir, .journal = s->journal};
    stage_nixos_snippet(&ctx, out);
}

char *session_write_nixos_settings(struct session *s, struct strbuf *err)
{
    if (s->opt->dry_run)
        return NULL;
    struct stage_ctx ctx = {.plan = &s->plan, .state_dir = s->state_dir, .journal = s->journal};
    return stage_nixos_write_settings(&ctx, err);
}

void session_result(const struct session *s, struct strbuf *out)
{
    /* the artifacts of the journal (none without one) */
    struct stage_ctx ctx = {.journal = s->journal};
    struct verify_result res;
    bool have_result = artifact_verify_result(&ctx, &res);
    char *archive = artifact_backup_archive(&ctx);
    char *base = artifact_backup_base(&ctx);
    char *dump = artifact_dump_file(&ctx);
    char *log_path = xasprintf("%s/%s", s->state_dir, MLOG_FILE);
    char *nixos = xasprintf("%s/%s", s->state_dir, NIXOS_SETTINGS_FILE);
    struct strbuf review = {0};
    session_review_command(s, &review);
    double down = migration_downtime_in(s->state_dir);
    struct summary_facts f = {
        .res = have_result ? &res : NULL,
        .duration_seconds = s->journal ? (double)(now_wall() - journal_started(s->journal)) : 0,
        .downtime_known = down >= 0,
        .downtime_seconds = down,
        .log_path = log_path,
        .archive_path = archive,
        .base_path = base,
        .dump_path = dump,
        .nixos_file = access(nixos, R_OK) == 0 ? nixos : NULL,
        .review_command = sb_str(&review),
    };
    migration_summary(&s->plan, &f, out);
    sb_free(&review);
    free(nixos);
    free(log_path);
    free(dump);
    free(base);
    free(archive);
}

void session_summary(const struct session *s, struct strbuf *out)
{
    sb_append(out, _("Migration finished.\n"));
    session_result(s, out);
}
