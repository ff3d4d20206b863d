/*
 * flm_util.h: allocation, clock and string helpers of the fake LLM server.
 *
 * The fake (tests/fake_llm/) shares no code with src/ nor with tests/fake_lean/: these are
 * its own small copies, so that a bug in the proxy's helpers cannot hide in the fake.
 * Prefix flm_. The allocation helpers abort on OOM (a test program: no recovery wanted).
 */
#ifndef LSP_PROXY_FLM_UTIL_H
#define LSP_PROXY_FLM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *flm_xmalloc(size_t n);
void *flm_xcalloc(size_t n, size_t size);
void *flm_xrealloc(void *p, size_t n);
char *flm_xstrdup(const char *s);
/* Copies n bytes and adds a NUL. */
char *flm_xmemdup(const char *s, size_t n);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t flm_now_ms(void);

/* First occurrence of needle (nlen bytes) in hay (hlen bytes), or NULL; nlen 0 matches. */
const char *flm_memmem(const char *hay, size_t hlen, const char *needle, size_t nlen);
/* ASCII-only case-insensitive comparison of two NUL-terminated strings (true when equal). */
bool flm_ieq(const char *a, const char *b);

/* A growable byte string, always NUL-terminated once anything was added. */
struct flm_str {
    char *s;    /* NULL until the first add */
    size_t len; /* bytes, without the NUL */
    size_t cap; /* private */
};
void flm_str_add(struct flm_str *b, const char *s, size_t n);
void flm_str_adds(struct flm_str *b, const char *s);
void flm_str_addf(struct flm_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drops the first n bytes (n <= len). */
void flm_str_consume(struct flm_str *b, size_t n);
/* Hands the string over to the caller (never NULL) and resets b. */
char *flm_str_take(struct flm_str *b);
void flm_str_release(struct flm_str *b);

#endif
