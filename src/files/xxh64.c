/* XXH64 after the published specification (xxhash_spec.md, "XXH64 algorithm description"). */
#include "files/xxh64.h"

#include <string.h>

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static inline uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* Little-endian loads, whatever the host (memcpy compiles to one load). */
static inline uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint32_t load32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t round1(uint64_t acc, uint64_t lane)
{
    acc += lane * P2;
    acc = rotl(acc, 31);
    return acc * P1;
}

static inline uint64_t merge(uint64_t acc, uint64_t v)
{
    acc ^= round1(0, v);
    return acc * P1 + P4;
}

void xxh64_init(struct xxh64_state *s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->seed = seed;
    s->v[0] = seed + P1 + P2;
    s->v[1] = seed + P2;
    s->v[2] = seed;
    s->v[3] = seed - P1;
}

static const unsigned char *stripes(uint64_t v[4], const unsigned char *p, const unsigned char *end)
{
    uint64_t a = v[0], b = v[1], c = v[2], d = v[3];
    while (end - p >= 32) {
        a = round1(a, load64(p));
        b = round1(b, load64(p + 8));
        c = round1(c, load64(p + 16));
        d = round1(d, load64(p + 24));
        p += 32;
    }
    v[0] = a, v[1] = b, v[2] = c, v[3] = d;
    return p;
}

void xxh64_update(struct xxh64_state *s, const void *data, size_t len)
{
    const unsigned char *p = data, *end = p + len;
    s->total += len;
    if (s->buffered) {
        size_t take = 32 - s->buffered;
        if (take > len)
            take = len;
        memcpy(s->buf + s->buffered, p, take);
        s->buffered += take;
        p += take;
        if (s->buffered < 32)
            return;
        stripes(s->v, s->buf, s->buf + 32);
        s->buffered = 0;
    }
    p = stripes(s->v, p, end);
    s->buffered = (size_t)(end - p);
    memcpy(s->buf, p, s->buffered);
}

uint64_t xxh64_final(const struct xxh64_state *s)
{
    uint64_t h;
    if (s->total >= 32) {
        h = rotl(s->v[0], 1) + rotl(s->v[1], 7) + rotl(s->v[2], 12) + rotl(s->v[3], 18);
        for (int i = 0; i < 4; i++)
            h = merge(h, s->v[i]);
    } else {
        h = s->seed + P5;
    }
    h += s->total;
    const unsigned char *p = s->buf, *end = s->buf + s->buffered;
    while (end - p >= 8) {
        h ^= round1(0, load64(p));
        h = rotl(h, 27) * P1 + P4;
        p += 8;
    }
    if (end - p >= 4) {
        h ^= (uint64_t)load32(p) * P1;
        h = rotl(h, 23) * P2 + P3;
        p += 4;
    }
    while (p < end) {
        h ^= (uint64_t)*p * P5;
        h = rotl(h, 11) * P1;
        p++;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

uint64_t xxh64(const void *data, size_t len, uint64_t seed)
{
    struct xxh64_state s;
    xxh64_init(&s, seed);
    xxh64_update(&s, data, len);
    return xxh64_final(&s);
}
