/* Unit tests for src/frame.c: split and coalesced frames, bad headers, size limits. */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "tap.h"

/* Feeds input in pieces of `step` bytes and collects the bodies, joined by '|'; bad events
 * are written as "<bad>" / "<big>". */
static void
collect(const char *input, size_t len, size_t step, size_t max_body, char *out, size_t outcap)
{
    struct frame_reader r;
    frame_reader_init(&r, max_body, 160);
    out[0] = '\0';
    for (size_t off = 0; off < len; off += step) {
        size_t n = len - off < step ? len - off : step;
        frame_reader_feed(&r, input + off, n);
        for (;;) {
            const char *body;
            size_t blen;
            enum frame_result res = frame_reader_next(&r, &body, &blen);
            if (res == FRAME_NEED_MORE)
                break;
            if (*out)
                strncat(out, "|", outcap - strlen(out) - 1);
            if (res == FRAME_OK)
                strncat(out, body, blen < outcap - strlen(out) - 1 ? blen : outcap - strlen(out) - 1);
            else
                strncat(out, res == FRAME_BAD_HEADER ? "<bad>" : "<big>", outcap - strlen(out) - 1);
        }
    }
    frame_reader_release(&r);
}

int
main(void)
{
    char out[4096];
    const char *two = "Content-Length: 5\r\n\r\nhelloContent-Length: 3\r\n\r\nabc";
    for (size_t step = 1; step <= strlen(two); step++) {
        collect(two, strlen(two), step, 0, out, sizeof out);
        if (strcmp(out, "hello|abc") != 0) {
            is_str(out, "hello|abc", "split at every %zu bytes", step);
            break;
        }
    }
    ok(strcmp(out, "hello|abc") == 0, "two frames survive every split size");

    collect(two, strlen(two), 1000, 0, out, sizeof out);
    is_str(out, "hello|abc", "coalesced frames in one read");

    const char *extra = "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
                        "content-length:  2 \r\n\r\n{}";
    collect(extra, strlen(extra), 7, 0, out, sizeof out);
    is_str(out, "{}", "extra header fields, case-insensitive name, spaces tolerated");

    const char *bad = "Content-Length: xyz\r\n\r\nContent-Length: 2\r\n\r\nok";
    collect(bad, strlen(bad), 3, 0, out, sizeof out);
    is_str(out, "<bad>|ok", "non-numeric length dropped, next frame read");

    const char *nolen = "Foo: bar\r\n\r\ngarbage-body\nContent-Length: 2\r\n\r\nok";
    collect(nolen, strlen(nolen), 100, 0, out, sizeof out);
    is_str(out, "<bad>|ok", "missing Content-Length: resync on the next header line");

    const char *junk = "this is not a header at all, no colon here\r\n\r\nContent-Length: 1\r\n\r\nx";
    collect(junk, strlen(junk), 5, 0, out, sizeof out);
    is_str(out, "<bad>|x", "junk without a colon is dropped");

    char big[256];
    snprintf(big, sizeof big, "Content-Length: 40\r\n\r\n%s%s", "0123456789012345678901234567890123456789",
             "Content-Length: 2\r\n\r\nok");
    collect(big, strlen(big), 4, 16, out, sizeof out);
    is_str(out, "<big>|ok", "oversize frame skipped as it streams in, next frame read");

    /* A huge header block (longer than the header limit) is dropped. */
    char huge[512];
    memset(huge, 'A', 300);
    memcpy(huge, "X-Pad: ", 7);
    strcpy(huge + 300, "\r\n\r\nContent-Length: 2\r\n\r\nok");
    collect(huge, strlen(huge), 50, 0, out, sizeof out);
    is_str(out, "<bad>|ok", "header block over the limit dropped");

    const char *glued = "Content-Length: x\r\n\r\n{\"a\":1}Content-Length: 2\r\n\r\nok";
    collect(glued, strlen(glued), 6, 0, out, sizeof out);
    is_str(out, "<bad>|ok", "the next header right after an unreadable frame's body is found");

    const char *overflow = "Content-Length: 99999999999999999999999\r\n\r\nContent-Length: 2\r\n\r\nok";
    collect(overflow, strlen(overflow), 9, 0, out, sizeof out);
    is_str(out, "<bad>|ok", "length overflowing 64 bits is a bad header");

    const char *blank = "\r\nContent-Length: 2\r\n\r\n{}\r\n";
    collect(blank, strlen(blank), 2, 0, out, sizeof out);
    is_str(out, "{}", "blank lines between frames tolerated");

    const char *bare_lf = "Content-Length: 2\n\n{}";
    collect(bare_lf, strlen(bare_lf), 1, 0, out, sizeof out);
    is_str(out, "{}", "bare LF header terminator tolerated");

    struct buf b;
    buf_init(&b, 0);
    frame_encode(&b, "{\"a\":1}", 7);
    is_str(b.data, "Content-Length: 7\r\n\r\n{\"a\":1}", "encode");
    buf_release(&b);

    /* A large body arriving in small pieces keeps exactly its bytes. */
    size_t n = 3u << 20;
    char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = (char)('a' + i % 26);
    struct buf in;
    buf_init(&in, 0);
    frame_encode(&in, body, n);
    struct frame_reader r;
    frame_reader_init(&r, 0, 0);
    size_t got = 0;
    bool same = false;
    for (size_t off = 0; off < in.len; off += 65536) {
        frame_reader_feed(&r, in.data + off, in.len - off < 65536 ? in.len - off : 65536);
        const char *bp;
        size_t bl;
        if (frame_reader_next(&r, &bp, &bl) == FRAME_OK) {
            got++;
            same = bl == n && memcmp(bp, body, n) == 0;
        }
    }
    ok(got == 1 && same, "3 MiB body reassembled byte for byte");
    frame_reader_release(&r);
    buf_release(&in);
    free(body);
    return done_testing();
}
