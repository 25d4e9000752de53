/* The library stages as the wizard runs them: copy and chown need the backup gate, which
 * holds only after a verified backup; backup -> verify_backup -> copy -> chown then work on plan values and hand their
 * results on as artifacts. */
#include "common.h"
#include "stages/stage.h"
#include "stages/artifact.h"
#include "stages/backup_strategy.h"
#include "sys/spawn.h"

#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char base[64];

static char *at(const char *rel)
{
    return xasprintf("%s/%s", base, rel);
}

static void put(const char *rel, const char *text)
{
    char *p = at(rel);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    free(p);
}

static void dir(const char *rel)
{
    char *p = at(rel);
    assert_int_equal(mkdir(p, 0755), 0);
    free(p);
}

static enum stage_result run(const char *id, struct stage_ctx *ctx, struct strbuf *err)
{
    const struct stage *s = stage_find(id);
    assert_non_null(s);
    sb_reset(err);
    enum stage_result r = s->run(ctx, err);
    if (r == STAGE_FAILED)
        fprintf(stderr, "%s: %s\n", id, sb_str(err));
    return r;
}

static void test_library_stages(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "%s/stages.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(base));
    dir("lib");
    dir("lib/upload");
    put("lib/upload/.immich", "");
    put("lib/upload/a.jpg", "photo");
    dir("nixos");

    struct plan plan;
    plan_init(&plan);
    char *lib = at("lib"), *backup = at("backup"), *target = at("nixos/immich");
    plan_set(&plan, PLAN_upload_location, lib, SRC_TYPED, NULL);
    plan_set(&plan, PLAN_backup_dir, backup, SRC_TYPED, NULL);
    plan_set(&plan, PLAN_target_location, target, SRC_TYPED, NULL);
    struct passwd *pw = getpwuid(geteuid());
    struct group *gr = getgrgid(getegid());
    assert_non_null(pw);
    assert_non_null(gr);
    char *owner = xasprintf("%s:%s", pw->pw_name, gr->gr_name);
    plan_set(&plan, PLAN_media_owner, owner, SRC_TYPED, NULL);
    char *statedir = at("state");
    struct stage_ctx ctx = {.plan = &plan, .assume_yes = true, .state_dir = statedir};
    struct strbuf err = {0};

    /* destructive steps before a verified backup: their backup gate does not hold (the
     * session refuses them, see session.c), nothing created */
    assert_true(stage_gates_missing(stage_find("copy"), &ctx) & GATE_BACKUP);
    assert_true(stage_gates_missing(stage_find("chown"), &ctx) & GATE_BACKUP);
    assert_int_equal(access(target, F_OK), -1);
    assert_true(stage_find("chown")->destructive);

    assert_int_equal(run("backup", &ctx, &err), STAGE_OK);
    const char *archive = stage_artifact(&ctx, "backup_archive");
    assert_non_null(archive);
    assert_int_equal(access(archive, R_OK), 0);
    assert_true(stage_find("backup")->is_done(&ctx));
    assert_true(stage_gates_missing(stage_find("copy"), &ctx) & GATE_BACKUP); /* not verified yet */

    assert_int_equal(run("verify_backup", &ctx, &err), STAGE_OK);
    assert_string_equal(stage_artifact(&ctx, "backup_verified"), "yes");
    assert_false(stage_gates_missing(stage_find("copy"), &ctx) & GATE_BACKUP);
    assert_int_equal(run("copy", &ctx, &err), STAGE_OK);
    char *copied = at("nixos/immich/upload/a.jpg");
    assert_int_equal(access(copied, R_OK), 0);
    assert_int_equal(run("chown", &ctx, &err), STAGE_OK);
    struct stat st;
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    char *manifest = at("state/owners.manifest"); /* saved before the chown */
    assert_int_equal(access(manifest, R_OK), 0);
    free(manifest);

    /* upload_location == target_location: the copy stage has nothing to do */
    plan_set(&plan, PLAN_target_location, lib, SRC_TYPED, NULL);
    assert_int_equal(run("copy", &ctx, &err), STAGE_SKIPPED);

    /* the dry run shows the commands and changes nothing */
    struct strbuf preview = {0};
    stage_find("chown")->preview(&ctx, &preview);
    assert_non_null(strstr(sb_str(&preview), "immich-migrate chown"));
    sb_free(&preview);

    const char *const argv[] = {"rm", "-rf", base, NULL};
    struct child c;
    assert_int_equal(child_start(&c, argv, 0, &err), 0);
    assert_int_equal(child_wait(&c), 0);
    free(copied);
    free(owner);
    free(lib);
    free(backup);
    free(target);
    free(statedir);
    sb_free(&err);
    stage_ctx_free(&ctx);
    plan_free(&plan);
}

/* Issue 12 item 2: the pre-copy writes and verifies the base archive while Immich runs; the
 * backup stage then writes only the catch-up (and the list of removed paths); verify backup
 * reads the catch-up and holds only while the verified base is there. */
