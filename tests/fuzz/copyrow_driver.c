/* Runs the copyrow fuzz target over its corpus without libFuzzer (part of make check):
 * every file in tests/fuzz/copyrow-corpus, or the files named on the command line. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    struct strbuf sb = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_append_len(&sb, buf, n);
    fclose(f);
    LLVMFuzzerTestOneInput((const uint8_t *)sb_str(&sb), sb.len);
    sb_free(&sb);
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0, count = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++, count++)
            bad |= run_file(argv[i]);
    } else {
        const char *dir = ABS_TOP_SRCDIR "/tests/fuzz/copyrow-corpus";
        DIR *d = opendir(dir);
        if (!d) {
            fprintf(stderr, "cannot open %s\n", dir);
            return 1;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char *p = xasprintf("%s/%s", dir, de->d_name);
            bad |= run_file(p);
            free(p);
            count++;
        }
        closedir(d);
    }
    printf("%d inputs\n", count);
    return bad || count == 0;
}
