/* fl_util.c: allocation, clock and string helpers of the fake Lean server (fl_util.h). */
#include "fl_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void
fl_oom(size_t n)
{
    fprintf(stderr, "fake_lean: out of memory (%zu bytes)\n", n);
    abort();
}

void *
fl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        fl_oom(n);
    return p;
}

void *
fl_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        fl_oom(n * size);
    return p;
}

void *
fl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        fl_oom(n);
    return q;
}

char *
fl_xmemdup(const char *s, size_t n)
{
    char *p = fl_xmalloc(n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
fl_xstrdup(const char *s)
{
    return fl_xmemdup(s, strlen(s));
}

char *
fl_xasprintf(const char *fmt, ...)
{
    struct fl_str b = {0};
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    b.s = fl_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b.s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return b.s;
}

int64_t
fl_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
fl_str_add(struct fl_str *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->s = fl_xrealloc(b->s, cap);
        b->cap = cap;
    }
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void
fl_str_adds(struct fl_str *b, const char *s)
{
    fl_str_add(b, s, strlen(s));
}

void
fl_str_addf(struct fl_str *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    fl_str_add(b, "", 0);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = b->len + (size_t)n + 1;
        b->s = fl_xrealloc(b->s, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *
fl_str_take(struct fl_str *b)
{
    char *s = b->s ? b->s : fl_xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}
