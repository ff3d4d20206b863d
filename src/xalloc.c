/* xalloc: allocation wrappers that abort on out-of-memory. */
#include "xalloc.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void
xalloc_die(size_t size)
{
    fprintf(stderr, "lsp-proxy: out of memory allocating %zu bytes\n", size);
    abort();
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        xalloc_die(size);
    return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (p == NULL)
        xalloc_die(nmemb * size);
    return p;
}

void *
xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        xalloc_die(size);
    return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
    if (size != 0 && nmemb > SIZE_MAX / size)
        xalloc_die(SIZE_MAX);
    return xrealloc(ptr, nmemb * size);
}

char *
xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t len)
{
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        xalloc_die(0);
    char *p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

#define XBIG_ALIGN ((size_t)2 << 20)

/* Below this, big blocks come from malloc (xalloc_oneshot() raises it). */
static size_t xbig_min = XBIG_MIN;

static size_t
xbig_round(size_t size)
{
    return (size + XBIG_ALIGN - 1) & ~(XBIG_ALIGN - 1);
}

/* Freed big blocks kept mapped for the next analysis of the same size class (the live
 * proxy rescans the same file on every edit): no page faults, no zeroing. Bounded. */
#define XBIG_CACHE 8
#define XBIG_CACHE_BYTES ((size_t)256 << 20)
static struct {
    void *p;
    size_t len;
} xbig_cache[XBIG_CACHE];
static size_t xbig_cached; /* bytes held in xbig_cache */

void *
xbig_alloc(size_t size)
{
    if (size < xbig_min)
        return xmalloc(size ? size : 1);
    size_t len = xbig_round(size);
    if (len < size || len + XBIG_ALIGN < len)
        xalloc_die(size);
    for (size_t i = 0; i < XBIG_CACHE; i++)
        if (xbig_cache[i].p && xbig_cache[i].len == len) {
            void *p = xbig_cache[i].p;
            xbig_cache[i].p = NULL;
            xbig_cached -= len;
            return p;
        }
    char *raw = mmap(NULL, len + XBIG_ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (raw == MAP_FAILED)
        xalloc_die(size);
    uintptr_t a = ((uintptr_t)raw + XBIG_ALIGN - 1) & ~(uintptr_t)(XBIG_ALIGN - 1);
    char *p = (char *)a;
    size_t head = (size_t)(p - raw), tail = XBIG_ALIGN - head;
    if (head)
        munmap(raw, head);
    if (tail)
        munmap(p + len, tail);
#ifdef MADV_HUGEPAGE
    (void)madvise(p, len, MADV_HUGEPAGE); /* a hint: without THP, plain pages */
#endif
    return p;
}

void *
xbig_grow(void *p, size_t old_size, size_t new_size)
{
    if (new_size < xbig_min && old_size < xbig_min)
        return xrealloc(p, new_size ? new_size : 1);
    void *q = xbig_alloc(new_size);
    if (p)
        memcpy(q, p, old_size < new_size ? old_size : new_size);
    xbig_free(p, old_size);
    return q;
}

void
xbig_free(void *p, size_t size)
{
    if (p == NULL)
        return;
    if (size < xbig_min) {
        free(p);
        return;
    }
    size_t len = xbig_round(size), slot = XBIG_CACHE;
    for (size_t i = 0; i < XBIG_CACHE && slot == XBIG_CACHE; i++)
        if (xbig_cache[i].p == NULL)
            slot = i;
    if (slot == XBIG_CACHE || xbig_cached + len > XBIG_CACHE_BYTES) {
        munmap(p, len);
        return;
    }
    xbig_cache[slot].p = p;
    xbig_cache[slot].len = len;
    xbig_cached += len;
}

static void *volatile xalloc_oneshot_head; /* see xalloc_oneshot(); volatile: kept though never read */

void
xalloc_oneshot(void)
{
#if defined(__GLIBC__) && defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
    /* the heap grows by 16 MiB at once, never gives memory back, and takes blocks that
     * malloc would map on their own: then one madvise covers what the run allocates */
    (void)mallopt(M_TOP_PAD, 16 << 20);
    (void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
    (void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
    char *p = malloc(64), *end = sbrk(0);
    uintptr_t a = ((uintptr_t)p + XBIG_ALIGN - 1) & ~(uintptr_t)(XBIG_ALIGN - 1);
    /* only when p is malloc's brk heap (not under valgrind or ASan, whose allocators map
     * their own memory): the heap's end is then just past it */
    if (p && end != (char *)-1 && (uintptr_t)end > a + XBIG_ALIGN &&
        (uintptr_t)end - (uintptr_t)p <= ((size_t)64 << 20)) {
        (void)madvise((void *)a, (uintptr_t)end - a, MADV_HUGEPAGE); /* a hint */
        /* the heap's start up to the first huge page is held (and never touched), so
         * what the run allocates lands on huge pages */
        size_t gap = (size_t)(a - (uintptr_t)p);
        free(p);
        if (gap > 256)
            xalloc_oneshot_head = malloc(gap - 256);
    } else {
        free(p);
    }
    xbig_min = XBIG_ONESHOT_MIN;
#endif
}

struct xarena_chunk {
    struct xarena_chunk *next;
    size_t used, cap; /* bytes of data[] handed out, and there */
    char data[];
};

void
xarena_reserve(struct xarena *a, size_t n)
{
    size_t cap = n > XARENA_CHUNK ? n : XARENA_CHUNK;
    if (cap > SIZE_MAX - sizeof(struct xarena_chunk))
        xalloc_die(n);
    struct xarena_chunk *c = xbig_alloc(sizeof *c + cap);
    c->used = 0;
    c->cap = cap;
    c->next = a->chunks;
    a->chunks = c;
}

char *
xarena_alloc(struct xarena *a, size_t n)
{
    struct xarena_chunk *c = a->chunks;
    if (c == NULL || c->cap - c->used < n) {
        xarena_reserve(a, n);
        c = a->chunks;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

char *
xarena_strndup(struct xarena *a, const char *s, size_t n)
{
    char *p = xarena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void
xarena_free(struct xarena *a)
{
    while (a->chunks) {
        struct xarena_chunk *next = a->chunks->next;
        xbig_free(a->chunks, sizeof *a->chunks + a->chunks->cap);
        a->chunks = next;
    }
}
