/* Stage "import": loads the fixed dump into the NixOS database through libpq (src/pg).
 * One connection and one transaction, so a failure leaves the target as prepare_db left it.
 * The dump is outside input: it runs in a session logged in as target_db_owner, never as
 * target_dsn's superuser (only prepare_db's fixed statements do). That session uses
 * target_dsn's host and port with user=target_db_owner (its password dropped); as root over
 * a Unix socket it is opened by a child switched to the OS user of that name, for peer
 * authentication as on NixOS, when such a user exists. */
#include "stages/stage.h"
#include "db/asuser.h"
#include "pg/connect.h"
#include "pg/importer.h"
#include "redact.h"
#include "stages/fixed_dump.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The owner's session: target_dsn's settings, user target_db_owner, dbname target_db_name. */
static char *owner_dsn(const struct stage_ctx *ctx)
{
    char *dsn = pg_dsn_for_role(plan_get(ctx->plan, PLAN_target_dsn),
                                plan_get(ctx->plan, PLAN_target_db_owner),
                                plan_get(ctx->plan, PLAN_target_db_name));
    return dsn ? dsn : xstrdup("");
}

static void import_preview(const struct stage_ctx *ctx, struct strbuf *out)
{
    char *dump = artifact_fixed_dump(ctx);
    char *dsn = owner_dsn(ctx);
    char *shown = redact_dup(dsn);
    sb_printf(out,
              _("scan %s: refuse it if it holds anything but SQL and pg_dump's own "
                "backslash lines, or what pg_dump never writes\n"),
              dump && *dump ? dump : _("(the fixed dump)"));
    sb_printf(out,
              _("connect to \"%s\" as the database owner %s (never a superuser); BEGIN; run "
                "every statement of the dump (COPY data streamed), stopping at the first "
                "error\n"),
              shown, plan_get(ctx->plan, PLAN_target_db_owner));
    sb_append(out, "ANALYZE\n");
    sb_append(out, _("check every table's row count against the rows its COPY block sent; COMMIT\n"));
    free(shown);
    free(dsn);
    free(dump);
}

static int work(void *arg, const struct reporter *rep, struct strbuf *err)
{
    return pg_import(arg, rep, err) == 0 ? 0 : 1;
}

static enum stage_result import_run(struct stage_ctx *ctx, struct strbuf *err)
{
    char *dump = artifact_fixed_dump(ctx);
    if (!dump || !*dump) {
        free(dump);
        sb_append(err, _("no fixed dump: the fix-up stage has not run"));
        return STAGE_FAILED;
    }
    /* Opened here, so a child running as postgres can read a file only root may open. */
    int fd = open(dump, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        sb_printf(err, _("cannot open %s: %s"), dump, strerror(errno));
        free(dump);
        return STAGE_FAILED;
    }
    if (fixed_dump_verify(ctx, dump, fd, err) < 0) {
        close(fd);
        free(dump);
        return STAGE_FAILED;
    }
    char *dsn = owner_dsn(ctx);
    const char *owner = plan_get(ctx->plan, PLAN_target_db_owner);
    struct pg_import_options o = {
        .dsn = dsn,
        .path = dump,
        .fd = fd,
        .jobs = 1,
        .single_transaction = PG_TXN_AUTO,
        .target_db = plan_get(ctx->plan, PLAN_target_db_name),
        .owner = owner,
    };
    /* peer authentication: only the OS user of the owner's name gets in as the owner */
    bool as_owner = asuser_needed(dsn) && getpwnam(owner) != NULL;
    if (asuser_needed(dsn) && !as_owner)
        report_msg(ctx->rep, REC_MESSAGE,
                   _("there is no OS user %s: connecting as role %s from this process (peer "
                     "authentication would refuse that)"),
                   owner, owner);
    int rc = as_owner ? asuser_run(owner, work, &o, ctx->rep, err) : work(&o, ctx->rep, err);
    close(fd);
    free(dsn);
    free(dump);
    if (rc != 0 && report_cancelled(ctx->rep))
        return STAGE_CANCELLED;
    return rc == 0 ? STAGE_OK : STAGE_FAILED;
}

const struct stage stage_import = {
    .id = "import",
    .title = N_("Import dump"),
    .describe = N_("Loads the fixed dump into the NixOS PostgreSQL through libpq."),
    .destructive = true,
    .changes = N_("loads the dump into the target database"),
    .effect = N_(
        "Loads the dump into the database {target_db_name} on {target_dsn}, owned by {target_db_owner}. After the import the rollback to Docker is no longer offered."),
    .asks = N_("It does not ask again (Prepare database asked): r starts the import at once."),
    .requires = GATE_CHECKS | GATE_BACKUP | GATE_NIXOS,
    .point_of_no_return = true,
    .preview = import_preview,
    .run = import_run,
};
