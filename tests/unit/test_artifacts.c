/* The typed artifacts: each type's text is the one the journal always had (an older journal
 * resumes), a value set is read back typed, through the journal or the context's memory. */
#include "common.h"
#include "journal.h"
#include "stages/stage.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void test_texts(void **state)
{
    (void)state;
    struct strbuf out = {0};
    struct ext_mounts m = {0};
    ext_mounts_add(&m, "/mnt/photos", "/srv/photos");
    ext_mounts_add(&m, "/mnt/a;b", "/srv/x"); /* cannot be written: left out */
    ext_mounts_add(&m, "/mnt/nas", "/mnt/nas/pictures");
    artifact_encode_mounts(&m, &out);
    assert_string_equal(sb_str(&out), "/mnt/photos=/srv/photos;/mnt/nas=/mnt/nas/pictures");
    ext_mounts_free(&m);
    assert_int_equal(artifact_decode_mounts(sb_str(&out), &m, &out), 0);
    assert_int_equal(m.n, 2);
    assert_string_equal(m.v[1].container, "/mnt/nas");
    assert_string_equal(m.v[1].host, "/mnt/nas/pictures");
    ext_mounts_free(&m);
    sb_reset(&out);
    assert_int_equal(artifact_decode_mounts("/a=/b;nonsense", &m, &out), -1);
    assert_non_null(strstr(sb_str(&out), "nonsense"));
    assert_int_equal(m.n, 0);

    struct verify_result r = {.assets = 3, .present = 5, .bytes = 1024, .missing = 1, .dangling = 2};
    sb_reset(&out);
    artifact_encode_verify(&r, &out);
    assert_string_equal(sb_str(&out), "assets=3;files=5;bytes=1024;missing=1;dangling=2");
    struct verify_result back;
    assert_int_equal(artifact_decode_verify(sb_str(&out), &back), 0);
    assert_true(back.assets == 3 && back.present == 5 && back.bytes == 1024 && back.missing == 1 &&
                back.dangling == 2);
    assert_int_equal(artifact_decode_verify("assets=3", &back), -1);

    sb_reset(&out);
    artifact_encode_flag(false, &out);
    assert_string_equal(sb_str(&out), "no");
    assert_true(artifact_decode_flag("yes"));
    assert_false(artifact_decode_flag("no"));
    sb_free(&out);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(artifact_name(ART_dump_file), "dump_file");
    assert_string_equal(artifact_pending_name(ART_backup_archive), "backup_archive.pending");
    assert_int_equal(artifact_by_name("fixed_dump_sha256"), ART_fixed_dump_sha256);
    assert_int_equal(artifact_by_name("nonsense"), -1);
}

static void test_memory(void **state)
{
    (void)state;
    struct stage_ctx ctx = {0};
    assert_null(artifact_dump_file(&ctx));
    assert_false(artifact_backup_verified(&ctx));
    artifact_set_dump_file(&ctx, "/b/one.sql.zst");
    artifact_set_dump_file(&ctx, "/b/two.sql.zst"); /* replaced, not leaked */
    artifact_set_backup_verified(&ctx, true);
    char *f = artifact_dump_file(&ctx);
    assert_string_equal(f, "/b/two.sql.zst");
    free(f);
    assert_true(artifact_backup_verified(&ctx));
    assert_string_equal(stage_artifact(&ctx, "backup_verified"), "yes");
    assert_int_equal(stage_set_artifact(&ctx, "external_mounts", "/m=/h"), 0);
    assert_int_equal(stage_set_artifact(&ctx, "nonsense", "x"), -1);
    struct ext_mounts m;
    struct strbuf err = {0};
    assert_int_equal(artifact_external_mounts(&ctx, &m, &err), 1);
    assert_int_equal(m.n, 1);
    ext_mounts_free(&m);
    struct verify_result r;
    assert_false(artifact_verify_result(&ctx, &r));
    char *path = stage_claim_output(&ctx, ART_backup_archive, xstrdup("/b/lib-1.tar.zst"), &err);
    assert_string_equal(path, "/b/lib-1.tar.zst");
    free(path);
    /* killed before commit: the next claim reuses the pending name */
    path = stage_claim_output(&ctx, ART_backup_archive, xstrdup("/b/lib-2.tar.zst"), &err);
    assert_string_equal(path, "/b/lib-1.tar.zst");
    stage_commit_output(&ctx, ART_backup_archive, path);
    free(path);
    char *pending = artifact_pending(&ctx, ART_backup_archive);
    assert_string_equal(pending, "");
    free(pending);
    sb_free(&err);
    stage_ctx_free(&ctx);
}

