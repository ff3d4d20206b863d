/* test_bytescan: the SIMD byte searches equal the portable ones and a plain loop, on
 * hand-picked cases (the ends of 8- and 16-byte blocks, bytes >= 0x80, NUL) and on
 * seeded random texts at every start offset. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bytescan.h"
#include "tap.h"

static size_t
slow_any3(const unsigned char *s, size_t i, size_t n, unsigned char a, unsigned char b,
          unsigned char c)
{
    for (; i < n; i++)
        if (s[i] == a || s[i] == b || s[i] == c)
            return i;
    return n;
}

static size_t
slow_nl_or_high(const unsigned char *s, size_t i, size_t n)
{
    for (; i < n; i++)
        if (s[i] == '\n' || s[i] >= 0x80)
            return i;
    return n;
}

static size_t
slow_nul_or_high(const unsigned char *s, size_t i, size_t n)
{
    for (; i < n; i++)
        if (s[i] == 0 || s[i] >= 0x80)
            return i;
    return n;
}

/* The first match from i, through the batch searches with room for one. */
static size_t
first3(const char *s, size_t i, size_t n)
{
    uint32_t pos[1];
    size_t next, k = bytescan_all3(s, i, n, '\\', '{', '}', pos, 1, &next);
    return k ? pos[0] : n;
}

static size_t
first_nl(const char *s, size_t i, size_t n)
{
    uint32_t pos[1];
    size_t next, k = bytescan_all_nl_or_high(s, i, n, pos, 1, &next);
    return k ? pos[0] : n;
}

static void
test_cases(void)
{
    const char *t = "plain text without any of them, long enough for two blocks";
    size_t n = strlen(t);
    is_int(first3(t, 0, n), n, "any3: none gives n");
    is_int(first3("ab{", 0, 3), 2, "any3: in the scalar tail");
    is_int(first3("0123456789abcdef}", 0, 17), 16,
           "any3: first byte after a full block");
    is_int(first3("0123456789abcde\\", 0, 16), 15,
           "any3: last byte of a block");
    is_int(first3("{{{{", 4, 4), 4, "any3: i == n gives n");
    is_int(first3("{{{{", 9, 4), 4, "any3: i > n gives n");
    is_int(first_nl("0123456789abcdefghij\n", 0, 21), 20, "nl_or_high: newline");
    is_int(first_nl("0123456789abcdefghijℕ", 0, 23), 20, "nl_or_high: ℕ's lead byte");
    is_int(first_nl("x\x7f\x01\t\r", 0, 5), 5, "nl_or_high: other controls are not it");
    is_int(bytescan_nul_or_high("0123456789abcdef\0", 0, 17), 16, "nul_or_high: NUL");
    is_int(bytescan_nul_or_high("0123456789abcdefghi\xff", 0, 20), 19, "nul_or_high: 0xff");
    is_int(bytescan_nul_or_high("0123456789\n", 0, 11), 11, "nul_or_high: newline is not it");
}

/* xorshift64*: the same texts on every run */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned
rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (unsigned)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static void
test_random(void)
{
    unsigned char buf[200];
    long bad = 0, runs = 0;
    for (int round = 0; round < 3000; round++) {
        size_t n = rnd() % sizeof buf;
        unsigned density = 1 + rnd() % 64; /* one special byte in `density`, about */
        for (size_t k = 0; k < n; k++) {
            unsigned r = rnd();
            if (r % density) {
                buf[k] = (unsigned char)(' ' + r % 90); /* printable ASCII below `{` */
                if (buf[k] == '\\')
                    buf[k] = 'x';
            } else {
                buf[k] = "\\{}\n\0\x80\xe2\xff"[rnd() % 8];
            }
        }
        const char *s = (const char *)buf;
        for (size_t i = 0; i <= n + 1; i++) {
            size_t want3 = slow_any3(buf, i, n, '\\', '{', '}');
            size_t wantn = slow_nl_or_high(buf, i, n);
            size_t wantz = slow_nul_or_high(buf, i, n);
            bad += first3(s, i, n) != want3;
            bad += first_nl(s, i, n) != wantn;
            bad += bytescan_nul_or_high(s, i, n) != wantz;
            bad += bytescan_nul_or_high_portable(s, i, n) != wantz;
            runs += 4;
        }
    }
    ok(runs > 100000, "random: %ld searches compared", runs);
    is_int(bad, 0, "random: SIMD and portable searches equal the plain loop");
}

typedef size_t all_fn(const char *s, size_t i, size_t n, uint32_t *pos, size_t max,
                      size_t *next);

