/* Runs every file of the dotenv corpus through the fuzz target once, so `make check` covers
 * the corpus without clang. Usage: fuzz_dotenv_driver [DIR] (default: the source tree's). */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    struct strbuf sb = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_append_len(&sb, buf, n);
    fclose(f);
    LLVMFuzzerTestOneInput((const uint8_t *)sb.buf, sb.len);
    sb_free(&sb);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ABS_TOP_SRCDIR "/tests/fuzz/dotenv-corpus";
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        return 1;
    }
    int files = 0, errors = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        errors += run_file(path) < 0;
        files++;
        free(path);
    }
    closedir(d);
    printf("%d corpus files\n", files);
    /* An empty corpus would test nothing. */
    return errors || files < 5 ? 1 : 0;
}