/* The preview's name is the claimed one while it fits (same directory, same kind); claiming
 * again reuses it; another kind or directory gets the fresh name. */
static void test_output_names(void **state)
{
    (void)state;
    struct stage_ctx ctx = {0};
    struct strbuf err = {0};
    char *name = stage_output_name(&ctx, ART_backup_archive, xstrdup("/b/immich-library-1.tar.zst"));
    assert_string_equal(name, "/b/immich-library-1.tar.zst"); /* nothing claimed: fresh */
    free(name);
    assert_null(artifact_pending(&ctx, ART_backup_archive)); /* and nothing changed */
    free(stage_claim_output(&ctx, ART_backup_archive, xstrdup("/b/immich-library-1.tar.zst"), &err));
    name = stage_output_name(&ctx, ART_backup_archive, xstrdup("/b/immich-library-2.tar.zst"));
    assert_string_equal(name, "/b/immich-library-1.tar.zst");
    free(name);
    name = stage_output_name(&ctx, ART_backup_archive, xstrdup("/b/immich-originals-2.tar.zst"));
    assert_string_equal(name, "/b/immich-originals-2.tar.zst");
    free(name);
    name = stage_output_name(&ctx, ART_backup_archive, xstrdup("/c/immich-library-2.tar.zst"));
    assert_string_equal(name, "/c/immich-library-2.tar.zst");
    free(name);
    name = stage_claim_output(&ctx, ART_backup_archive, xstrdup("/b/immich-originals-3.tar.zst"), &err);
    assert_string_equal(name, "/b/immich-originals-3.tar.zst");
    free(name);
    char *pending = artifact_pending(&ctx, ART_backup_archive);
    assert_string_equal(pending, "/b/immich-originals-3.tar.zst");
    free(pending);
    /* done: the preview names the file written */
    stage_commit_output(&ctx, ART_backup_archive, "/b/immich-originals-3.tar.zst");
    name = stage_output_name(&ctx, ART_backup_archive, xstrdup("/b/immich-originals-4.tar.zst"));
    assert_string_equal(name, "/b/immich-originals-3.tar.zst");
    free(name);
    sb_free(&err);
    stage_ctx_free(&ctx);
}

static void test_journal(void **state)
{
    (void)state;
    struct plan p;
    plan_init(&p);
    struct journal *j = journal_create("/nonexistent", &p);
    /* a journal written before: its texts are read typed */
    journal_set_artifact(j, "verify_result", "assets=7;files=9;bytes=10;missing=0;dangling=1");
    journal_set_artifact(j, "library_copied", "yes");
    struct stage_ctx ctx = {.plan = &p, .journal = j};
    struct verify_result r;
    assert_true(artifact_verify_result(&ctx, &r));
    assert_true(r.assets == 7 && r.present == 9 && r.dangling == 1);
    assert_true(artifact_library_copied(&ctx));
    artifact_set_fixed_dump(&ctx, "/b/fixed.sql");
    char *v = journal_artifact(j, "fixed_dump");
    assert_string_equal(v, "/b/fixed.sql");
    free(v);
    assert_null(ctx.memory.text[ART_fixed_dump]); /* the journal holds it */
    journal_free(j);
    plan_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_texts),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_output_names),
        cmocka_unit_test(test_journal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
