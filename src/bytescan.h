/*
 * bytescan: the byte searches under the engine's longest loops (lexing comment and
 * docstring bodies, the LaTeX scan of blueprint fields, the UTF-8 check of `check`,
 * UTF-16 columns on lines that are not ASCII).
 * Sixteen bytes at a time with SSE2 where the compiler targets it (every x86-64), eight
 * at a time in portable C elsewhere; both give the same answers (tests/unit/test_bytescan.c
 * compares them on random bytes). Layer 0: pure functions, no allocation.
 */
#ifndef LSP_PROXY_BYTESCAN_H
#define LSP_PROXY_BYTESCAN_H

#include <stddef.h>
#include <stdint.h>

/* The first k in [i, n) with s[k] NUL or not ASCII (>= 0x80), or n (also when i >= n). */
size_t bytescan_nul_or_high(const char *s, size_t i, size_t n);

/* Every k in [i, n) with s[k] one of a, b, c, in order: writes up to max of them to pos
 * and returns how many; *next is where to go on from (n when the range is done). For
 * texts dense in matches (LaTeX), where one call per match would cost more than the scan. */
size_t bytescan_all3(const char *s, size_t i, size_t n, unsigned char a, unsigned char b,
                     unsigned char c, uint32_t *pos, size_t max, size_t *next);

/* The same for '\n' and bytes >= 0x80 (not ASCII). */
size_t bytescan_all_nl_or_high(const char *s, size_t i, size_t n, uint32_t *pos, size_t max,
                               size_t *next);

/* The UTF-16 code units of bytes [i, n): lead bytes of 4-byte sequences count 2,
 * continuation bytes 0, every other byte 1 (the column of n on a line starting at i). */
size_t bytescan_utf16_units(const char *s, size_t i, size_t n);

/* The portable versions, whatever the build targets: for the tests. */
size_t bytescan_nul_or_high_portable(const char *s, size_t i, size_t n);
size_t bytescan_all3_portable(const char *s, size_t i, size_t n, unsigned char a,
                              unsigned char b, unsigned char c, uint32_t *pos, size_t max,
                              size_t *next);
size_t bytescan_all_nl_or_high_portable(const char *s, size_t i, size_t n, uint32_t *pos,
                                        size_t max, size_t *next);
size_t bytescan_utf16_units_portable(const char *s, size_t i, size_t n);

#endif
