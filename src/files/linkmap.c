#include "common.h"
#include "files/linkmap.h"

#include <stdlib.h>

static size_t slot_of(const struct linkmap *m, dev_t dev, ino_t ino)
{
    uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ULL ^ (uint64_t)dev * 0xC2B2AE3D27D4EB4FULL;
    return (size_t)(h >> 17) & (m->cap - 1);
}

static void grow(struct linkmap *m)
{
    struct linkmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slots[i].path)
            continue;
        size_t s = slot_of(m, old.slots[i].dev, old.slots[i].ino);
        while (m->slots[s].path)
            s = (s + 1) & (m->cap - 1);
        m->slots[s] = old.slots[i];
    }
    free(old.slots);
}

static struct linkmap_slot *lookup(struct linkmap *m, dev_t dev, ino_t ino, const char *path, bool *found)
{
    if ((m->count + 1) * 2 > m->cap)
        grow(m);
    size_t s = slot_of(m, dev, ino);
    while (m->slots[s].path) {
        if (m->slots[s].dev == dev && m->slots[s].ino == ino) {
            *found = true;
            return &m->slots[s];
        }
        s = (s + 1) & (m->cap - 1);
    }
    m->slots[s] = (struct linkmap_slot){.dev = dev, .ino = ino, .path = xstrdup(path)};
    m->count++;
    *found = false;
    return &m->slots[s];
}

const char *linkmap_first(struct linkmap *m, dev_t dev, ino_t ino, const char *path)
{
    bool found;
    struct linkmap_slot *slot = lookup(m, dev, ino, path, &found);
    return found ? slot->path : NULL;
}

nlink_t linkmap_count(struct linkmap *m, dev_t dev, ino_t ino, nlink_t nlink, const char *path)
{
    bool found;
    struct linkmap_slot *slot = lookup(m, dev, ino, path, &found);
    slot->nlink = nlink;
    return ++slot->seen;
}

void linkmap_free(struct linkmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].path);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}
