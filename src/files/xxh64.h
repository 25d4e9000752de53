/* XXH64 (Yann Collet's xxHash, 64-bit, seed 0): the manifest's checksum. Chosen because it
 * runs at memory speed, so checksumming costs a backup nothing next to reading and
 * compressing; it detects damage, it is not a defence against a forger. Streaming API. */
#ifndef IM_FILES_XXH64_H
#define IM_FILES_XXH64_H

#include <stddef.h>
#include <stdint.h>

struct xxh64_state {
    uint64_t total;
    uint64_t v[4];
    unsigned char buf[32];
    size_t buffered;
    uint64_t seed;
};

void xxh64_init(struct xxh64_state *s, uint64_t seed);
void xxh64_update(struct xxh64_state *s, const void *data, size_t len);
uint64_t xxh64_final(const struct xxh64_state *s);
uint64_t xxh64(const void *data, size_t len, uint64_t seed);

#endif
