/* The journal survives a crash at any point (atomic replace), the lock stops a second
 * instance and names its pid, and the log never holds a password. */
#include "common.h"
#include "journal.h"
#include "mlog.h"
#include "report_md.h"
#include "textesc.h"
#include "redact.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *make_dir(void)
{
    char *tmpl = xstrdup("/tmp/im-journal-XXXXXX");
    assert_non_null(mkdtemp(tmpl));
    return tmpl;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static void test_round_trip(void **state)
{
    char *dir = make_dir();
    struct plan p;
    struct strbuf err = {0};
    plan_init(&p);
    plan_set(&p, PLAN_upload_location, "/srv/lib", SRC_DISCOVERED, NULL);
    struct journal *j = journal_create(dir, &p);
    journal_set_status(j, "dump", ST_DONE, NULL);
    journal_set_status(j, "fixup", ST_FAILED, "bad\tthing\nhappened");
    journal_set_artifact(j, "dump_file", "/backup/immich one.sql.zst");
    assert_int_equal(journal_save(j, &err), 0);
    journal_free(j);

    j = journal_load(dir, &err);
    assert_non_null(j);
    assert_int_equal(journal_status(j, "dump"), ST_DONE);
    assert_int_equal(journal_status(j, "fixup"), ST_FAILED);
    assert_int_equal(journal_status(j, "never-seen"), ST_PENDING);
    struct strbuf reason = {0};
    journal_reason(j, "fixup", &reason);
    assert_string_equal(sb_str(&reason), "bad\tthing\nhappened");
    char *a = journal_artifact(j, "dump_file");
    assert_string_equal(a, "/backup/immich one.sql.zst");
    assert_string_equal(plan_get(journal_plan(j), PLAN_upload_location), "/srv/lib");
    assert_int_equal(journal_plan(j)->v[PLAN_upload_location].source, SRC_DISCOVERED);
    const char *ids[] = {"dump", "fixup"};
    assert_true(journal_unfinished(j, ids, 2));
    journal_set_status(j, "fixup", ST_SKIPPED, NULL);
    assert_false(journal_unfinished(j, ids, 2));

    /* The file is private. */
    char *path = xasprintf("%s/journal", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(path);
    free(a);
    sb_free(&reason);
    journal_free(j);
    plan_free(&p);
    sb_free(&err);
    remove_dir(dir);
    free(dir);
}

/* A writer killed at random moments never leaves a journal that fails to load or that
 * holds anything but one of the versions it wrote. */
static void test_atomic_under_kill(void **state)
{
    char *dir = make_dir();
    for (int round = 0; round < 20; round++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            struct plan p;
            plan_init(&p);
            struct journal *j = journal_create(dir, &p);
            struct strbuf err = {0};
            for (int i = 0;; i++) {
                char v[32];
                snprintf(v, sizeof v, "%d", i);
                journal_set_artifact(j, "counter", v);
                journal_set_artifact(
                    j, "pad",
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
                if (journal_save(j, &err) < 0)
                    _exit(3);
            }
        }
        usleep(2000 + (useconds_t)(rand() % 8000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
        struct strbuf err = {0};
        struct journal *j = journal_load(dir, &err);
        if (!j) {
            /* Killed before the first save completed: there is simply no journal yet. */
            assert_int_equal(err.len, 0);
        } else {
            char *c = journal_artifact(j, "counter");
            assert_non_null(c);
            journal_free(j);
            free(c);
        }
        sb_free(&err);
    }
    /* Temp files of killed writers may remain; they never replace the journal. */
    remove_dir(dir);
    free(dir);
}

static void test_lock_names_pid(void **state)
{
    char *dir = make_dir();
    struct strbuf err = {0};
    int fd = journal_lock(dir, &err);
    assert_true(fd >= 0);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct strbuf e = {0};
        int fd2 = journal_lock(dir, &e);
        char mypid[32];
        snprintf(mypid, sizeof mypid, "pid %ld", (long)getppid());
        bool ok = fd2 < 0 && strstr(sb_str(&e), mypid) != NULL;
        _exit(ok ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    journal_unlock(fd);
    /* Released: the next one gets it. */
    fd = journal_lock(dir, &err);
    assert_true(fd >= 0);
    journal_unlock(fd);
    close(pipefd[0]);
    close(pipefd[1]);
    sb_free(&err);
    remove_dir(dir);
    free(dir);
}

static void touch_in(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    free(p);
}

/* Whoever takes the lock removes the temporaries a killed writer left in the state directory
 * (any file replaced through atomic_write_file, not only the journal), and nothing else. */
static void test_lock_removes_stale_temps(void **state)
{
    char *dir = make_dir();
    const char *stale[] = {"journal.tmp.Ab12Cd", "nixos-immich.nix.tmp.Mra4Sq", "status.tmp.x1y2z3"};
    const char *kept[] = {"notes.tmp", "journal.tmp.short", "nixos-immich.nix", "a.tmp.toolong1"};
    for (size_t i = 0; i < 3; i++)
        touch_in(dir, stale[i]);
    for (size_t i = 0; i < 4; i++)
        touch_in(dir, kept[i]);
    struct strbuf err = {0};
    int fd = journal_lock(dir, &err);
    assert_true(fd >= 0);
    for (size_t i = 0; i < 3; i++) {
        char *p = xasprintf("%s/%s", dir, stale[i]);
        assert_int_equal(access(p, F_OK), -1);
        free(p);
    }
    for (size_t i = 0; i < 4; i++) {
        char *p = xasprintf("%s/%s", dir, kept[i]);
        assert_int_equal(access(p, F_OK), 0);
        free(p);
    }
    journal_unlock(fd);
    sb_free(&err);
    remove_dir(dir);
    free(dir);
}

static void test_log_redacts_and_is_private(void **state)
{
    char *dir = make_dir();
    struct strbuf err = {0};
    redact_add_secret("s3cr3t-from-env");
    struct mlog *log = mlog_open(dir, &err);
    assert_non_null(log);
    const char *argv[] = {"psql", "host=/run/postgresql password=hunter22 dbname=immich", NULL};
    struct record rec = RECORD_INIT(REC_COMMAND, "psql");
    rec.argv = argv;
    rec.exit_status = 0;
    mlog_write(log, "import", &rec);
    struct record m = RECORD_INIT(
        REC_MESSAGE,
        "DB_PASSWORD=s3cr3t-from-env and postgres://immich:pw123@db/immich and again s3cr3t-from-env");
    mlog_write(log, "discover", &m);
    struct record multi = RECORD_INIT(REC_SQL, "SELECT 1;\n\tSELECT 2;");
    mlog_write(log, "prepare_db", &multi);
    mlog_close(log);

    char *path = xasprintf("%s/%s", dir, MLOG_FILE);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    FILE *f = fopen(path, "r");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_null(strstr(buf, "hunter22"));
    assert_null(strstr(buf, "s3cr3t-from-env"));
    assert_null(strstr(buf, "pw123"));
    assert_non_null(strstr(buf, REDACTED));

    struct mlog_entries e;
    assert_int_equal(mlog_read(dir, &e, &err), 0);
    assert_int_equal(e.n, 3);
    assert_string_equal(e.v[0].stage, "import");
    assert_int_equal(e.v[0].kind, REC_COMMAND);
    assert_int_equal(e.v[0].exit_status, 0);
    assert_non_null(strstr(e.v[0].text, "dbname=immich"));
    assert_string_equal(e.v[2].text, "SELECT 1;\n\tSELECT 2;");
    mlog_entries_free(&e);
    free(path);
    sb_free(&err);
    redact_forget_all();
    remove_dir(dir);
    free(dir);
}

/* Editing a DSN shown redacted: the password comes back unless the user typed a new one. */
static void test_redact_restore(void **state)
{
    (void)state;
    const char *dsn = "host=/run/postgresql password=s3cret user=postgres";
    char *got = redact_restore("host=/tmp password=" REDACTED " user=postgres", dsn);
    assert_string_equal(got, "host=/tmp password=s3cret user=postgres");
    free(got);
    got = redact_restore("host=/tmp password=new1", dsn); /* typed anew */
    assert_string_equal(got, "host=/tmp password=new1");
    free(got);
    got = redact_restore("host=/tmp", dsn); /* password removed */
    assert_string_equal(got, "host=/tmp");
    free(got);
    /* two secrets: which one the asterisks stand for cannot be told */
    assert_null(redact_restore("password=" REDACTED, "password=a1 PGPASSWORD=b2"));
    assert_null(redact_restore(REDACTED " " REDACTED, dsn));
}

/* Outside text (file names, libarchive's words) reaches the log and the Markdown report with
 * its control bytes escaped: no terminal escape or carriage return acts when it is shown. */
static void test_log_and_report_escape_controls(void **state)
{
    (void)state;
    char *dir = make_dir();
    struct strbuf err = {0};
    struct mlog *log = mlog_open(dir, &err);
    assert_non_null(log);
    struct record rec = RECORD_INIT(REC_WARNING, "lib/\033[31mred\r\302\233x.jpg: bad\nnext\tline");
    mlog_write(log, "backup", &rec);
    struct record e = RECORD_INIT(REC_ERROR, "cannot open \033]0;title\007");
    mlog_write(log, "backup", &e);
    mlog_close(log);
    char *path = xasprintf("%s/report.md", dir);
    FILE *f = fopen(path, "w+");
    assert_int_equal(report_markdown(dir, f, &err), 0);
    rewind(f);
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_null(memchr(buf, '\033', n));
    assert_null(memchr(buf, '\r', n));
    assert_null(memchr(buf, '\007', n));
    assert_null(strstr(buf, "\302\233"));
    assert_non_null(strstr(buf, "lib/\\x1b[31mred\\x0d\\xc2\\x9bx.jpg: bad"));
    assert_non_null(strstr(buf, "cannot open \\x1b]0;title\\x07"));
    struct strbuf esc = {0};
    ctl_escape("a\nb\tc\x7f", false, &esc);
    assert_string_equal(sb_str(&esc), "a\\x0ab\\x09c\\x7f");
    sb_reset(&esc);
    ctl_escape("a\nb\tc", true, &esc);
    assert_string_equal(sb_str(&esc), "a\nb\tc");
    sb_free(&esc);
    unlink(path);
    free(path);
    sb_free(&err);
    remove_dir(dir);
    free(dir);
}

static void test_redaction_rules(void **state)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"host=x password=abc dbname=y", "host=x password=" REDACTED " dbname=y"},
        {"password='a b c' user=u", "password=" REDACTED " user=u"},
        {"PGPASSWORD=xyz psql", "PGPASSWORD=" REDACTED " psql"},
        {"DB_PASSWORD = \"q w\"", "DB_PASSWORD = " REDACTED},
        {"postgresql://u:p%40ss@h:5432/db", "postgresql://u:" REDACTED "@h:5432/db"},
        {"postgres://u@h/db", "postgres://u@h/db"},
        {"no secrets here", "no secrets here"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *got = redact_dup(cases[i].in);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_atomic_under_kill),
        cmocka_unit_test(test_lock_names_pid),
        cmocka_unit_test(test_lock_removes_stale_temps),
        cmocka_unit_test(test_log_redacts_and_is_private),
        cmocka_unit_test(test_log_and_report_escape_controls),
        cmocka_unit_test(test_redaction_rules),
        cmocka_unit_test(test_redact_restore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
