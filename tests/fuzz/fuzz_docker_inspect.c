/* libFuzzer target for what we read from `docker inspect` (jansson underneath): any bytes must
 * parse or fail with a reason, and a parsed container must be complete (every string set,
 * every mount with a destination). Build with `make fuzz-docker-inspect`; `make check` runs
 * the corpus in tests/fuzz/docker-inspect-corpus through corpus_driver.c instead. */
#include "common.h"
#include "discover/inspect.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_container(const struct container_info *ci)
{
    if (!ci->name || !ci->status || !ci->image || !ci->compose_project ||
        !ci->compose_working_dir || (ci->mount_count && !ci->mounts))
        abort();
    for (size_t i = 0; i < ci->mount_count; i++)
        if (!ci->mounts[i].type || !ci->mounts[i].source || !ci->mounts[i].destination)
            abort();
    const char *tag = image_tag(ci->image);
    if (*tag && (tag < ci->image || tag > ci->image + strlen(ci->image)))
        abort(); /* a tag points into the image */
    int v[3];
    if (version_parse(tag, v) == 0 && (v[0] < 0 || v[1] < 0 || v[2] < 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct container_info ci;
    struct strbuf err = {0};
    if (container_info_parse(&ci, (const char *)data, size, &err) < 0) {
        if (err.len == 0)
            abort(); /* a failure always says why */
    } else {
        check_container(&ci);
    }
    container_info_free(&ci);
    sb_free(&err);
    return 0;
}
