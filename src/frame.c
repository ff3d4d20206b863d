/* frame: incremental LSP Content-Length framing with resynchronisation. */
#include "frame.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void
frame_reader_init(struct frame_reader *r, size_t max_body, size_t max_header)
{
    memset(r, 0, sizeof *r);
    r->max_body = max_body ? max_body : FRAME_DEFAULT_MAX_BODY;
    r->max_header = max_header ? max_header : FRAME_DEFAULT_MAX_HEADER;
    /* The buffer never holds more than one frame plus one read's worth of the next. */
    buf_init(&r->in, 0);
}

void
frame_reader_release(struct frame_reader *r)
{
    buf_release(&r->in);
}

size_t
frame_reader_pending(const struct frame_reader *r)
{
    return r->in.len - r->consumed;
}

/* Drops the bytes handed out by the previous FRAME_OK. */
static void
frame_reader_compact(struct frame_reader *r)
{
    if (r->consumed) {
        buf_consume(&r->in, r->consumed);
        r->consumed = 0;
    }
}

int
frame_reader_feed(struct frame_reader *r, const char *data, size_t len)
{
    frame_reader_compact(r);
    if (r->skip) {
        size_t n = len < r->skip ? len : r->skip;
        r->skip -= n;
        data += n;
        len -= n;
    }
    if (len == 0)
        return 0;
    return buf_add(&r->in, data, len);
}

/* Finds "\r\n\r\n" (or a bare "\n\n", tolerated) in s[0..n); returns the offset of the
 * body start, or 0 when none is there yet. */
static size_t
frame_header_end(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '\n')
            continue;
        if (s[i + 1] == '\n')
            return i + 2;
        if (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* Parses the header block s[0..n). Returns the content length or -1 when invalid. */
static long long
frame_parse_headers(const char *s, size_t n)
{
    long long length = -1;
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n;
        size_t line_end = end;
        if (line_end > i && s[line_end - 1] == '\r')
            line_end--;
        if (line_end > i) {
            const char *line = s + i;
            size_t ll = line_end - i;
            const char *colon = memchr(line, ':', ll);
            if (colon == NULL)
                return -1;
            size_t name_len = (size_t)(colon - line);
            if (name_len == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
                size_t j = name_len + 1;
                while (j < ll && (line[j] == ' ' || line[j] == '\t'))
                    j++;
                if (j == ll)
                    return -1;
                unsigned long long v = 0;
                for (; j < ll && isdigit((unsigned char)line[j]); j++) {
                    if (v > (UINT64_MAX - 9) / 10)
                        return -1;
                    v = v * 10 + (unsigned)(line[j] - '0');
                }
                while (j < ll && (line[j] == ' ' || line[j] == '\t'))
                    j++;
                if (j != ll || v > (unsigned long long)INT64_MAX)
                    return -1;
                length = (long long)v;
            }
        }
        i = end + 1;
    }
    return length;
}

/* True when s[0..n) starts with "Content-Length:" (or with a prefix of it, when partial). */
static bool
frame_starts_header(const char *s, size_t n, bool partial)
{
    static const char h[] = "Content-Length:";
    size_t k = n < 15 ? n : 15;
    if (!partial && n < 15)
        return false;
    return strncasecmp(s, h, k) == 0;
}

/* Resynchronising: drops input up to the next "Content-Length:" (frames follow each other
 * with no separator, so the next header may start anywhere, e.g. right after the body of
 * a frame whose header was unreadable). Returns true when the buffer now starts with one;
 * false when more input is needed (a tail that may become one is kept). */
static bool
frame_resync(struct frame_reader *r)
{
    const char *s = r->in.data;
    size_t n = r->in.len;
    for (size_t i = 0; i + 15 <= n; i++) {
        if ((s[i] == 'C' || s[i] == 'c') && frame_starts_header(s + i, n - i, false)) {
            buf_consume(&r->in, i);
            return true;
        }
    }
    size_t keep = n < 14 ? n : 14;
    while (keep > 0 && !frame_starts_header(s + n - keep, keep, true))
        keep--;
    buf_consume(&r->in, n - keep);
    return false;
}

/* Reports one malformed header block and starts resynchronising after its first skip
 * bytes (so the block itself cannot match again). */
static enum frame_result
frame_bad(struct frame_reader *r, size_t skip)
{
    r->bad_frames++;
    buf_consume(&r->in, skip);
    r->resyncing = true;
    return FRAME_BAD_HEADER;
}

enum frame_result
frame_reader_next(struct frame_reader *r, const char **body, size_t *len)
{
    frame_reader_compact(r);
    if (r->resyncing) {
        if (!frame_resync(r))
            return FRAME_NEED_MORE;
        r->resyncing = false;
    }
    const char *s = r->in.data;
    size_t n = r->in.len;
    if (n == 0)
        return FRAME_NEED_MORE;
    /* Tolerate blank lines between frames. */
    size_t lead = 0;
    while (lead < n && (s[lead] == '\r' || s[lead] == '\n'))
        lead++;
    if (lead) {
        buf_consume(&r->in, lead);
        s = r->in.data;
        n = r->in.len;
        if (n == 0)
            return FRAME_NEED_MORE;
    }
    size_t hdr_end = frame_header_end(s, n < r->max_header ? n : r->max_header);
    if (hdr_end == 0) {
        if (n < r->max_header) {
            /* A header block must start with a field name; junk before it is dropped. */
            if (n >= 15 && memchr(s, ':', n < 64 ? n : 64) == NULL)
                return frame_bad(r, 1);
            return FRAME_NEED_MORE;
        }
        return frame_bad(r, 1);
    }
    long long length = frame_parse_headers(s, hdr_end);
    if (length < 0)
        return frame_bad(r, hdr_end);
    if ((unsigned long long)length > r->max_body) {
        r->big_frames++;
        r->last_length = (size_t)length;
        size_t avail = n - hdr_end;
        size_t drop = avail < (size_t)length ? avail : (size_t)length;
        r->skip = (size_t)length - drop;
        buf_consume(&r->in, hdr_end + drop);
        return FRAME_TOO_LARGE;
    }
    if (n - hdr_end < (size_t)length) {
        /* Reserve room once for the whole body so large frames grow in one step. */
        buf_grow(&r->in, (size_t)length - (n - hdr_end));
        return FRAME_NEED_MORE;
    }
    *body = r->in.data + hdr_end;
    *len = (size_t)length;
    r->consumed = hdr_end + (size_t)length;
    return FRAME_OK;
}

int
frame_encode(struct buf *out, const char *body, size_t len)
{
    char hdr[48];
    int n = snprintf(hdr, sizeof hdr, "Content-Length: %zu\r\n\r\n", len);
    size_t start = out->len;
    int rc = buf_add(out, hdr, (size_t)n);
    if (rc == 0)
        rc = buf_add(out, body, len);
    if (rc < 0) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    return rc;
}
