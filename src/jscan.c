/* jscan: zero-allocation JSON validation and field lookup over raw text. */
#include "jscan.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct jscan_state {
    const char *s;
    size_t len;
    size_t i;
};

static void
jscan_ws(struct jscan_state *st)
{
    while (st->i < st->len) {
        char c = st->s[st->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        st->i++;
    }
}

static bool
jscan_is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Validates a string starting at the opening quote; leaves i after the closing quote. */
static int
jscan_valid_string(struct jscan_state *st)
{
    const char *s = st->s;
    size_t i = st->i + 1;
    for (;;) {
        /* Fast path: skip plain bytes. */
        while (i < st->len) {
            unsigned char c = (unsigned char)s[i];
            if (c == '"' || c == '\\' || c < 0x20)
                break;
            i++;
        }
        if (i >= st->len)
            goto bad;
        unsigned char c = (unsigned char)s[i];
        if (c == '"') {
            st->i = i + 1;
            return 0;
        }
        if (c < 0x20)
            goto bad;
        /* backslash */
        if (i + 1 >= st->len)
            goto bad;
        char e = s[i + 1];
        if (e == 'u') {
            if (i + 6 > st->len)
                goto bad;
            for (int k = 2; k < 6; k++)
                if (!jscan_is_hex(s[i + k]))
                    goto bad;
            i += 6;
        } else if (strchr("\"\\/bfnrt", e) != NULL && e != '\0') {
            i += 2;
        } else {
            goto bad;
        }
    }
bad:
    st->i = i < st->len ? i : st->len;
    return -1;
}

static int
jscan_valid_number(struct jscan_state *st)
{
    const char *s = st->s;
    size_t i = st->i, n = st->len;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n)
        goto bad;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        goto bad;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            goto bad;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            goto bad;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    st->i = i;
    return 0;
bad:
    st->i = i;
    return -1;
}

static int
jscan_valid_literal(struct jscan_state *st, const char *word)
{
    size_t n = strlen(word);
    if (st->len - st->i < n || memcmp(st->s + st->i, word, n) != 0)
        return -1;
    st->i += n;
    return 0;
}

static int
jscan_valid_value(struct jscan_state *st, int depth)
{
    if (depth > JSCAN_MAX_DEPTH)
        return -1;
    jscan_ws(st);
    if (st->i >= st->len)
        return -1;
    switch (st->s[st->i]) {
    case '{':
        st->i++;
        jscan_ws(st);
        if (st->i < st->len && st->s[st->i] == '}') {
            st->i++;
            return 0;
        }
        for (;;) {
            jscan_ws(st);
            if (st->i >= st->len || st->s[st->i] != '"' || jscan_valid_string(st) < 0)
                return -1;
            jscan_ws(st);
            if (st->i >= st->len || st->s[st->i] != ':')
                return -1;
            st->i++;
            if (jscan_valid_value(st, depth + 1) < 0)
                return -1;
            jscan_ws(st);
            if (st->i >= st->len)
                return -1;
            if (st->s[st->i] == '}') {
                st->i++;
                return 0;
            }
            if (st->s[st->i] != ',')
                return -1;
            st->i++;
        }
    case '[':
        st->i++;
        jscan_ws(st);
        if (st->i < st->len && st->s[st->i] == ']') {
            st->i++;
            return 0;
        }
        for (;;) {
            if (jscan_valid_value(st, depth + 1) < 0)
                return -1;
            jscan_ws(st);
            if (st->i >= st->len)
                return -1;
            if (st->s[st->i] == ']') {
                st->i++;
                return 0;
            }
            if (st->s[st->i] != ',')
                return -1;
            st->i++;
        }
    case '"':
        return jscan_valid_string(st);
    case 't':
        return jscan_valid_literal(st, "true");
    case 'f':
        return jscan_valid_literal(st, "false");
    case 'n':
        return jscan_valid_literal(st, "null");
    default:
        return jscan_valid_number(st);
    }
}

int
jscan_validate(const char *s, size_t len, struct jspan *value, size_t *err_offset)
{
    struct jscan_state st = {s, len, 0};
    jscan_ws(&st);
    size_t start = st.i;
    if (jscan_valid_value(&st, 0) < 0)
        goto bad;
    size_t end = st.i;
    jscan_ws(&st);
    if (st.i != len)
        goto bad;
    if (value) {
        value->p = s + start;
        value->len = end - start;
    }
    return 0;
bad:
    if (err_offset)
        *err_offset = st.i;
    if (value) {
        value->p = NULL;
        value->len = 0;
    }
    return -1;
}

/* ---- lookups over validated text: skipping needs no checks ---- */

static size_t
jscan_skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

static size_t
jscan_skip_string(const char *s, size_t n, size_t i)
{
    i++; /* opening quote */
    while (i < n) {
        const char *q = memchr(s + i, '"', n - i);
        if (q == NULL)
            return n;
        size_t j = (size_t)(q - s);
        /* count the backslashes before the quote */
        size_t k = j;
        while (k > i && s[k - 1] == '\\')
            k--;
        if (((j - k) & 1) == 0)
            return j + 1;
        i = j + 1;
    }
    return n;
}

