/* bytescan: SSE2 and portable byte searches (see bytescan.h). */
#include "bytescan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define BYTESCAN_SSE2 1
#else
#define BYTESCAN_SSE2 0
#endif

/* ---- portable: eight bytes at a time ----
 * A byte of w equals c where (w ^ c*ONES) has a zero byte; x has a zero byte where
 * (x - ONES) & ~x & HIGHS is set (exact for the lowest one, which is all we need to know
 * that there is one). */

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t
zero_bytes(uint64_t x)
{
    return (x - ONES) & ~x & HIGHS;
}

static inline uint64_t
load8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static size_t
any3_portable(const char *text, size_t i, size_t n, unsigned char a, unsigned char b,
                       unsigned char c)
{
    const unsigned char *s = (const unsigned char *)text;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = load8(s + i);
        if (zero_bytes(w ^ (ONES * a)) | zero_bytes(w ^ (ONES * b)) | zero_bytes(w ^ (ONES * c)))
            break;
    }
    for (; i < n; i++)
        if (s[i] == a || s[i] == b || s[i] == c)
            return i;
    return i < n ? i : n;
}

static size_t
nl_or_high_portable(const char *text, size_t i, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = load8(s + i);
        if ((w | zero_bytes(w ^ (ONES * '\n'))) & HIGHS)
            break;
    }
    for (; i < n; i++)
        if (s[i] == '\n' || s[i] >= 0x80)
            return i;
    return i < n ? i : n;
}

size_t
bytescan_nul_or_high_portable(const char *text, size_t i, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = load8(s + i);
        if ((w | zero_bytes(w)) & HIGHS)
            break;
    }
    for (; i < n; i++)
        if (s[i] == 0 || s[i] >= 0x80)
            return i;
    return i < n ? i : n;
}

size_t
bytescan_utf16_units_portable(const char *text, size_t i, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t units = 0;
    for (; i < n; i++)
        units += s[i] < 0x80 ? 1 : (s[i] & 0xC0) == 0x80 ? 0 : s[i] >= 0xF0 ? 2 : 1;
    return units;
}

size_t
bytescan_all3_portable(const char *s, size_t i, size_t n, unsigned char a, unsigned char b,
                       unsigned char c, uint32_t *pos, size_t max, size_t *next)
{
    size_t k = 0;
    while (k < max && (i = any3_portable(s, i, n, a, b, c)) < n)
        pos[k++] = (uint32_t)i++;
    *next = i < n ? i : n;
    return k;
}

size_t
bytescan_all_nl_or_high_portable(const char *s, size_t i, size_t n, uint32_t *pos,
                                 size_t max, size_t *next)
{
    size_t k = 0;
    while (k < max && (i = nl_or_high_portable(s, i, n)) < n)
        pos[k++] = (uint32_t)i++;
    *next = i < n ? i : n;
    return k;
}

#if BYTESCAN_SSE2
/* ---- SSE2: sixteen bytes at a time; a match's index is the lowest bit of the movemask ---- */

static inline __m128i
load16(const char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* The bytes [n - 16, n) hold the last, short block [i, n): the bits of its movemask below
 * i are dropped. Only when n >= 16 (the load stays inside the caller's bytes). */
static inline size_t
tail_index(size_t i, size_t n, unsigned bits)
{
    bits &= ~0u << (16 - (n - i));
    return bits ? n - 16 + (size_t)__builtin_ctz(bits) : n;
}

size_t
bytescan_nul_or_high(const char *s, size_t i, size_t n)
{
    const __m128i zero = _mm_setzero_si128();
    for (; i + 32 <= n; i += 32) { /* two blocks a round: one branch for 32 bytes */
        __m128i v = load16(s + i), w = load16(s + i + 16);
        uint32_t bits = (uint32_t)_mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, zero))) |
                        (uint32_t)_mm_movemask_epi8(_mm_or_si128(w, _mm_cmpeq_epi8(w, zero)))
                            << 16;
        if (bits)
            return i + (size_t)__builtin_ctz(bits);
    }
    for (; i + 16 <= n; i += 16) {
        __m128i v = load16(s + i);
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, zero)));
        if (bits)
            return i + (size_t)__builtin_ctz(bits);
    }
    if (i < n && n >= 16) {
        __m128i v = load16(s + n - 16);
        return tail_index(i, n, (unsigned)_mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, zero))));
    }
    return bytescan_nul_or_high_portable(s, i, n);
}

/* The matches of block [i, i + width) (bits, lowest first) to pos from index k on; stops
 * when pos is full. Returns the new count; *stop is the offset after the last one taken
 * when pos filled up mid-block, else i + width. */
static inline size_t
take_bits(uint32_t bits, size_t i, size_t width, uint32_t *pos, size_t k, size_t max,
          size_t *stop)
{
    while (bits) {
        if (k == max) {
            *stop = pos[k - 1] + 1;
            return k;
        }
        pos[k++] = (uint32_t)(i + (size_t)__builtin_ctz(bits));
        bits &= bits - 1;
    }
    *stop = i + width;
    return k;
}

/* A set of bytes: up to three values, and (high) every byte >= 0x80. */
struct byteset {
    unsigned char a, b, c;
    bool high;
    __m128i va, vb, vc;
};

