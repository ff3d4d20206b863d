/* test_xalloc: xalloc_oneshot() (xalloc.h): big blocks keep their bytes across the
 * heap/mmap boundary it moves, and the heap's memory comes on huge pages when the
 * kernel's THP mode allows it (skipped otherwise, and under ASan/valgrind). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "xalloc.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static int
filled(const unsigned char *p, size_t n, unsigned char c)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

/* kB of AnonHugePages in the mappings named [heap] (heap != 0) or in all of them, or -1
 * when smaps can't be read. */
static long
huge_kb(int heap)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    long kb = 0, v;
    int counted = 0;
    unsigned long lo, hi;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) /* a mapping's first line */
            counted = !heap || strstr(line, "[heap]") != NULL;
        else if (counted && sscanf(line, "AnonHugePages: %ld kB", &v) == 1)
            kb += v;
    }
    fclose(f);
    return kb;
}

static int
thp_madvise_allowed(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char buf[128] = "";
    if (!f)
        return 0;
    if (!fgets(buf, sizeof buf, f))
        buf[0] = '\0';
    fclose(f);
    return strstr(buf, "[always]") || strstr(buf, "[madvise]");
}

int
main(void)
{
    xalloc_oneshot();

    size_t small = (size_t)900 << 10, mid = (size_t)3 << 20, large = (size_t)6 << 20;
    unsigned char *p = xbig_alloc(small);
    memset(p, 0xA5, small);
    p = xbig_grow(p, small, mid); /* heap to heap */
    ok(filled(p, small, 0xA5), "grow within the heap keeps the bytes");
    memset(p, 0x5A, mid);
    p = xbig_grow(p, mid, large); /* heap to its own mapping */
    ok(filled(p, mid, 0x5A), "grow past XBIG_ONESHOT_MIN keeps the bytes");
    memset(p, 0x3C, large);
    p = xbig_grow(p, large, small); /* back to the heap */
    ok(filled(p, small, 0x3C), "shrink below it keeps the bytes");
    xbig_free(p, small);

    /* several blocks of the sizes a check allocates, all alive at once */
    unsigned char *blk[6];
    size_t sz[6] = {(size_t)870 << 10, (size_t)1900 << 10, (size_t)630 << 10,
                    (size_t)1400 << 10, (size_t)40 << 20, 100};
    for (int i = 0; i < 6; i++) {
        blk[i] = xbig_alloc(sz[i]);
        memset(blk[i], i + 1, sz[i]);
    }
    int good = 1;
    for (int i = 0; i < 6; i++)
        good &= filled(blk[i], sz[i], (unsigned char)(i + 1));
    ok(good, "six live blocks (100 B to 40 MiB) keep their own bytes");
    for (int i = 0; i < 6; i++)
        xbig_free(blk[i], sz[i]);

    if (UNDER_ASAN || RUNNING_ON_VALGRIND) {
        skip("the heap is on huge pages", "ASan's and valgrind's allocators have no brk heap");
    } else if (!thp_madvise_allowed()) {
        skip("the heap is on huge pages", "THP is off here");
    } else {
        /* control: does the kernel hand out huge pages at all just now (a big block is
         * its own MADV_HUGEPAGE mapping)? */
        size_t n = (size_t)8 << 20;
        unsigned char *c = xbig_alloc(n);
        long before = huge_kb(0);
        memset(c, 9, n);
        long control = huge_kb(0) - before;
        unsigned char *q = malloc((size_t)3 << 20); /* 3 MiB: covers a whole huge page */
        memset(q, 7, (size_t)3 << 20);
        long kb = huge_kb(1);
        if (before < 0 || control <= 0)
            skip("the heap is on huge pages", "the kernel gives no huge pages just now");
        else
            ok(kb >= 2048, "the heap is on huge pages (%ld kB AnonHugePages)", kb);
        free(q);
        xbig_free(c, n);
    }
    return done_testing();
}
