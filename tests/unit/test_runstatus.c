/* What a detached run leaves for a viewer in another session: the status file (written only
 * once detached, 0600, read back field by field, removed at the end and when stale), the lock
 * holder seen without taking the lock, and the log read on from an offset. */
#include "common.h"
#include "journal.h"
#include "mlog.h"
#include "runstatus.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *make_dir(void)
{
    char *tmpl = xstrdup("/tmp/im-runstatus-XXXXXX");
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

static bool status_exists(const char *dir)
{
    char *p = xasprintf("%s/%s", dir, RUNSTATUS_FILE);
    bool yes = access(p, F_OK) == 0;
    free(p);
    return yes;
}

static void test_written_only_when_detached(void **state)
{
    (void)state;
    char *dir = make_dir();
    struct runstatus *rs = runstatus_new(dir);
    runstatus_stage_started(rs, "backup");
    struct progress p = {.unit = "bytes", .done = 10, .total = 100, .current = "a\tb\nc"};
    runstatus_progress(rs, &p);
    assert_false(status_exists(dir));
    struct runstatus_info info;
    assert_int_equal(runstatus_read(dir, &info), -1);

    runstatus_detach(rs);
    assert_true(status_exists(dir));
    char *path = xasprintf("%s/%s", dir, RUNSTATUS_FILE);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    free(path);
    assert_int_equal(runstatus_read(dir, &info), 0);
    assert_int_equal(info.pid, (long)getpid());
    assert_string_equal(info.stage_id, "backup");
    assert_false(info.ended);
    assert_true(info.have_progress);
    assert_string_equal(info.unit, "bytes");
    assert_int_equal(info.done, 10);
    assert_int_equal(info.total, 100);
    assert_string_equal(info.current, "a\tb\nc");
    runstatus_info_free(&info);

    runstatus_stage_ended(rs, 1);
    assert_int_equal(runstatus_read(dir, &info), 0);
    assert_true(info.ended);
    assert_int_equal(info.result, 1);
    assert_null(info.current);
    runstatus_info_free(&info);

    runstatus_free(rs);
    assert_false(status_exists(dir));
    remove_dir(dir);
    free(dir);
}

static void test_stale_file_removed(void **state)
{
    (void)state;
    char *dir = make_dir();
    struct runstatus *rs = runstatus_new(dir);
    runstatus_detach(rs);
    assert_true(status_exists(dir));
    /* a killed process never frees it: the next owner of the lock removes the file */
    struct runstatus *next = runstatus_new(dir);
    assert_false(status_exists(dir));
    runstatus_free(next);
    runstatus_free(rs);
    remove_dir(dir);
    free(dir);
}

static void test_lock_holder(void **state)
{
    (void)state;
    char *dir = make_dir();
    assert_int_equal(journal_lock_holder(dir), 0); /* no lock file */
    struct strbuf err = {0};
    int fd = journal_lock(dir, &err);
    assert_true(fd >= 0);
    assert_int_equal(journal_lock_holder(dir), (long)getpid());
    journal_unlock(fd);
    assert_int_equal(journal_lock_holder(dir), 0);
    /* looking took nothing: the lock can be taken again */
    fd = journal_lock(dir, &err);
    assert_true(fd >= 0);
    journal_unlock(fd);
    sb_free(&err);
    remove_dir(dir);
    free(dir);
}

static void log_line(struct mlog *log, const char *text)
{
    struct record rec = RECORD_INIT(REC_MESSAGE, text);
    mlog_write(log, "backup", &rec);
}

static void test_log_read_on(void **state)
{
    (void)state;
    char *dir = make_dir();
    struct strbuf err = {0};
    struct mlog *log = mlog_open(dir, &err);
    assert_non_null(log);
    log_line(log, "one");
    log_line(log, "two");
    uint64_t off = 0;
    struct mlog_entries e;
    assert_int_equal(mlog_read_new(dir, &off, 1 << 20, &e, &err), 0);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.v[1].text, "two");
    mlog_entries_free(&e);
    assert_int_equal(mlog_read_new(dir, &off, 1 << 20, &e, &err), 0);
    assert_int_equal(e.n, 0); /* nothing new */
    log_line(log, "three");
    /* a record half written is left for the next read */
    char *path = xasprintf("%s/%s", dir, MLOG_FILE);
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "1\tbackup\tmess", 13), 13);
    assert_int_equal(mlog_read_new(dir, &off, 1 << 20, &e, &err), 0);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.v[0].text, "three");
    mlog_entries_free(&e);
    assert_int_equal(write(fd, "age\t-1\t-1.000\t-1\t-1\tfour\n", 25), 25);
    close(fd);
    assert_int_equal(mlog_read_new(dir, &off, 1 << 20, &e, &err), 0);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.v[0].text, "four");
    mlog_entries_free(&e);
    /* from the start of a long log, only its end; the line cut by the limit is dropped */
    for (int i = 0; i < 1000; i++)
        log_line(log, "filler");
    log_line(log, "last");
    off = 0;
    assert_int_equal(mlog_read_new(dir, &off, 200, &e, &err), 0);
    assert_true(e.n >= 1 && e.n < 10);
    assert_string_equal(e.v[e.n - 1].text, "last");
    for (size_t i = 0; i + 1 < e.n; i++)
        assert_string_equal(e.v[i].text, "filler");
    mlog_entries_free(&e);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(off, (uint64_t)sb.st_size);
    free(path);
    mlog_close(log);
    sb_free(&err);
    remove_dir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_only_when_detached),
        cmocka_unit_test(test_stale_file_removed),
        cmocka_unit_test(test_lock_holder),
        cmocka_unit_test(test_log_read_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