static size_t
all3_simd(const char *s, size_t i, size_t n, uint32_t *pos, size_t max, size_t *next)
{
    return bytescan_all3(s, i, n, '\\', '{', '}', pos, max, next);
}

static size_t
all3_portable(const char *s, size_t i, size_t n, uint32_t *pos, size_t max, size_t *next)
{
    return bytescan_all3_portable(s, i, n, '\\', '{', '}', pos, max, next);
}

/* Collects every match of [i, n) through fn in batches of max; compares with the loop. */
static int
all_differs(all_fn *fn, const unsigned char *buf, size_t i, size_t n, size_t max, int three)
{
    uint32_t pos[80];
    size_t got = 0, next = i, calls = 0;
    int bad = 0;
    size_t want = three ? slow_any3(buf, i, n, '\\', '{', '}') : slow_nl_or_high(buf, i, n);
    while (next < n && calls++ < 1000) {
        size_t k = fn((const char *)buf, next, n, pos, max, &next);
        if (k > max)
            return 1;
        for (size_t q = 0; q < k; q++) {
            if (pos[q] != want)
                bad = 1;
            got++;
            want = three ? slow_any3(buf, want + 1, n, '\\', '{', '}')
                         : slow_nl_or_high(buf, want + 1, n);
        }
        if (k == 0 && next < n)
            return 1; /* no progress */
    }
    return bad || want != n;
}

static void
test_all(void)
{
    unsigned char buf[300];
    long bad = 0, runs = 0;
    static const size_t maxes[] = {1, 2, 3, 7, 16, 80};
    for (int round = 0; round < 1500; round++) {
        size_t n = rnd() % sizeof buf;
        unsigned density = 1 + rnd() % 24;
        for (size_t k = 0; k < n; k++) {
            unsigned r = rnd();
            buf[k] = r % density ? (unsigned char)('a' + r % 26) : (unsigned char)"\\{}\n\x80\xce"[rnd() % 6];
        }
        size_t i = n ? rnd() % (n + 1) : 0;
        for (size_t m = 0; m < sizeof maxes / sizeof *maxes; m++) {
            bad += all_differs(all3_simd, buf, i, n, maxes[m], 1);
            bad += all_differs(all3_portable, buf, i, n, maxes[m], 1);
            bad += all_differs(bytescan_all_nl_or_high, buf, i, n, maxes[m], 0);
            bad += all_differs(bytescan_all_nl_or_high_portable, buf, i, n, maxes[m], 0);
            runs += 4;
        }
    }
    ok(runs > 30000, "all: %ld batched scans compared", runs);
    is_int(bad, 0, "all: batches of 1 to 80 give every match in order, SIMD and portable");
}

/* UTF-16 units by a plain loop over the bytes. */
static size_t
slow_units(const unsigned char *s, size_t i, size_t n)
{
    size_t u = 0;
    for (; i < n; i++)
        u += s[i] < 0x80 ? 1 : s[i] < 0xC0 ? 0 : s[i] >= 0xF0 ? 2 : 1;
    return u;
}

static void
test_units(void)
{
    unsigned char buf[200];
    long bad = 0, runs = 0;
    is_int(bytescan_utf16_units("a\xce\xb1\xf0\x9d\x94\xbd!", 0, 8), 5, "a, α, 𝔽 (2 units), !");
    for (int round = 0; round < 20000; round++) {
        size_t n = rnd() % sizeof buf;
        for (size_t k = 0; k < n; k++) {
            unsigned r = rnd();
            buf[k] = r % 3 ? (unsigned char)('a' + r % 26) : (unsigned char)(0x80 + r % 128);
        }
        size_t i = n ? rnd() % (n + 1) : 0;
        size_t want = slow_units(buf, i, n);
        bad += bytescan_utf16_units((const char *)buf, i, n) != want;
        bad += bytescan_utf16_units_portable((const char *)buf, i, n) != want;
        runs += 2;
    }
    /* past 255 blocks of 16, where the per-byte counters are summed */
    static unsigned char big[16 * 600 + 7];
    for (size_t k = 0; k < sizeof big; k++)
        big[k] = k < 16 * 300 ? 0x9D : k % 3 ? 0xF0 : (unsigned char)('a' + k % 26);
    for (size_t n = 16 * 254; n < sizeof big; n += 997) {
        bad += bytescan_utf16_units((const char *)big, 0, n) != slow_units(big, 0, n);
        runs++;
    }
    ok(runs >= 40000, "units: %ld counts compared", runs);
    is_int(bad, 0, "units: SIMD and portable count every byte class as a plain loop does");
}

int
main(void)
{
    test_cases();
    test_random();
    test_all();
    test_units();
    return done_testing();
}
