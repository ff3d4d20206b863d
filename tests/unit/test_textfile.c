/* test_textfile: whole-file reads and UTF-8 validation (textfile.h), big blocks and arenas
 * (xalloc.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "textfile.h"
#include "xalloc.h"

static size_t
bad_at(const char *s)
{
    return textfile_invalid_utf8(s, strlen(s));
}

static void
test_utf8(void)
{
    is_int(bad_at("plain ascii text that is longer than eight bytes"), 48, "ASCII is valid");
    is_int(bad_at("ℝ ≤ 𝔽 «x» ‖v‖"), strlen("ℝ ≤ 𝔽 «x» ‖v‖"), "2-, 3-, 4-byte sequences");
    is_int(bad_at("abcdefgh\xff"), 8, "0xff after a full ASCII word");
    is_int(bad_at("ab\xc3"), 2, "truncated 2-byte sequence");
    is_int(bad_at("ab\xc0\xaf"), 2, "overlong 2-byte (0xc0) refused");
    is_int(bad_at("\xe0\x80\xaf"), 0, "overlong 3-byte refused");
    is_int(bad_at("x\xed\xa0\x80"), 1, "UTF-16 surrogate refused");
    is_int(bad_at("xy\xf4\x90\x80\x80"), 2, "over U+10FFFF refused");
    is_int(bad_at("\xf0\x9d\x94\xbd"), 4, "U+1D53D accepted");
    is_int(textfile_invalid_utf8("abcdefghij\0kl", 13), 10, "NUL inside a word is reported");
    is_int(textfile_invalid_utf8("", 0), 0, "empty text");
}

static void
test_read(void)
{
    char dir[] = "/tmp/test_textfile.XXXXXX", path[256], err[256];
    size_t len = 99;
    char *t;
    FILE *f;
    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/a.lean", dir);
    f = fopen(path, "wb");
    fputs("theorem t : |x| ≤ 1 := by\n  sorry\n", f);
    fclose(f);
    t = textfile_read(path, &len, err, sizeof err);
    ok(t != NULL, "reads a file");
    is_int(len, strlen("theorem t : |x| ≤ 1 := by\n  sorry\n"), "its length");
    is_str(t ? t : "", "theorem t : |x| ≤ 1 := by\n  sorry\n", "its bytes, NUL-terminated");
    textfile_free(t, len);

    f = fopen(path, "wb");
    fwrite("ab\0cd", 1, 5, f);
    fclose(f);
    t = textfile_read(path, &len, err, sizeof err);
    ok(t == NULL, "a NUL byte is refused");
    is_str(err, "binary file (NUL byte at offset 2); not Lean source", "with the offset");

    f = fopen(path, "wb");
    fwrite("ok\xff", 1, 3, f);
    fclose(f);
    t = textfile_read(path, &len, err, sizeof err);
    ok(t == NULL, "invalid UTF-8 is refused");
    is_str(err, "not UTF-8 (invalid byte 0xff at offset 2); Lean source must be UTF-8",
           "with the byte");

    /* a file larger than XBIG_MIN comes in a big block; every byte arrives */
    f = fopen(path, "wb");
    for (int i = 0; i < 100000; i++)
        fputs("-- line\n", f);
    fclose(f);
    t = textfile_read(path, &len, err, sizeof err);
    is_int(len, 800000, "800 kB read whole");
    ok(t && t[799999] == '\n' && t[800000] == '\0' && memcmp(t + 400000, "-- line\n", 8) == 0,
       "contents intact, NUL after");
    textfile_free(t, len);

    snprintf(path, sizeof path, "%s/missing.lean", dir);
    t = textfile_read(path, &len, err, sizeof err);
    ok(t == NULL, "a missing file");
    is_str(err, "No such file or directory", "says so");
    t = textfile_read(dir, &len, err, sizeof err);
    ok(t == NULL, "a directory is refused");
    snprintf(path, sizeof path, "%s/a.lean", dir);
    unlink(path);
    rmdir(dir);
}

static void
test_xbig(void)
{
    size_t n = (size_t)3 << 20;
    char *p = xbig_alloc(n);
    memset(p, 'x', n);
    p = xbig_grow(p, n, 2 * n);
    ok(p[0] == 'x' && p[n - 1] == 'x', "grow keeps the contents");
    memset(p + n, 'y', n);
    ok(((uintptr_t)p & (((uintptr_t)2 << 20) - 1)) == 0, "big blocks are 2 MiB aligned");
    p = xbig_grow(p, 2 * n, 100);
    ok(p[0] == 'x' && p[99] == 'x', "shrinking into a small block keeps the head");
    xbig_free(p, 100);
    p = xbig_grow(NULL, 0, 16);
    p[15] = 1;
    xbig_free(p, 16);
    xbig_free(NULL, 0);
    ok(1, "small blocks and NULL free");
}

