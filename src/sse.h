/*
 * sse: an incremental parser of server-sent events (text/event-stream, the WHATWG HTML
 * "event stream interpretation"), as OpenAI-compatible and Anthropic streaming replies use
 * them. Bytes go in as they arrive, in any split; each complete event comes out through
 * the callback. Layer 0: no I/O.
 *
 * Rules followed: lines end with CRLF, LF or CR (a CRLF split across two feeds counts
 * once); a line starting with ':' is a comment; `field: value` loses one space after the
 * colon; `data` lines join with '\n'; `event` sets the type (default "message"); `id` and
 * `retry` are read and ignored; a blank line dispatches the event when it has data (an
 * event with no data line is dropped, as the spec says); a leading UTF-8 BOM is skipped.
 * A line or an event longer than the cap is an error (SSE_TOO_LARGE): the parser refuses
 * every later byte.
 *
 * Ownership: struct sse is embedded by the caller (sse_init/sse_release); the strings
 * handed to the callback are borrowed for the call.
 */
#ifndef LSP_PROXY_SSE_H
#define LSP_PROXY_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* An event: type (NUL-terminated, "message" by default) and data (NUL-terminated, no
 * trailing newline). Return non-zero to stop: sse_feed() then returns SSE_STOPPED. */
typedef int sse_event_cb(const char *type, const char *data, size_t len, void *arg);

enum sse_result { SSE_OK = 0, SSE_STOPPED = 1, SSE_TOO_LARGE = -1 };

struct sse {
    struct buf line;   /* private: the current line */
    struct buf data;   /* private: the event's data so far */
    struct buf type;   /* private: the event's type */
    bool has_data;     /* private */
    bool cr;           /* private: the last byte was CR (a following LF is not a line) */
    bool started;      /* private: past the BOM check */
    bool failed;       /* read-only: SSE_TOO_LARGE was returned */
    size_t events;     /* read-only: events dispatched */
};

/* cap bounds one line and one event's data (bytes). */
void sse_init(struct sse *p, size_t cap);
void sse_release(struct sse *p);
/* Parses len bytes; calls cb for every event completed. */
enum sse_result sse_feed(struct sse *p, const char *bytes, size_t len, sse_event_cb *cb,
                         void *arg);
/* End of stream: an event without its blank line is dropped (the spec). */
void sse_reset(struct sse *p);

#endif
