/* flm_util.c: allocation, clock and string helpers of the fake LLM server (flm_util.h). */
#include "flm_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
flm_oom(size_t n)
{
    fprintf(stderr, "fake_llm: out of memory (%zu bytes)\n", n);
    abort();
}

void *
flm_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        flm_oom(n);
    return p;
}

void *
flm_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        flm_oom(n * size);
    return p;
}

void *
flm_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        flm_oom(n);
    return q;
}

char *
flm_xmemdup(const char *s, size_t n)
{
    char *p = flm_xmalloc(n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
flm_xstrdup(const char *s)
{
    return flm_xmemdup(s, strlen(s));
}

int64_t
flm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
flm_memmem(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0)
        return hay;
    for (size_t i = 0; i + nlen <= hlen; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
            return hay + i;
    return NULL;
}

bool
flm_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
        if (x == '\0')
            return true;
    }
}

static void
flm_str_reserve(struct flm_str *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->s = flm_xrealloc(b->s, cap);
    b->cap = cap;
}

void
flm_str_add(struct flm_str *b, const char *s, size_t n)
{
    flm_str_reserve(b, n);
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void
flm_str_adds(struct flm_str *b, const char *s)
{
    flm_str_add(b, s, strlen(s));
}

void
flm_str_addf(struct flm_str *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    flm_str_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
flm_str_consume(struct flm_str *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        if (b->s)
            b->s[0] = '\0';
        return;
    }
    memmove(b->s, b->s + n, b->len - n);
    b->len -= n;
    b->s[b->len] = '\0';
}

char *
flm_str_take(struct flm_str *b)
{
    char *s = b->s ? b->s : flm_xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void
flm_str_release(struct flm_str *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}