/* Arena blocks stay where they are while later ones fill chunks and spill into new ones,
 * a block longer than a chunk gets its own, and a reservation serves what follows. */
static void
test_arena(void)
{
    struct xarena a = {0};
    char *first = xarena_strndup(&a, "abc", 2), *blk[200];
    bool intact = true, disjoint = true;
    for (int i = 0; i < 200; i++) { /* 200 * 1000 bytes: several 64 KiB chunks */
        blk[i] = xarena_alloc(&a, 1000);
        memset(blk[i], i, 1000);
    }
    char *big = xarena_alloc(&a, XARENA_CHUNK * 3);
    memset(big, 0xEE, XARENA_CHUNK * 3);
    char *after = xarena_strndup(&a, "tail", 4);
    for (int i = 0; i < 200; i++) {
        for (int k = 0; k < 1000; k++)
            intact = intact && blk[i][k] == (char)i;
        if (i && blk[i] < blk[i - 1] + 1000 && blk[i] + 1000 > blk[i - 1])
            disjoint = false;
    }
    ok(strcmp(first, "ab") == 0 && strcmp(after, "tail") == 0, "strndup terminates its copy");
    ok(intact && disjoint, "blocks keep their bytes across chunks");
    ok((unsigned char)big[0] == 0xEE && (unsigned char)big[XARENA_CHUNK * 3 - 1] == 0xEE,
       "a block longer than a chunk");
    xarena_reserve(&a, (size_t)1 << 20);
    char *r0 = xarena_alloc(&a, (size_t)512 << 10), *r1 = xarena_alloc(&a, (size_t)512 << 10);
    ok(r1 == r0 + ((size_t)512 << 10), "a reservation serves the blocks that follow");
    memset(r0, 1, (size_t)1 << 20);
    xarena_free(&a);
    ok(a.chunks == NULL, "freed, the arena is empty");
    ok(xarena_alloc(&a, 0) != NULL && xarena_strndup(&a, "", 0)[0] == '\0',
       "empty blocks, and reuse after free");
    xarena_free(&a);
    xarena_free(&a);
}

/* xorshift32: the same texts on every run */
static unsigned
rnd(void)
{
    static unsigned x = 2463534242u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

/* The first invalid offset by decoding code points: NUL, a stray continuation byte, a lead
 * byte without its continuations, an overlong form, a surrogate or past U+10FFFF. */
static size_t
slow_utf8_invalid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], len, cp;
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0)
            len = 2, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0)
            len = 3, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0)
            len = 4, cp = c & 0x07;
        else
            return i;
        if (n - i < len)
            return i;
        for (unsigned k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

/* textfile_invalid_utf8 against the decoder above, on text made of ASCII runs, valid
 * characters of every length, and now and then a broken one (through its SIMD blocks and
 * its byte-by-byte tail). */
static void
test_utf8_random(void)
{
    static const char *const pieces[] = {
        "a", "ab cd ", "0123456789abcdef", "\xc3\xa9", "\xce\xb1", "\xe2\x86\x92",
        "\xe2\x9f\xa8", "\xf0\x9d\x94\xbd", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf",
    };
    static const char *const broken[] = {
        "\x80", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\xf5\x80\x80\x80", "\xff", "\xc3", "\xe2\x86", "\xf0\x9d\x94", "\0",
    };
    unsigned char buf[400];
    long bad = 0, runs = 0, invalid = 0;
    is_int(textfile_invalid_utf8("0123456789abcdef\xc3", 17), 16,
           "a lead byte cut off by the end");
    for (int round = 0; round < 20000; round++) {
        size_t n = 0, cap = 1 + rnd() % (sizeof buf - 8);
        while (n < cap) {
            const char *p = rnd() % 40 ? pieces[rnd() % 10] : broken[rnd() % 12];
            size_t m = p[0] ? strlen(p) : 1;
            if (n + m > cap)
                break;
            memcpy(buf + n, p, m);
            n += m;
        }
        size_t want = slow_utf8_invalid(buf, n);
        invalid += want < n;
        bad += textfile_invalid_utf8((const char *)buf, n) != want;
        runs++;
    }
    ok(runs >= 20000 && invalid > 1000 && invalid < 19000,
       "utf8: %ld texts compared, %ld of them broken", runs, invalid);
    is_int(bad, 0, "utf8: the first invalid byte is where a decoder finds it");
}

int
main(void)
{
    test_utf8();
    test_utf8_random();
    test_read();
    test_xbig();
    test_arena();
    return done_testing();
}
