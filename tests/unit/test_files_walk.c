/* The tree walker: order, never following symlinks, any byte in names, staying beneath. */
#include "common.h"
#include "files/walk.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static char tmpl[64];
static char root[128], outside[128];

static void make_file(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    free(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpl, sizeof tmpl, "%s/walk.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(tmpl));
    snprintf(root, sizeof root, "%s/root", tmpl);
    snprintf(outside, sizeof outside, "%s/outside", tmpl);
    assert_int_equal(mkdir(root, 0700), 0);
    assert_int_equal(mkdir(outside, 0700), 0);
    make_file(outside, "secret");
    char *p;
    p = xasprintf("%s/a", root);
    assert_int_equal(mkdir(p, 0700), 0);
    free(p);
    p = xasprintf("%s/a b", root);
    assert_int_equal(mkdir(p, 0700), 0);
    free(p);
    p = xasprintf("%s/a", root);
    make_file(p, "z");
    make_file(p, "new\nline");
    free(p);
    make_file(root, "\xff");
    make_file(root, ".immich");
    p = xasprintf("%s/link", root);
    assert_int_equal(symlink(outside, p), 0);
    free(p);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *rm[] = {"root/a/z",     "root/a/new\nline", "root/\xff",
                        "root/.immich", "root/link",        "outside/secret"};
    for (size_t i = 0; i < ARRAY_LEN(rm); i++) {
        char *p = xasprintf("%s/%s", tmpl, rm[i]);
        unlink(p);
        free(p);
    }
    const char *rd[] = {"root/a", "root/a b", "root", "outside"};
    for (size_t i = 0; i < ARRAY_LEN(rd); i++) {
        char *p = xasprintf("%s/%s", tmpl, rd[i]);
        rmdir(p);
        free(p);
    }
    rmdir(tmpl);
    return 0;
}

struct seen {
    struct strbuf list;
    int dirs_after;
};

static enum walk_verdict record(void *ud, const struct walk_entry *e)
{
    struct seen *s = ud;
    sb_append(&s->list, e->path);
    sb_append_char(&s->list, '|');
    if (S_ISDIR(e->st.st_mode))
        assert_true(e->fd >= 0);
    return WALK_CONTINUE;
}

static enum walk_verdict after(void *ud, const struct walk_entry *e)
{
    struct seen *s = ud;
    s->dirs_after++;
    return WALK_CONTINUE;
}

static void test_order_and_symlinks(void **state)
{
    (void)state;
    struct seen s = {0};
    struct walk_ops ops = {.pre = record, .post = after, .ud = &s};
    assert_int_equal(walk_tree(root, &ops), 0);
    /* sorted bytes, a directory's contents right after it, the symlink not entered */
    assert_string_equal(sb_str(&s.list), "|.immich|a|a/new\nline|a/z|a b|link|\xff|");
    assert_int_equal(s.dirs_after, 3);
    sb_free(&s.list);
}

static void test_path_cmp(void **state)
{
    (void)state;
    assert_true(walk_path_cmp("a", "a/z") < 0);
    assert_true(walk_path_cmp("a/z", "a b") < 0); /* walk order, not strcmp order */
    assert_true(strcmp("a/z", "a b") > 0);
    assert_true(walk_path_cmp("a b", "link") < 0);
    assert_int_equal(walk_path_cmp("x/y", "x/y"), 0);
    assert_true(walk_path_cmp("link", "\xff") < 0);
}

static void test_beneath(void **state)
{
    (void)state;
    int rootfd = open(root, O_RDONLY | O_DIRECTORY);
    assert_true(rootfd >= 0);
    struct stat st;
    assert_int_equal(lstat_beneath(rootfd, "a/z", &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(lstat_beneath(rootfd, "link", &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    /* through the symlink: refused */
    errno = 0;
    assert_int_equal(lstat_beneath(rootfd, "link/secret", &st), -1);
    assert_int_equal(open_beneath(rootfd, "link/secret", O_RDONLY), -1);
    assert_int_equal(open_beneath(rootfd, "../outside/secret", O_RDONLY), -1);
    int fd = open_beneath(rootfd, "a/new\nline", O_RDONLY);
    assert_true(fd >= 0);
    close(fd);
    close(rootfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_symlinks),
        cmocka_unit_test(test_path_cmp),
        cmocka_unit_test(test_beneath),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
