/* fl_text.c: document text and UTF-16 positions for the fake Lean server (fl_text.h). */
#include "fl_text.h"

#include <stdlib.h>
#include <string.h>

#include "fl_util.h"

static void
fl_text_index(struct fl_text *t)
{
    size_t n = 1;
    for (size_t i = 0; i < t->len; i++)
        if (t->s[i] == '\n')
            n++;
    free(t->line_start);
    t->line_start = fl_xmalloc(n * sizeof *t->line_start);
    t->nlines = n;
    size_t k = 0;
    t->line_start[k++] = 0;
    for (size_t i = 0; i < t->len; i++)
        if (t->s[i] == '\n')
            t->line_start[k++] = i + 1;
}

void
fl_text_init(struct fl_text *t, char *s, size_t len)
{
    t->s = s;
    t->len = len;
    t->line_start = NULL;
    fl_text_index(t);
}

void
fl_text_release(struct fl_text *t)
{
    free(t->s);
    free(t->line_start);
    memset(t, 0, sizeof *t);
}

size_t
fl_text_line_end(const struct fl_text *t, size_t line)
{
    if (line + 1 < t->nlines)
        return t->line_start[line + 1] - 1;
    return t->len;
}

size_t
fl_utf8_decode(const char *s, size_t n, size_t i, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[i];
    size_t need;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        need = 1, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        need = 2, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        need = 3, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t k = 1; k <= need; k++) {
        if (i + k >= n || (u[i + k] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (u[i + k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return need + 1;
}

int64_t
fl_utf16_units(const char *s, size_t n)
{
    int64_t units = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = fl_utf8_decode(s, n, i, &cp);
        units += cp >= 0x10000 ? 2 : 1;
        i += l;
    }
    return units;
}

size_t
fl_text_offset(const struct fl_text *t, int64_t line, int64_t character)
{
    if (line < 0)
        return 0;
    if ((uint64_t)line >= t->nlines)
        return t->len;
    size_t i = t->line_start[line], end = fl_text_line_end(t, (size_t)line);
    int64_t units = 0;
    while (i < end) {
        uint32_t cp;
        size_t l = fl_utf8_decode(t->s, end, i, &cp);
        int64_t w = cp >= 0x10000 ? 2 : 1;
        if (units + w > character)
            break;
        units += w;
        i += l;
    }
    return i;
}

void
fl_text_position(const struct fl_text *t, size_t off, int64_t *line, int64_t *character)
{
    if (off > t->len)
        off = t->len;
    size_t lo = 0, hi = t->nlines - 1;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        if (t->line_start[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    *line = (int64_t)lo;
    *character = fl_utf16_units(t->s + t->line_start[lo], off - t->line_start[lo]);
}

void
fl_text_replace(struct fl_text *t, size_t a, size_t b, const char *ins, size_t n)
{
    if (a > t->len)
        a = t->len;
    if (b > t->len)
        b = t->len;
    if (b < a) {
        size_t x = a;
        a = b;
        b = x;
    }
    size_t len = t->len - (b - a) + n;
    char *s = fl_xmalloc(len + 1);
    memcpy(s, t->s, a);
    memcpy(s + a, ins, n);
    memcpy(s + a + n, t->s + b, t->len - b);
    s[len] = '\0';
    free(t->s);
    t->s = s;
    t->len = len;
    fl_text_index(t);
}

char *
fl_crlf_to_lf(const char *s, size_t n, size_t *out_len)
{
    char *o = fl_xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue;
        o[k++] = s[i];
    }
    o[k] = '\0';
    *out_len = k;
    return o;
}
