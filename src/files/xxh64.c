/* The XXH64 wrappers over libxxhash (files/xxh64.h). */
#include "files/xxh64.h"

void xxh64_init(struct xxh64_state *s, uint64_t seed)
{
    XXH64_reset(&s->st, seed);
}

void xxh64_update(struct xxh64_state *s, const void *data, size_t len)
{
    XXH64_update(&s->st, data, len);
}

uint64_t xxh64_final(const struct xxh64_state *s)
{
    return XXH64_digest(&s->st);
}

uint64_t xxh64(const void *data, size_t len, uint64_t seed)
{
    return XXH64(data, len, seed);
}
