/*
 * xalloc: allocation that never returns NULL (tmux xmalloc.c).
 *
 * On out-of-memory these log the size and abort: a proxy that cannot allocate a few
 * bytes cannot keep its promises anyway, and checking every small allocation would
 * hide the error paths that matter (bad input, dead peers). Callers never NULL-check.
 */
#ifndef LSP_PROXY_XALLOC_H
#define LSP_PROXY_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array: returns ptr resized to nmemb * size, aborting on overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* A NUL-terminated copy of the first len bytes of s. */
char *xstrndup(const char *s, size_t len);
/* A new string formatted like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Large arrays filled once and freed whole (source text, tokens, name pools). From
 * XBIG_MIN bytes on, the memory comes from mmap, in whole 2 MiB blocks marked
 * MADV_HUGEPAGE: a 4 KiB page fault costs about 4 us on the VMs this runs on (one huge
 * page, zeroed, about 250 us), and analysing a 15,000-line file touches 10 MB
 * (tests/bench/README.md). Freed blocks (up to 8, 256 MiB) stay mapped for reuse by the
 * next allocation of the same 2 MiB multiple. Smaller sizes use malloc. Contents are
 * undefined. Not thread-safe (the proxy has one thread). A block
 * is freed with xbig_free() given the size it has now; xbig_grow() returns a block of
 * new_size holding the first old_size bytes of p (p is freed). NULL/0 frees nothing. */
#define XBIG_MIN ((size_t)512 << 10)
void *xbig_alloc(size_t size);
void *xbig_grow(void *p, size_t old_size, size_t new_size);
void xbig_free(void *p, size_t size);

/* For a process that analyses one text and exits (`check`, `dag`): malloc's heap is put on
 * huge pages (grown 16 MiB at a time, marked MADV_HUGEPAGE, never trimmed), and big blocks
 * under XBIG_ONESHOT_MIN come from it, so the text, the pools and the small objects share
 * a few huge pages instead of a 2 MiB mapping each plus hundreds of 4 KiB faults (324
 * faults down to 79 for a `check` of the 15,000-line blueprint, tests/bench/README.md). Call it first,
 * before any big block is allocated; the memory stays with the process. Linux and glibc
 * only; a no-op elsewhere. */
#define XBIG_ONESHOT_MIN ((size_t)4 << 20)
void xalloc_oneshot(void);

/* Many small blocks freed together (the strings of one analysis: names, labels,
 * statements): bump-allocated from chunks of at least XARENA_CHUNK bytes (xbig_alloc), a
 * longer block in a chunk of its own. Blocks are not aligned: they hold bytes. A zeroed
 * struct is an empty arena; xarena_free() frees every block and leaves it empty. */
#define XARENA_CHUNK ((size_t)64 << 10)
struct xarena_chunk;
struct xarena {
    struct xarena_chunk *chunks; /* the newest first: blocks come from it */
};
/* n bytes, valid until xarena_free(). */
char *xarena_alloc(struct xarena *a, size_t n);
/* Makes the next n bytes come from one new chunk (for a caller that knows its total). */
void xarena_reserve(struct xarena *a, size_t n);
/* A NUL-terminated copy of s[0, n) (s need not be terminated). */
char *xarena_strndup(struct xarena *a, const char *s, size_t n);
void xarena_free(struct xarena *a);

#endif
