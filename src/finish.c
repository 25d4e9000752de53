#include "finish.h"
#include "summary.h"

#include <stdlib.h>

void session_summary(const struct session *s, struct strbuf *out)
{
    struct verify_result res;
    char *verified = s->journal ? journal_artifact(s->journal, "verify_result") : NULL;
    char *backup = s->journal ? journal_artifact(s->journal, "backup_archive") : NULL;
    bool have_result = verify_result_from_artifact(verified, &res);
    double duration = s->journal ? (double)(now_wall() - journal_started(s->journal)) : 0;
    char *log_path = xasprintf("%s/%s", s->state_dir, MLOG_FILE);
    migration_summary(&s->plan, have_result ? &res : NULL, duration, log_path, backup, out);
    free(log_path);
    free(verified);
    free(backup);
}
