/*
 * fl_wire.c: framing and raw-JSON spans for the fake Lean server (see fl_wire.h).
 */
#include "fl_wire.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fl_util.h"

void
fl_reader_feed(struct fl_reader *r, const char *data, size_t n)
{
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + n)
            cap *= 2;
        r->buf = fl_xrealloc(r->buf, cap);
        r->cap = cap;
    }
    memcpy(r->buf + r->len, data, n);
    r->len += n;
}

bool
fl_reader_pending(const struct fl_reader *r)
{
    return r->len > 0;
}

void
fl_reader_release(struct fl_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = r->cap = 0;
}

/*
 * The header as Lean's readLspHeader reads it (Lean/Data/Lsp/Communication.lean): lines up
 * to "\n" that must end in "\r\n" and hold "NAME: VALUE" (split at the first ": "); an empty
 * line "\r\n" ends the header; the first field named exactly "Content-Length" (case
 * matters) gives the length, which must be a plain decimal number.
 */
enum fl_frame
fl_reader_next(struct fl_reader *r, char **body, size_t *len, const char **err)
{
    size_t i = 0, blen = 0;
    bool have = false;
    for (;;) {
        const char *nl = memchr(r->buf + i, '\n', r->len - i);
        if (!nl) {
            if (r->len > FL_WIRE_MAX_HEADER) {
                *err = "header too long";
                return FL_FRAME_BAD;
            }
            return FL_FRAME_NEED_MORE;
        }
        size_t e = (size_t)(nl - r->buf); /* index of '\n' */
        if (e == i + 1 && r->buf[i] == '\r') {
            i = e + 1;
            break;
        }
        if (e == i || r->buf[e - 1] != '\r') {
            *err = "Invalid header field (line does not end in \\r\\n)";
            return FL_FRAME_BAD;
        }
        const char *line = r->buf + i;
        size_t ll = e - 1 - i, sep = 0;
        while (sep + 1 < ll && !(line[sep] == ':' && line[sep + 1] == ' '))
            sep++;
        if (sep + 1 >= ll) {
            *err = "Invalid header field (no ': ')";
            return FL_FRAME_BAD;
        }
        if (!have && sep == 14 && memcmp(line, "Content-Length", 14) == 0) {
            const char *v = line + sep + 2, *vend = line + ll;
            if (v == vend) {
                *err = "Content-Length header field value is not a Nat";
                return FL_FRAME_BAD;
            }
            unsigned long long x = 0;
            for (; v < vend; v++) {
                if (!isdigit((unsigned char)*v)) {
                    *err = "Content-Length header field value is not a Nat";
                    return FL_FRAME_BAD;
                }
                x = x * 10 + (unsigned)(*v - '0');
                if (x > FL_WIRE_MAX_BODY) {
                    *err = "Content-Length too large";
                    return FL_FRAME_BAD;
                }
            }
            blen = (size_t)x;
            have = true;
        }
        i = e + 1;
    }
    if (!have) {
        *err = "No Content-Length field in header";
        return FL_FRAME_BAD;
    }
    if (r->len - i < blen)
        return FL_FRAME_NEED_MORE;
    *body = fl_xmemdup(r->buf + i, blen);
    *len = blen;
    size_t used = i + blen;
    memmove(r->buf, r->buf + used, r->len - used);
    r->len -= used;
    return FL_FRAME_OK;
}

int
fl_write_frame(int fd, const char *body, size_t len)
{
    char head[64];
    int hn = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", len);
    char *all = fl_xmalloc((size_t)hn + len);
    memcpy(all, head, (size_t)hn);
    memcpy(all + hn, body, len);
    size_t total = (size_t)hn + len, off = 0;
    int rc = 0;
    while (off < total) {
        ssize_t w = write(fd, all + off, total - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            break;
        }
        off += (size_t)w;
    }
    free(all);
    return rc;
}

static size_t
fl_skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* Index after the string literal starting at s[i] == '"'. */
static size_t
fl_skip_string(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

size_t
fl_json_skip_value(const char *s, size_t n, size_t i)
{
    i = fl_skip_ws(s, n, i);
    if (i >= n)
        return n;
    if (s[i] == '"')
        return fl_skip_string(s, n, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < n) {
            char c = s[i];
            if (c == '"') {
                i = fl_skip_string(s, n, i);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
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

static int
fl_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Compares the JSON string literal s[a..b) (quotes included) with key after unescaping. */
static bool
fl_key_equals(const char *s, size_t a, size_t b, const char *key)
{
    size_t k = 0, klen = strlen(key);
    for (size_t i = a + 1; i + 1 < b; i++) {
        unsigned cp = (unsigned char)s[i];
        if (s[i] == '\\' && i + 2 < b) {
            i++;
            switch (s[i]) {
            case 'n': cp = '\n'; break;
            case 't': cp = '\t'; break;
            case 'r': cp = '\r'; break;
            case 'b': cp = '\b'; break;
            case 'f': cp = '\f'; break;
            case 'u':
                cp = 0;
                for (int j = 1; j <= 4 && i + (size_t)j < b; j++) {
                    int h = fl_hexval(s[i + (size_t)j]);
                    if (h < 0)
                        return false;
                    cp = cp * 16 + (unsigned)h;
                }
                i += 4;
                if (cp >= 0x80)
                    return false; /* non-ASCII escapes never occur in the keys we look for */
                break;
            default: cp = (unsigned char)s[i]; break;
            }
        }
        if (k >= klen || (unsigned char)key[k] != cp)
            return false;
        k++;
    }
    return k == klen;
}

bool
fl_json_member(const char *s, size_t n, const char *key, size_t *vstart, size_t *vend)
{
    size_t i = fl_skip_ws(s, n, 0);
    if (i >= n || s[i] != '{')
        return false;
    i++;
    for (;;) {
        i = fl_skip_ws(s, n, i);
        if (i >= n || s[i] != '"')
            return false;
        size_t ka = i, kb = fl_skip_string(s, n, i);
        i = fl_skip_ws(s, n, kb);
        if (i >= n || s[i] != ':')
            return false;
        size_t va = fl_skip_ws(s, n, i + 1);
        size_t vb = fl_json_skip_value(s, n, va);
        if (fl_key_equals(s, ka, kb, key)) {
            *vstart = va;
            *vend = vb;
            return true;
        }
        i = fl_skip_ws(s, n, vb);
        if (i >= n || s[i] != ',')
            return false;
        i++;
    }
}

bool
fl_json_path(const char *s, size_t n, const char *const *path, size_t *vstart, size_t *vend)
{
    size_t base = 0, end = n;
    for (; *path; path++) {
        size_t a, b;
        if (!fl_json_member(s + base, end - base, *path, &a, &b))
            return false;
        end = base + b;
        base += a;
    }
    *vstart = base;
    *vend = end;
    return true;
}

char *
fl_json_minify(const char *s, size_t n)
{
    char *out = fl_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == '"') {
            size_t e = fl_skip_string(s, n, i);
            memcpy(out + o, s + i, e - i);
            o += e - i;
            i = e;
        } else {
            if (!(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
                out[o++] = s[i];
            i++;
        }
    }
    out[o] = '\0';
    return out;
}
