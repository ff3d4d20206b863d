/*
 * frame: the LSP base protocol's framing, as an incremental reader with no I/O.
 *
 * "Content-Length: N\r\n" (other header fields tolerated, any order, case-insensitive
 * names), "\r\n", then N bytes of body. Bytes are fed in whatever pieces reads return;
 * frame_reader_next() hands out complete bodies one at a time. Bad input never stops the
 * reader: a frame over the size limit is skipped byte for byte as it arrives (never
 * buffered), a header block without a valid Content-Length or longer than the header limit
 * is dropped and the reader resynchronises on the next "Content-Length:".
 * Each such event is returned once so the caller can log it.
 * transport (layer 1) wraps this around file descriptors; the fuzzer drives it directly.
 */
#ifndef LSP_PROXY_FRAME_H
#define LSP_PROXY_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define FRAME_DEFAULT_MAX_BODY (64u << 20) /* bytes */
#define FRAME_DEFAULT_MAX_HEADER 8192u     /* bytes, the whole header block */

enum frame_result {
    FRAME_NEED_MORE,  /* no complete frame buffered: feed more bytes */
    FRAME_OK,         /* body and len hold one frame's body */
    FRAME_BAD_HEADER, /* a malformed header block was dropped; call again */
    FRAME_TOO_LARGE,  /* a frame over the limit is being skipped; call again */
};

struct frame_reader {
    struct buf in;       /* private: unconsumed input */
    size_t max_body;     /* private */
    size_t max_header;   /* private */
    size_t skip;         /* private: body bytes still to discard (oversize frame) */
    size_t consumed;     /* private: bytes of `in` handed out by the last FRAME_OK */
    bool resyncing;      /* private: dropping input until a "Content-Length:" line */
    size_t bad_frames;   /* read-only: malformed headers dropped so far */
    size_t big_frames;   /* read-only: oversize frames skipped so far */
    size_t last_length;  /* read-only: the Content-Length of the last FRAME_TOO_LARGE */
};

/* Sets up a reader; 0 for either limit means the default. */
void frame_reader_init(struct frame_reader *r, size_t max_body, size_t max_header);
void frame_reader_release(struct frame_reader *r);
/* Appends bytes read from the peer. Returns 0 (input is always accepted: oversize
 * bodies are discarded as they come, so the buffer stays within the limits). */
int frame_reader_feed(struct frame_reader *r, const char *data, size_t len);
/* Returns the next event. With FRAME_OK, *body points into the reader (valid until the
 * next call of any frame_reader function); it is not NUL-terminated. */
enum frame_result frame_reader_next(struct frame_reader *r, const char **body, size_t *len);
/* Bytes buffered and not yet returned. */
size_t frame_reader_pending(const struct frame_reader *r);

/* Appends "Content-Length: len\r\n\r\n" + body to out. Returns 0 or -E2BIG. */
int frame_encode(struct buf *out, const char *body, size_t len);

#endif
