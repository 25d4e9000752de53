#include "finish.h"
#include "summary.h"

#include <stdlib.h>

void session_summary(const struct session *s, struct strbuf *out)
{
    /* the artifacts of the journal (none without one) */
    struct stage_ctx ctx = {.journal = s->journal};
    struct verify_result res;
    bool have_result = artifact_verify_result(&ctx, &res);
    char *backup = artifact_backup_archive(&ctx);
    double duration = s->journal ? (double)(now_wall() - journal_started(s->journal)) : 0;
    char *log_path = xasprintf("%s/%s", s->state_dir, MLOG_FILE);
    migration_summary(&s->plan, have_result ? &res : NULL, duration, log_path, backup, out);
    free(log_path);
    free(backup);
}
