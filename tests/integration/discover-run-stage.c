/* Test helper: runs stages (and the rollback) alone, in one process, as the wizard would call
 * them: discover-run-stage -c CONFIG -s STATE_DIR [-n] STEP...
 * STEP is a stage id, "rollback" (docker_rollback_start), "summary" (migration_summary) or
 * "artifacts" (prints the artifacts the discover/start/verify stages set, as the journal
 * writes them) or "set:KEY=VALUE" (sets the artifact KEY from its journal text, as an earlier
 * stage would). With -n, a stage shows its preview, and runs only when it changes nothing
 * (stage.changes NULL: discovery fills the plan for the later previews).
 * Stops at the first failure: prints "FAILED STEP: reason" on stderr and exits 1; a stage that
 * had nothing to do prints "SKIPPED STEP" (else "OK STEP"). */
#include "common.h"
#include "discover/docker.h"
#include "report.h"
#include "stages/stage.h"
#include "summary.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool dry_run;

static int run_step(struct stage_ctx *ctx, const char *step)
{
    struct strbuf err = {0};
    int rc = 0;
    if (strcmp(step, "rollback") == 0) {
        rc = docker_rollback_start(ctx->plan, ctx->rep, &err) == 0 ? 0 : 1;
    } else if (strncmp(step, "set:", 4) == 0 && strchr(step, '=')) {
        char *key = xstrndup(step + 4, (size_t)(strchr(step, '=') - step - 4));
        rc = stage_set_artifact(ctx, key, strchr(step, '=') + 1);
        if (rc < 0)
            fprintf(stderr, "no artifact %s\n", key);
        free(key);
        return rc < 0 ? 2 : 0;
    } else if (strcmp(step, "artifacts") == 0) {
        static const enum artifact keys[] = {
            ART_upload_mount,      ART_external_mounts,         ART_source_version,
            ART_source_extensions, ART_source_vector_extension, ART_dangling_paths_file,
            ART_immich_started_at, ART_verify_result,           ART_fixed_dump,
            ART_fixed_dump_sha256};
        for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
            char *v = artifact_text(ctx, keys[i]);
            if (v)
                printf("%s=%s\n", artifact_name(keys[i]), v);
            free(v);
        }
    } else if (strcmp(step, "summary") == 0) {
        struct strbuf out = {0};
        struct verify_result res;
        bool have = artifact_verify_result(ctx, &res);
        struct summary_facts f = {
            .res = have ? &res : NULL, .duration_seconds = 3725, .log_path = "/var/log/x.log"};
        migration_summary(ctx->plan, &f, &out);
        fputs(sb_str(&out), stdout);
        sb_free(&out);
    } else {
        const struct stage *st = stage_find(step);
        if (!st) {
            fprintf(stderr, "no stage %s\n", step);
            return 2;
        }
        if (dry_run) {
            struct strbuf out = {0};
            st->preview(ctx, &out);
            fputs(sb_str(&out), stdout);
            sb_free(&out);
        }
        if (!dry_run || !st->changes) {
            enum stage_result r = st->run(ctx, &err);
            if (r == STAGE_SKIPPED) {
                printf("SKIPPED %s\n", step);
                return 0;
            }
            rc = r == STAGE_OK ? 0 : 1;
        }
    }
    if (rc)
        fprintf(stderr, "FAILED %s: %s\n", step, sb_str(&err));
    else
        printf("OK %s\n", step);
    sb_free(&err);
    return rc;
}

int main(int argc, char **argv)
{
    const char *config = NULL, *state_dir = NULL;
    int c;
    while ((c = getopt(argc, argv, "c:s:n")) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 's': state_dir = optarg; break;
        case 'n': dry_run = true; break;
        default: return 2;
        }
    }
    if (!config || optind >= argc)
        return 2;
    struct plan plan;
    plan_init(&plan);
    struct strbuf err = {0};
    if (plan_load_file(&plan, config, &err) != 0) {
        fprintf(stderr, "%s\n", sb_str(&err));
        return 2;
    }
    struct reporter rep;
    struct cli_reporter_state st;
    cli_reporter_init(&rep, &st, "test", true);
    st.quiet_progress = true;
    struct stage_ctx ctx = {.plan = &plan, .rep = &rep, .assume_yes = true, .state_dir = state_dir};
    int rc = 0;
    for (int i = optind; i < argc && rc == 0; i++)
        rc = run_step(&ctx, argv[i]);
    stage_ctx_free(&ctx);
    plan_free(&plan);
    sb_free(&err);
    return rc;
}
