/* test_textfile: whole-file reads and UTF-8 validation (textfile.h), big blocks (xalloc.h). */
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

int
main(void)
{
    test_utf8();
    test_read();
    test_xbig();
    return done_testing();
}