static inline __attribute__((always_inline)) unsigned
set_mask16(const struct byteset *set, const char *p)
{
    __m128i v = load16(p);
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, set->va), _mm_cmpeq_epi8(v, set->vb)),
                             _mm_cmpeq_epi8(v, set->vc));
    if (set->high)
        m = _mm_or_si128(m, v); /* movemask takes each byte's top bit */
    return (unsigned)_mm_movemask_epi8(m);
}

static inline bool
set_has(const struct byteset *set, unsigned char x)
{
    return x == set->a || x == set->b || x == set->c || (set->high && x >= 0x80);
}

/* The batch search both bytescan_all* run (inlined into each: the set is then constant). */
static inline __attribute__((always_inline)) size_t
scan_all(const struct byteset *set, const char *s, size_t i, size_t n, uint32_t *pos,
         size_t max, size_t *next)
{
    size_t k = 0, stop;
    /* two blocks a round: one test and branch for 32 bytes (matches are sparse) */
    for (; i + 32 <= n; i += 32) {
        uint32_t bits = set_mask16(set, s + i) | (uint32_t)set_mask16(set, s + i + 16) << 16;
        if (bits) {
            k = take_bits(bits, i, 32, pos, k, max, &stop);
            if (stop != i + 32) {
                *next = stop;
                return k;
            }
        }
    }
    if (i + 16 <= n) {
        uint32_t bits = set_mask16(set, s + i);
        if (bits) {
            k = take_bits(bits, i, 16, pos, k, max, &stop);
            if (stop != i + 16) {
                *next = stop;
                return k;
            }
        }
        i += 16;
    }
    if (i < n && n >= 16) {
        /* the short last block: the 16 bytes ending at n, bits below i dropped */
        unsigned bits = set_mask16(set, s + n - 16) & (~0u << (16 - (n - i)));
        k = take_bits(bits, n - 16, 16, pos, k, max, &stop);
        *next = stop < n ? stop : n;
        return k;
    }
    for (; i < n; i++) {
        if (set_has(set, (unsigned char)s[i])) {
            if (k == max) {
                *next = i;
                return k;
            }
            pos[k++] = (uint32_t)i;
        }
    }
    *next = n;
    return k;
}

size_t
bytescan_all3(const char *s, size_t i, size_t n, unsigned char a, unsigned char b,
              unsigned char c, uint32_t *pos, size_t max, size_t *next)
{
    const struct byteset set = {a, b, c, false, _mm_set1_epi8((char)a), _mm_set1_epi8((char)b),
                                _mm_set1_epi8((char)c)};
    return scan_all(&set, s, i, n, pos, max, next);
}

size_t
bytescan_all_nl_or_high(const char *s, size_t i, size_t n, uint32_t *pos, size_t max,
                        size_t *next)
{
    const __m128i nl = _mm_set1_epi8('\n');
    const struct byteset set = {'\n', '\n', '\n', true, nl, nl, nl};
    return scan_all(&set, s, i, n, pos, max, next);
}

size_t
bytescan_utf16_units(const char *s, size_t i, size_t n)
{
    /* as signed bytes: continuation bytes are [-128, -65], 4-byte leads [-16, -9] and up.
     * Per-byte counters (a match subtracts -1), summed every 255 blocks before they wrap. */
    const __m128i cont = _mm_set1_epi8(-64), four = _mm_set1_epi8(-17), zero = _mm_setzero_si128();
    size_t units = 0;
    while (i + 16 <= n) {
        __m128i nc = zero, nf = zero;
        size_t blocks = 0;
        for (; i + 16 <= n && blocks < 255; i += 16, blocks++) {
            __m128i v = load16(s + i);
            nc = _mm_sub_epi8(nc, _mm_cmplt_epi8(v, cont));
            nf = _mm_sub_epi8(nf, _mm_and_si128(_mm_cmpgt_epi8(v, four), _mm_cmplt_epi8(v, zero)));
        }
        __m128i sc = _mm_sad_epu8(nc, zero), sf = _mm_sad_epu8(nf, zero);
        size_t c = (size_t)_mm_cvtsi128_si32(sc) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sc, 8));
        size_t f = (size_t)_mm_cvtsi128_si32(sf) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sf, 8));
        units += 16 * blocks - c + f;
    }
    return units + bytescan_utf16_units_portable(s, i, n);
}

#else

size_t
bytescan_all3(const char *s, size_t i, size_t n, unsigned char a, unsigned char b,
              unsigned char c, uint32_t *pos, size_t max, size_t *next)
{
    return bytescan_all3_portable(s, i, n, a, b, c, pos, max, next);
}

size_t
bytescan_all_nl_or_high(const char *s, size_t i, size_t n, uint32_t *pos, size_t max,
                        size_t *next)
{
    return bytescan_all_nl_or_high_portable(s, i, n, pos, max, next);
}

size_t
bytescan_nul_or_high(const char *s, size_t i, size_t n)
{
    return bytescan_nul_or_high_portable(s, i, n);
}

size_t
bytescan_utf16_units(const char *s, size_t i, size_t n)
{
    return bytescan_utf16_units_portable(s, i, n);
}

#endif
