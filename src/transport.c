/* transport: framed LSP I/O on a pair of fds, driven by libev. */
#include "transport.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "frame.h"
#include "log.h"
#include "xalloc.h"

struct transport {
    struct ev_loop *loop;
    ev_io rio;               /* readable on rfd */
    ev_io wio;               /* writable on wfd, only while the queue is not empty */
    int rfd, wfd;
    bool own_fds;
    bool closed;
    bool paused;             /* reading stopped by the owner */
    bool full;               /* FULL reported, DRAINED not yet */
    char *name;
    struct frame_reader reader;
    struct buf out;          /* queued output */
    size_t out_off;          /* bytes of `out` already written */
    int err;
    transport_frame_cb *frame_cb;
    transport_event_cb *event_cb;
    void *arg;
    struct transport_stats stats;
};

static void transport_readable_cb(struct ev_loop *loop, ev_io *w, int revents);
static void transport_writable_cb(struct ev_loop *loop, ev_io *w, int revents);

static void
transport_set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    int fd_fl = fcntl(fd, F_GETFD);
    if (fd_fl >= 0)
        fcntl(fd, F_SETFD, fd_fl | FD_CLOEXEC);
}

struct transport *
transport_new(struct ev_loop *loop, int rfd, int wfd, const char *name, size_t max_body,
              bool own_fds, transport_frame_cb *frame_cb, transport_event_cb *event_cb,
              void *arg)
{
    struct transport *t = xcalloc(1, sizeof *t);
    t->loop = loop;
    t->rfd = rfd;
    t->wfd = wfd;
    t->own_fds = own_fds;
    t->name = xstrdup(name);
    t->frame_cb = frame_cb;
    t->event_cb = event_cb;
    t->arg = arg;
    frame_reader_init(&t->reader, max_body, 0);
    buf_init(&t->out, 0);
    transport_set_flags(rfd);
    transport_set_flags(wfd);
    ev_io_init(&t->rio, transport_readable_cb, rfd, EV_READ);
    ev_io_init(&t->wio, transport_writable_cb, wfd, EV_WRITE);
    ev_io_start(loop, &t->rio);
    return t;
}

void
transport_close(struct transport *t)
{
    if (t == NULL || t->closed)
        return;
    t->closed = true;
    ev_io_stop(t->loop, &t->rio);
    ev_io_stop(t->loop, &t->wio);
    if (t->own_fds) {
        close(t->rfd);
        if (t->wfd != t->rfd)
            close(t->wfd);
    }
    buf_release(&t->out);
    t->out_off = 0;
}

void
transport_free(struct transport *t)
{
    if (t == NULL)
        return;
    transport_close(t);
    frame_reader_release(&t->reader);
    buf_release(&t->out);
    free(t->name);
    free(t);
}

bool
transport_is_closed(const struct transport *t)
{
    return t->closed;
}

int
transport_errno(const struct transport *t)
{
    return t->err;
}

size_t
transport_queued(const struct transport *t)
{
    return t->out.len - t->out_off;
}

void
transport_get_stats(const struct transport *t, struct transport_stats *out)
{
    *out = t->stats;
    out->bad_frames = t->reader.bad_frames;
    out->big_frames = t->reader.big_frames;
}

/* Reports an event unless the transport was closed meanwhile. */
static void
transport_emit(struct transport *t, enum transport_event ev)
{
    if (t->event_cb)
        t->event_cb(t, ev, t->arg);
}

static void
transport_fail(struct transport *t, int err, const char *what)
{
    if (t->closed)
        return;
    t->err = err;
    log_warn("transport", "%s: %s failed: %s", t->name, what, strerror(err));
    ev_io_stop(t->loop, &t->rio);
    ev_io_stop(t->loop, &t->wio);
    transport_emit(t, TRANSPORT_EVENT_ERROR);
}

