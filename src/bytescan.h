/*
 * bytescan: the byte searches under the engine's longest loops (lexing comment and
 * docstring bodies, the LaTeX scan of blueprint fields, the UTF-8 check of `check`).
 * Sixteen bytes at a time with SSE2 where the compiler targets it (every x86-64), eight
 * at a time in portable C elsewhere; both give the same answers (tests/unit/test_bytescan.c
 * compares them on random bytes). Layer 0: pure functions, no allocation.
 *
 * Each returns the first index k in [i, n) whose byte s[k] is of the kind it names, or n
 * when there is none (also when i >= n).
 */
#ifndef LSP_PROXY_BYTESCAN_H
#define LSP_PROXY_BYTESCAN_H

#include <stddef.h>

/* s[k] is one of a, b, c. */
size_t bytescan_any3(const char *s, size_t i, size_t n, unsigned char a, unsigned char b,
                     unsigned char c);

/* s[k] is '\n' or not ASCII (>= 0x80). */
size_t bytescan_nl_or_high(const char *s, size_t i, size_t n);

/* s[k] is NUL or not ASCII. */
size_t bytescan_nul_or_high(const char *s, size_t i, size_t n);

/* The portable versions of the three, whatever the build targets: for the tests. */
size_t bytescan_any3_portable(const char *s, size_t i, size_t n, unsigned char a,
                              unsigned char b, unsigned char c);
size_t bytescan_nl_or_high_portable(const char *s, size_t i, size_t n);
size_t bytescan_nul_or_high_portable(const char *s, size_t i, size_t n);

#endif