static void test_base_and_catchup(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "%s/stages.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(base));
    dir("lib");
    dir("lib/upload");
    put("lib/upload/.immich", "");
    put("lib/upload/a.jpg", "photo");
    put("lib/upload/gone.jpg", "removed later");
    dir("nixos");
    sleep(2); /* the record trusts a ctime only once it is a second old */

    struct plan plan;
    plan_init(&plan);
    char *lib = at("lib"), *backup = at("backup"), *target = at("nixos/immich");
    plan_set(&plan, PLAN_upload_location, lib, SRC_TYPED, NULL);
    plan_set(&plan, PLAN_backup_dir, backup, SRC_TYPED, NULL);
    plan_set(&plan, PLAN_target_location, target, SRC_TYPED, NULL);
    char *statedir = at("state");
    struct stage_ctx ctx = {.plan = &plan, .assume_yes = true, .state_dir = statedir};
    struct strbuf err = {0};

    assert_int_equal(run("precopy", &ctx, &err), STAGE_OK);
    const char *b = stage_artifact(&ctx, "base_archive");
    assert_non_null(b);
    char *base_archive = xstrdup(b);
    assert_non_null(strstr(base_archive, "/immich-library-base-"));
    assert_string_equal(stage_artifact(&ctx, "base_verified"), "yes");
    assert_string_equal(stage_artifact(&ctx, "base_strategy"), "archive");
    char *snap = xasprintf("%s.record", base_archive);
    struct stat st;
    assert_int_equal(stat(snap, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    /* Immich ran on: one new file, one removed */
    put("lib/upload/new.jpg", "new photo");
    char *gone = at("lib/upload/gone.jpg");
    assert_int_equal(unlink(gone), 0);

    assert_int_equal(run("backup", &ctx, &err), STAGE_OK);
    char *archive = xstrdup(stage_artifact(&ctx, "backup_archive"));
    char *want = stage_catchup_name(base_archive);
    assert_string_equal(archive, want);
    assert_string_equal(stage_artifact(&ctx, "backup_base"), base_archive);
    char *removed = xasprintf("%s.removed", archive);
    char list[256] = {0};
    int fd = open(removed, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, list, sizeof list - 1);
    close(fd);
    assert_int_equal(n, (ssize_t)sizeof "upload/gone.jpg");
    assert_string_equal(list, "upload/gone.jpg");

    assert_int_equal(run("verify_backup", &ctx, &err), STAGE_OK);
    assert_string_equal(stage_artifact(&ctx, "backup_verified"), "yes");

    /* without its base, the catch-up is no backup */
    stage_set_artifact(&ctx, "backup_verified", "no");
    char *moved = xasprintf("%s.moved", base_archive);
    assert_int_equal(rename(base_archive, moved), 0);
    assert_int_equal(run("verify_backup", &ctx, &err), STAGE_FAILED);
    assert_non_null(strstr(sb_str(&err), base_archive));
    assert_int_equal(rename(moved, base_archive), 0);
    stage_set_artifact(&ctx, "base_verified", "no");
    assert_int_equal(run("verify_backup", &ctx, &err), STAGE_FAILED);
    assert_non_null(strstr(sb_str(&err), "was not verified"));

    /* A base a kill left unverified and damaged (its manifest cut short): the pre-copy fails
     * on it, leaves it alone and forgets its name, so the next run writes a new one. */
    char *bad = at("backup/immich-library-base-19990101-000000.tar.zst");
    char *bad_manifest = xasprintf("%s.manifest", bad);
    char *base_manifest = xasprintf("%s.manifest", base_archive);
    const char *const cp[] = {"cp", base_archive, bad, NULL};
    const char *const head[] = {"sh", "-c", "head -n 1 \"$0\" >\"$1\"", base_manifest, bad_manifest, NULL};
    struct child c;
    assert_int_equal(child_start(&c, cp, 0, &err), 0);
    assert_int_equal(child_wait(&c), 0);
    assert_int_equal(child_start(&c, head, 0, &err), 0);
    assert_int_equal(child_wait(&c), 0);
    artifact_set_pending(&ctx, ART_base_archive, bad);
    sb_reset(&err);
    assert_int_equal(run("precopy", &ctx, &err), STAGE_FAILED);
    assert_non_null(strstr(sb_str(&err), "the next run writes a new base archive"));
    char *pending = artifact_pending(&ctx, ART_base_archive);
    assert_true(!pending || !*pending);
    free(pending);
    sleep(1); /* a new time stamp */
    assert_int_equal(run("precopy", &ctx, &err), STAGE_OK);
    assert_string_not_equal(stage_artifact(&ctx, "base_archive"), bad);
    assert_string_not_equal(stage_artifact(&ctx, "base_archive"), base_archive);
    assert_string_equal(stage_artifact(&ctx, "base_verified"), "yes");
    assert_int_equal(stat(bad, &st), 0); /* never deleted */

    const char *const argv[] = {"rm", "-rf", base, NULL};
    assert_int_equal(child_start(&c, argv, 0, &err), 0);
    assert_int_equal(child_wait(&c), 0);
    free(bad);
    free(bad_manifest);
    free(base_manifest);
    free(moved);
    free(removed);
    free(want);
    free(archive);
    free(gone);
    free(snap);
    free(base_archive);
    free(lib);
    free(backup);
    free(target);
    free(statedir);
    sb_free(&err);
    stage_ctx_free(&ctx);
    plan_free(&plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_stages),
        cmocka_unit_test(test_base_and_catchup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
