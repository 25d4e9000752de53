/* Runs a libFuzzer target once over every file of its corpus, so `make check` covers the
 * corpus without clang. Usage: DRIVER [DIR]; the default DIR is FUZZ_CORPUS (set at build
 * time, relative to the source tree). Fails on an unreadable file or a corpus under 5 files. */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_CORPUS
#error "FUZZ_CORPUS must name the corpus directory under the source tree"
#endif

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
    const char *dir = argc > 1 ? argv[1] : ABS_TOP_SRCDIR "/" FUZZ_CORPUS;
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
    printf("%s: %d corpus files\n", dir, files);
    return errors || files < 5 ? 1 : 0;
}
