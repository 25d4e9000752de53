#include "rollback.h"
#include "discover/docker.h"
#include "files/owners.h"
#include "sys/spawn.h"

#include <stdlib.h>
#include <unistd.h>

bool rollback_possible(const struct session *s, const struct stage *failed_stage)
{
    const struct stage *stop = stage_stopping_source();
    if (!s->journal || !failed_stage || !stop || journal_status(s->journal, stop->id) != ST_DONE)
        return false;
    size_t n;
    const struct stage *const *list = stage_list(&n);
    for (size_t i = 0; i < n; i++) {
        if (list[i]->point_of_no_return)
            return false; /* reached the import first: too late to go back */
        if (list[i] == failed_stage)
            return true;
    }
    return false;
}

struct rollback_tee {
    struct session *s;
    const struct reporter *outer;
};

static void tee_record(void *ud, const struct record *rec)
{
    struct rollback_tee *t = ud;
    mlog_write(t->s->log, "rollback", rec);
    report_record(t->outer, rec);
}

int rollback_start_docker(struct session *s, const struct reporter *outer, struct strbuf *err)
{
    struct rollback_tee t = {s, outer};
    struct reporter rep = {.on_record = tee_record, .ud = &t};
    report_msg(&rep, REC_MESSAGE, _("Starting the Docker containers again (rollback)"));
    int rc = docker_rollback_start(&s->plan, &rep, err);
    if (rc == 0) {
        /* The containers run again: a later run must stop them again. */
        const struct stage *stop = stage_stopping_source();
        if (s->journal && stop) {
            journal_set_status(s->journal, stop->id, ST_PENDING, _("Docker started again (rollback)"));
            struct strbuf save = {0};
            journal_save(s->journal, &save);
            sb_free(&save);
        }
        report_msg(&rep, REC_MESSAGE,
                   _("The Docker installation runs again; nothing else was changed."));
    } else {
        report_msg(&rep, REC_ERROR, _("Rollback failed: %s"), sb_str(err));
    }
    return rc;
}

int rollback_restore_owners(struct session *s, const struct reporter *outer, struct strbuf *err)
{
    struct rollback_tee t = {s, outer};
    struct reporter rep = {.on_record = tee_record, .ud = &t};
    report_msg(&rep, REC_MESSAGE,
               _("Putting back the library's owners and modes from before chown (rollback)"));
    struct owners_stats stats = {0};
    int rc = owners_restore(s->state_dir, &rep, &stats, err);
    if (rc == 0) {
        const struct stage *chown = stage_saving_owners();
        if (s->journal && chown) {
            journal_set_status(s->journal, chown->id, ST_PENDING,
                               _("owners and modes put back (rollback)"));
            struct strbuf save = {0};
            journal_save(s->journal, &save);
            sb_free(&save);
        }
        report_msg(&rep, REC_MESSAGE,
                   _("The library has its owners and modes from before chown again (%llu entries)."),
                   (unsigned long long)stats.restored);
    } else {
        report_msg(&rep, REC_ERROR, _("Rollback failed: %s"), sb_str(err));
    }
    return rc;
}

char *rollback_owners_hint(const struct session *s)
{
    char *manifest = owners_manifest_path(s->state_dir);
    bool there = access(manifest, F_OK) == 0;
    free(manifest);
    if (!there)
        return NULL;
    const char *argv[] = {"immich-migrate", "restore-owners", "--state-dir", s->state_dir, NULL};
    struct strbuf cmd = {0};
    argv_format(argv, &cmd);
    char *hint = xasprintf(_("The library's owners and modes from before chown are saved; to put "
                             "them back: %s"),
                           sb_str(&cmd));
    sb_free(&cmd);
    return hint;
}