/* Skips one value starting at i (no leading white space); returns the index after it. */
static size_t
jscan_skip_value(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return n;
    char c = s[i];
    if (c == '"')
        return jscan_skip_string(s, n, i);
    if (c == '{' || c == '[') {
        int depth = 0;
        while (i < n) {
            char d = s[i];
            if (d == '"') {
                i = jscan_skip_string(s, n, i);
                continue;
            }
            if (d == '{' || d == '[') {
                depth++;
            } else if (d == '}' || d == ']') {
                depth--;
                if (depth == 0)
                    return i + 1;
            }
            i++;
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' &&
           s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}

enum jscan_type
jscan_type(struct jspan v)
{
    if (v.p == NULL || v.len == 0)
        return JSCAN_NONE;
    switch (v.p[0]) {
    case '{': return JSCAN_OBJECT;
    case '[': return JSCAN_ARRAY;
    case '"': return JSCAN_STRING;
    case 't': return JSCAN_TRUE;
    case 'f': return JSCAN_FALSE;
    case 'n': return JSCAN_NULL;
    default: return JSCAN_NUMBER;
    }
}

bool
jscan_next(struct jspan c, size_t *pos, struct jspan *key, struct jspan *elem)
{
    enum jscan_type t = jscan_type(c);
    if (t != JSCAN_OBJECT && t != JSCAN_ARRAY)
        return false;
    const char *s = c.p;
    size_t n = c.len;
    size_t i = *pos == 0 ? 1 : *pos;
    i = jscan_skip_ws(s, n, i);
    if (i < n && s[i] == ',')
        i = jscan_skip_ws(s, n, i + 1);
    if (i >= n || s[i] == '}' || s[i] == ']')
        return false;
    if (t == JSCAN_OBJECT) {
        size_t kend = jscan_skip_string(s, n, i);
        if (key) {
            key->p = s + i + 1;
            key->len = kend - i - 2;
        }
        i = jscan_skip_ws(s, n, kend);
        i = jscan_skip_ws(s, n, i + 1); /* ':' */
    }
    size_t vend = jscan_skip_value(s, n, i);
    elem->p = s + i;
    elem->len = vend - i;
    *pos = vend;
    return true;
}

bool
jscan_get(struct jspan obj, const char *key, struct jspan *out)
{
    size_t klen = strlen(key), pos = 0;
    struct jspan k, v;
    bool found = false;
    if (jscan_type(obj) != JSCAN_OBJECT)
        return false;
    while (jscan_next(obj, &pos, &k, &v)) {
        if (k.len == klen && memcmp(k.p, key, klen) == 0) {
            *out = v;
            found = true;
        }
    }
    return found;
}

bool
jscan_path(struct jspan obj, const char *path, struct jspan *out)
{
    char key[128];
    struct jspan cur = obj;
    while (*path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key)
            return false;
        memcpy(key, path, n);
        key[n] = '\0';
        if (!jscan_get(cur, key, &cur))
            return false;
        path += n + (dot ? 1 : 0);
    }
    *out = cur;
    return true;
}

size_t
jscan_array_len(struct jspan arr)
{
    size_t pos = 0, n = 0;
    struct jspan e;
    if (jscan_type(arr) != JSCAN_ARRAY)
        return 0;
    while (jscan_next(arr, &pos, NULL, &e))
        n++;
    return n;
}

static int
jscan_hex4(const char *p)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static int
jscan_add_utf8(struct buf *out, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_add(out, u, n);
}

int
jscan_string(struct jspan v, struct buf *out)
{
    if (jscan_type(v) != JSCAN_STRING || v.len < 2)
        return -1;
    const char *s = v.p + 1;
    size_t n = v.len - 2, i = 0;
    while (i < n) {
        const char *bs = memchr(s + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
        if (buf_add(out, s + i, run) < 0)
            return -1;
        i += run;
        if (i >= n)
            break;
        if (i + 1 >= n)
            return -1;
        char e = s[i + 1];
        int rc = 0;
        i += 2;
        switch (e) {
        case 'n': rc = buf_addch(out, '\n'); break;
        case 't': rc = buf_addch(out, '\t'); break;
        case 'r': rc = buf_addch(out, '\r'); break;
        case 'b': rc = buf_addch(out, '\b'); break;
        case 'f': rc = buf_addch(out, '\f'); break;
        case 'u': {
            int hi = i + 4 <= n ? jscan_hex4(s + i) : -1;
            uint32_t cp = 0xFFFD;
            if (hi >= 0) {
                i += 4;
                cp = (uint32_t)hi;
                if (hi >= 0xD800 && hi <= 0xDBFF) {
                    int lo = (i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') ? jscan_hex4(s + i + 2)
                                                                            : -1;
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                        i += 6;
                    } else {
                        cp = 0xFFFD;
                    }
                } else if (hi >= 0xDC00 && hi <= 0xDFFF) {
                    cp = 0xFFFD;
                }
            }
            rc = jscan_add_utf8(out, cp);
            break;
        }
        default: rc = buf_addch(out, e); break; /* " \ / */
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

char *
jscan_strdup(struct jspan v)
{
    struct buf b;
    buf_init(&b, 0);
    if (jscan_string(v, &b) < 0) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

bool
jscan_string_eq(struct jspan v, const char *s)
{
    if (jscan_type(v) != JSCAN_STRING || v.len < 2)
        return false;
    size_t n = strlen(s);
    /* Fast path: no escapes. */
    if (memchr(v.p + 1, '\\', v.len - 2) == NULL)
        return v.len - 2 == n && memcmp(v.p + 1, s, n) == 0;
    char *d = jscan_strdup(v);
    bool eq = d && strcmp(d, s) == 0;
    free(d);
    return eq;
}

bool
jscan_int(struct jspan v, long long *out)
{
    if (jscan_type(v) != JSCAN_NUMBER || v.len == 0 || v.len > 20)
        return false;
    char tmp[24];
    memcpy(tmp, v.p, v.len);
    tmp[v.len] = '\0';
    if (strpbrk(tmp, ".eE"))
        return false;
    errno = 0;
    char *end;
    long long x = strtoll(tmp, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = x;
    return true;
}

bool
jscan_is_true(struct jspan v)
{
    return jscan_type(v) == JSCAN_TRUE;
}

bool
jspan_eq(struct jspan a, struct jspan b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}
