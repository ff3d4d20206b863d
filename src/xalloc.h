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

#endif
