/*
 * fl_util.h: allocation, clock and string helpers of the fake Lean server.
 *
 * The fake (tests/fake_lean/) shares no code with src/: these are its own small copies.
 * Prefix fl_. The allocation helpers abort on OOM (a test program, no recovery wanted).
 */
#ifndef LSP_PROXY_FL_UTIL_H
#define LSP_PROXY_FL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *fl_xmalloc(size_t n);
void *fl_xcalloc(size_t n, size_t size);
void *fl_xrealloc(void *p, size_t n);
char *fl_xstrdup(const char *s);
/* Copies n bytes and adds a NUL. */
char *fl_xmemdup(const char *s, size_t n);
/* Returns a new string made by printf-style formatting. */
char *fl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t fl_now_ms(void);

/* A growable NUL-terminated string. */
struct fl_str {
    char *s;    /* always NUL-terminated once anything was appended; may be NULL before */
    size_t len; /* bytes, without the NUL */
    size_t cap;
};
void fl_str_add(struct fl_str *b, const char *s, size_t n);
void fl_str_adds(struct fl_str *b, const char *s);
void fl_str_addf(struct fl_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the string over to the caller (never NULL) and resets b. */
char *fl_str_take(struct fl_str *b);

#endif
