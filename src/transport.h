/*
 * transport: one LSP connection over a pair of file descriptors, on the libev loop.
 *
 * Reading: on readable, read() until EAGAIN (at most TRANSPORT_READ_BUDGET bytes per
 * wake-up, so one busy peer cannot starve the other), feed the frame reader, and hand every
 * complete body to frame_cb. Malformed and oversize frames are logged and skipped (frame.h).
 * Writing: transport_send() frames a body, appends it to the queue and writes at once;
 * what the pipe does not take waits for EV_WRITE. When the queue passes the high-water
 * mark the owner is told (TRANSPORT_EVENT_FULL) so it can stop reading the other peer;
 * TRANSPORT_EVENT_DRAINED follows once it is back under the low-water mark.
 * Errors (EOF, EPIPE) arrive once as events; the transport then stops its watchers.
 * Ownership: the transport owns neither fd unless told to (transport_new's own_fds); it
 * must not be freed inside its own callbacks: call transport_close() there and free it
 * later (the router's reaper does).
 */
#ifndef LSP_PROXY_TRANSPORT_H
#define LSP_PROXY_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

struct ev_loop;
struct transport;

#define TRANSPORT_READ_BUDGET (4u << 20)   /* bytes read per wake-up at most */
#define TRANSPORT_HIGH_WATER (16u << 20)   /* queued bytes: tell the owner to pause */
#define TRANSPORT_LOW_WATER (4u << 20)     /* queued bytes: tell the owner to resume */

enum transport_event {
    TRANSPORT_EVENT_EOF,     /* the read side reached end of file */
    TRANSPORT_EVENT_ERROR,   /* read or write failed (errno in transport_errno()) */
    TRANSPORT_EVENT_FULL,    /* the write queue passed the high-water mark */
    TRANSPORT_EVENT_DRAINED, /* the write queue fell under the low-water mark */
};

typedef void transport_frame_cb(struct transport *t, const char *body, size_t len, void *arg);
typedef void transport_event_cb(struct transport *t, enum transport_event ev, void *arg);

/* A new transport reading frames from rfd and writing to wfd (both set non-blocking and
 * close-on-exec here). name labels log lines ("editor", "lean"). max_body: frame limit in
 * bytes (0: FRAME_DEFAULT_MAX_BODY). With own_fds the fds are closed by transport_close(). */
struct transport *transport_new(struct ev_loop *loop, int rfd, int wfd, const char *name,
                                size_t max_body, bool own_fds, transport_frame_cb *frame_cb,
                                transport_event_cb *event_cb, void *arg);
/* Frees the transport (closing it first if needed). NULL is a no-op. */
void transport_free(struct transport *t);
/* Stops both watchers and closes owned fds; queued output is dropped. Safe in callbacks. */
void transport_close(struct transport *t);
bool transport_is_closed(const struct transport *t);

/* Frames body and queues it. Returns 0, or -EPIPE when the transport is closed. */
int transport_send(struct transport *t, const char *body, size_t len);
/* Stops or resumes reading (backpressure from the other side). */
void transport_pause_read(struct transport *t, bool paused);
/* Bytes waiting to be written. */
size_t transport_queued(const struct transport *t);
/* Tries to write everything queued without waiting (blocking briefly is allowed only at
 * exit: with block set, waits up to timeout_ms for the fd to take the data). */
void transport_flush(struct transport *t, bool block, int timeout_ms);
int transport_errno(const struct transport *t);

/* Counters, for logs and benchmarks. */
struct transport_stats {
    unsigned long long frames_in, frames_out, bytes_in, bytes_out, bad_frames, big_frames;
};
void transport_get_stats(const struct transport *t, struct transport_stats *out);

#endif