/* Writes as much of the queue as the fd takes now. */
static void
transport_write_some(struct transport *t)
{
    while (!t->closed && t->out_off < t->out.len) {
        ssize_t n = write(t->wfd, t->out.data + t->out_off, t->out.len - t->out_off);
        if (n > 0) {
            t->out_off += (size_t)n;
            t->stats.bytes_out += (unsigned long long)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!ev_is_active(&t->wio))
                ev_io_start(t->loop, &t->wio);
            break;
        }
        transport_fail(t, n < 0 ? errno : EPIPE, "write");
        return;
    }
    if (t->closed)
        return;
    if (t->out_off == t->out.len) {
        buf_reset(&t->out);
        t->out_off = 0;
        ev_io_stop(t->loop, &t->wio);
    } else if (t->out_off > (1u << 20) && t->out_off > t->out.len / 2) {
        buf_consume(&t->out, t->out_off);
        t->out_off = 0;
    }
    if (t->full && transport_queued(t) <= TRANSPORT_LOW_WATER) {
        t->full = false;
        transport_emit(t, TRANSPORT_EVENT_DRAINED);
    }
}

int
transport_send(struct transport *t, const char *body, size_t len)
{
    if (t->closed || t->err)
        return -EPIPE;
    frame_encode(&t->out, body, len);
    t->stats.frames_out++;
    /* Write at once unless output is already waiting for EV_WRITE. */
    if (!ev_is_active(&t->wio))
        transport_write_some(t);
    if (!t->closed && !t->full && transport_queued(t) > TRANSPORT_HIGH_WATER) {
        t->full = true;
        log_debug("transport", "%s: write queue over %u bytes", t->name, TRANSPORT_HIGH_WATER);
        transport_emit(t, TRANSPORT_EVENT_FULL);
    }
    return 0;
}

void
transport_flush(struct transport *t, bool block, int timeout_ms)
{
    transport_write_some(t);
    while (block && !t->closed && !t->err && transport_queued(t) > 0) {
        struct pollfd p = {.fd = t->wfd, .events = POLLOUT};
        int rc = poll(&p, 1, timeout_ms);
        if (rc <= 0)
            break;
        transport_write_some(t);
    }
}

void
transport_pause_read(struct transport *t, bool paused)
{
    if (t->closed || t->paused == paused)
        return;
    t->paused = paused;
    if (paused)
        ev_io_stop(t->loop, &t->rio);
    else if (!t->err) {
        ev_io_start(t->loop, &t->rio);
        /* Frames may already be buffered: run the read callback once without waiting. */
        if (frame_reader_pending(&t->reader) > 0)
            ev_feed_event(t->loop, &t->rio, EV_READ);
    }
}

/* Hands every complete frame to the owner; logs and skips bad ones. */
static void
transport_dispatch(struct transport *t)
{
    for (;;) {
        const char *body;
        size_t len;
        enum frame_result r = frame_reader_next(&t->reader, &body, &len);
        if (r == FRAME_NEED_MORE)
            return;
        if (r == FRAME_BAD_HEADER) {
            log_error("transport", "%s: malformed frame header dropped; resynchronising",
                      t->name);
            continue;
        }
        if (r == FRAME_TOO_LARGE) {
            log_error("transport", "%s: frame of %zu bytes is over the limit; skipped",
                      t->name, t->reader.last_length);
            continue;
        }
        t->stats.frames_in++;
        t->frame_cb(t, body, len, t->arg);
        if (t->closed || t->paused)
            return;
    }
}

static void
transport_readable_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct transport *t = (struct transport *)((char *)w - offsetof(struct transport, rio));
    static char chunk[256 * 1024];
    size_t total = 0;
    (void)loop;
    (void)revents;
    /* Frames left over from a paused dispatch go first. */
    transport_dispatch(t);
    while (!t->closed && !t->paused && total < TRANSPORT_READ_BUDGET) {
        ssize_t n = read(t->rfd, chunk, sizeof chunk);
        if (n > 0) {
            total += (size_t)n;
            t->stats.bytes_in += (unsigned long long)n;
            frame_reader_feed(&t->reader, chunk, (size_t)n);
            transport_dispatch(t);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n == 0) {
            ev_io_stop(t->loop, &t->rio);
            transport_emit(t, TRANSPORT_EVENT_EOF);
        } else {
            transport_fail(t, errno, "read");
        }
        break;
    }
}

static void
transport_writable_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct transport *t = (struct transport *)((char *)w - offsetof(struct transport, wio));
    (void)loop;
    (void)revents;
    transport_write_some(t);
}
