/* XXH64 (xxHash, 64-bit): the manifest's and the copy record's checksum, computed by the
 * packaged xxHash library (Debian libxxhash-dev, nixpkgs xxHash). Chosen because it runs at
 * memory speed, so checksumming costs a backup nothing next to reading and compressing; it
 * detects damage, it is not a defence against a forger. A thin streaming API over it, so the
 * state can live inside our own structs. */
#ifndef IM_FILES_XXH64_H
#define IM_FILES_XXH64_H

#include <stddef.h>
#include <stdint.h>

#define XXH_STATIC_LINKING_ONLY /* XXH64_state_t's size, so it can be embedded */
#include <xxhash.h>

struct xxh64_state {
    XXH64_state_t st;
};

/* Starts a checksum with the given seed (the manifest uses 0). */
void xxh64_init(struct xxh64_state *s, uint64_t seed);
/* Adds len bytes. */
void xxh64_update(struct xxh64_state *s, const void *data, size_t len);
/* The checksum of everything added so far (s stays usable). */
uint64_t xxh64_final(const struct xxh64_state *s);
/* The checksum of one buffer. */
uint64_t xxh64(const void *data, size_t len, uint64_t seed);

#endif
