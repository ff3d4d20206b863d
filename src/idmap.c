/* idmap: chained hash map keyed by byte strings (FNV-1a). */
#include "idmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct idmap_entry {
    struct idmap_entry *next;
    uint64_t hash;
    void *value;
    size_t len;
    char key[]; /* len bytes */
};

struct idmap {
    struct idmap_entry **slots;
    size_t nslots; /* a power of two */
    size_t count;
};

static uint64_t
idmap_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

struct idmap *
idmap_new(void)
{
    struct idmap *m = xcalloc(1, sizeof *m);
    m->nslots = 64;
    m->slots = xcalloc(m->nslots, sizeof *m->slots);
    return m;
}

void
idmap_free(struct idmap *m, void (*free_value)(void *))
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nslots; i++) {
        struct idmap_entry *e = m->slots[i];
        while (e) {
            struct idmap_entry *next = e->next;
            if (free_value)
                free_value(e->value);
            free(e);
            e = next;
        }
    }
    free(m->slots);
    free(m);
}

static struct idmap_entry **
idmap_find(const struct idmap *m, const char *key, size_t len, uint64_t h)
{
    struct idmap_entry **pp = &m->slots[h & (m->nslots - 1)];
    while (*pp && !((*pp)->hash == h && (*pp)->len == len && memcmp((*pp)->key, key, len) == 0))
        pp = &(*pp)->next;
    return pp;
}

static void
idmap_grow(struct idmap *m)
{
    size_t n = m->nslots * 2;
    struct idmap_entry **slots = xcalloc(n, sizeof *slots);
    for (size_t i = 0; i < m->nslots; i++) {
        struct idmap_entry *e = m->slots[i];
        while (e) {
            struct idmap_entry *next = e->next;
            e->next = slots[e->hash & (n - 1)];
            slots[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
}

void *
idmap_put(struct idmap *m, const char *key, size_t len, void *value)
{
    uint64_t h = idmap_hash(key, len);
    struct idmap_entry **pp = idmap_find(m, key, len, h);
    if (*pp) {
        void *old = (*pp)->value;
        (*pp)->value = value;
        return old;
    }
    struct idmap_entry *e = xmalloc(sizeof *e + len);
    e->next = NULL;
    e->hash = h;
    e->value = value;
    e->len = len;
    memcpy(e->key, key, len);
    *pp = e;
    if (++m->count > m->nslots)
        idmap_grow(m);
    return NULL;
}

void *
idmap_get(const struct idmap *m, const char *key, size_t len)
{
    struct idmap_entry **pp = idmap_find(m, key, len, idmap_hash(key, len));
    return *pp ? (*pp)->value : NULL;
}

void *
idmap_take(struct idmap *m, const char *key, size_t len)
{
    struct idmap_entry **pp = idmap_find(m, key, len, idmap_hash(key, len));
    struct idmap_entry *e = *pp;
    if (e == NULL)
        return NULL;
    void *v = e->value;
    *pp = e->next;
    free(e);
    m->count--;
    return v;
}

size_t
idmap_count(const struct idmap *m)
{
    return m->count;
}

void
idmap_drain(struct idmap *m, void (*fn)(const char *key, size_t len, void *value, void *arg),
            void *arg)
{
    for (size_t i = 0; i < m->nslots; i++) {
        struct idmap_entry *e = m->slots[i];
        m->slots[i] = NULL;
        while (e) {
            struct idmap_entry *next = e->next;
            fn(e->key, e->len, e->value, arg);
            free(e);
            e = next;
        }
    }
    m->count = 0;
}
