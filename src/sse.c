/* sse: incremental server-sent-events parser. */
#include "sse.h"

#include <string.h>

void
sse_init(struct sse *p, size_t cap)
{
    memset(p, 0, sizeof *p);
    buf_init(&p->line, cap);
    buf_init(&p->data, cap);
    buf_init(&p->type, 256);
}

void
sse_release(struct sse *p)
{
    buf_release(&p->line);
    buf_release(&p->data);
    buf_release(&p->type);
}

void
sse_reset(struct sse *p)
{
    buf_reset(&p->line);
    buf_reset(&p->data);
    buf_reset(&p->type);
    p->has_data = false;
    p->cr = false;
}

/* One complete line (without its terminator). */
static enum sse_result
sse_line(struct sse *p, sse_event_cb *cb, void *arg)
{
    const char *s = p->line.data ? p->line.data : "";
    size_t n = p->line.len;
    if (n == 0) {
        /* blank line: dispatch */
        enum sse_result r = SSE_OK;
        if (p->has_data) {
            size_t dl = p->data.len;
            if (dl > 0 && p->data.data[dl - 1] == '\n')
                dl--; /* the last data line's newline is not part of the data */
            p->data.data[dl] = '\0';
            p->events++;
            if (cb(p->type.len ? p->type.data : "message", p->data.data, dl, arg) != 0)
                r = SSE_STOPPED;
        }
        buf_reset(&p->data);
        buf_reset(&p->type);
        p->has_data = false;
        return r;
    }
    if (s[0] == ':')
        return SSE_OK; /* comment */
    const char *colon = memchr(s, ':', n);
    size_t fl = colon ? (size_t)(colon - s) : n;
    const char *v = colon ? colon + 1 : s + n;
    size_t vl = colon ? n - fl - 1 : 0;
    if (vl > 0 && *v == ' ') {
        v++;
        vl--;
    }
    if (fl == 4 && memcmp(s, "data", 4) == 0) {
        if (buf_add(&p->data, v, vl) < 0 || buf_addch(&p->data, '\n') < 0)
            return SSE_TOO_LARGE;
        p->has_data = true;
    } else if (fl == 5 && memcmp(s, "event", 5) == 0) {
        buf_reset(&p->type);
        if (buf_add(&p->type, v, vl) < 0)
            return SSE_TOO_LARGE;
    }
    /* id, retry and unknown fields: ignored */
    return SSE_OK;
}

enum sse_result
sse_feed(struct sse *p, const char *bytes, size_t len, sse_event_cb *cb, void *arg)
{
    size_t i = 0;
    if (p->failed)
        return SSE_TOO_LARGE;
    if (!p->started) {
        /* a BOM may only open the stream; wait until three bytes (or a mismatch) are seen */
        static const char bom[] = "\xEF\xBB\xBF";
        size_t have = p->line.len;
        while (i < len && have + i < 3 && (unsigned char)bytes[i] == (unsigned char)bom[have + i])
            i++;
        if (have + i < 3 && i == len) {
            (void)buf_add(&p->line, bytes, len); /* partial BOM: keep it for now */
            return SSE_OK;
        }
        if (have + i == 3) {
            buf_reset(&p->line); /* a whole BOM: skipped */
        } else {
            i = 0; /* not a BOM: what was held is ordinary text */
        }
        p->started = true;
    }
    while (i < len) {
        const char *s = bytes + i;
        size_t n = len - i, k = 0;
        if (p->cr) {
            p->cr = false;
            if (s[0] == '\n') {
                i++;
                continue;
            }
        }
        while (k < n && s[k] != '\n' && s[k] != '\r')
            k++;
        if (buf_add(&p->line, s, k) < 0) {
            p->failed = true;
            return SSE_TOO_LARGE;
        }
        i += k;
        if (k == n)
            break; /* the line continues in the next feed */
        p->cr = s[k] == '\r';
        i++;
        enum sse_result r = sse_line(p, cb, arg);
        buf_reset(&p->line);
        if (r == SSE_TOO_LARGE)
            p->failed = true;
        if (r != SSE_OK)
            return r;
    }
    return SSE_OK;
}
