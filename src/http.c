/* http: libcurl multi on libev (curl docs/examples/evhiperfifo.c, with STYLE.md's fixes). */
#include "http.h"

#include <curl/curl.h>
#include <ev.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "curlload.h"
#include "log.h"
#include "xalloc.h"

/* libcurl, loaded by the first http_new() (curlload.h says why); set before any other use. */
static const struct curlload *C;

#define HTTP_DEFAULT_MAX_BODY ((size_t)16 << 20)
#define HTTP_DEFAULT_BACKOFF_MS 500
#define HTTP_DEFAULT_MAX_RETRY_AFTER_MS 60000

enum rq_state {
    RQ_QUEUED,   /* waiting to be added to the multi handle (next finish pass) */
    RQ_RUNNING,  /* in the multi handle */
    RQ_WAITING,  /* between attempts (retry timer) */
    RQ_DONE,     /* on the done list: its callback runs in the next finish pass */
};

struct http_sock {
    struct http *h;
    ev_io io;
};

struct http_request {
    struct http *h;
    struct http_request *next, *prev; /* every request not yet freed */
    struct http_request *done_next;   /* the done list */
    enum rq_state state;
    CURL *easy;
    struct curl_slist *headers;
    char *url, *body;
    size_t body_len;
    bool post;
    long timeout_ms, idle_timeout_ms, backoff_ms, max_retry_after_ms;
    int retries;
    bool stream;
    http_data_cb *data;
    http_done_cb *done;
    void *arg;
    struct buf resp;         /* collected body */
    int attempts;
    long retry_after_ms;     /* from the last reply's Retry-After, -1 when none */
    bool delivered;          /* body bytes went to the data callback: no retry */
    bool cancelled, stopped, too_large, idle;
    enum http_error error;
    int status;
    char message[256];
    double t0;               /* ev_now at start, seconds */
    ev_timer retry_timer;
    ev_timer idle_timer;
};

struct http {
    struct ev_loop *loop;
    CURLM *multi;
    ev_timer timer;          /* libcurl's timeout */
    ev_timer finish;         /* zero-delay: adds queued requests, runs done callbacks */
    struct http_request *all;
    struct http_request *done_head, *done_tail;
    size_t nactive;
    uint64_t rng;
};

static int http_global_refs;

#define CONTAINER(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static void finish_soon(struct http *h);

/* ---- libcurl's socket and timer callbacks ---- */

static void
check_multi_info(struct http *h);

static void
sock_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct http_sock *hs = CONTAINER(w, struct http_sock, io);
    struct http *h = hs->h;
    int action = (revents & EV_READ ? CURL_CSELECT_IN : 0) |
                 (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
    int running;
    (void)loop;
    /* hs may be freed inside (CURL_POLL_REMOVE): read nothing from it afterwards */
    C->multi_socket_action(h->multi, w->fd, action, &running);
    check_multi_info(h);
}

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct http *h = userp;
    struct http_sock *hs = socketp;
    (void)e;
    if (what == CURL_POLL_REMOVE) {
        if (hs) {
            ev_io_stop(h->loop, &hs->io);
            free(hs);
        }
        return 0;
    }
    int kind = (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
    if (hs == NULL) {
        hs = xcalloc(1, sizeof *hs);
        hs->h = h;
        ev_io_init(&hs->io, sock_io_cb, s, kind);
        C->multi_assign(h->multi, s, hs);
    } else {
        ev_io_stop(h->loop, &hs->io);
        ev_io_set(&hs->io, s, kind);
    }
    ev_io_start(h->loop, &hs->io);
    return 0;
}

static void
curl_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct http *h = CONTAINER(w, struct http, timer);
    int running;
    (void)loop, (void)revents;
    C->multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_multi_info(h);
}

/* CURLMOPT_TIMERFUNCTION: never call libcurl from here; a 0 timeout is a zero-delay timer */
static int
multi_timer_cb(CURLM *m, long timeout_ms, void *userp)
{
    struct http *h = userp;
    (void)m;
    ev_timer_stop(h->loop, &h->timer);
    if (timeout_ms >= 0) {
        ev_timer_set(&h->timer, (double)timeout_ms / 1000.0, 0.);
        ev_timer_start(h->loop, &h->timer);
    }
    return 0;
}

/* ---- one request ---- */

static size_t
write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
    struct http_request *r = ud;
    size_t n = size * nmemb;
    long code = 0;
    if (r->cancelled)
        return 0;
    if (r->idle_timeout_ms > 0) {
        r->idle_timer.repeat = (double)r->idle_timeout_ms / 1000.0;
        ev_timer_again(r->h->loop, &r->idle_timer);
    }
    C->easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
    if (r->stream && r->data && code >= 200 && code < 300) {
        r->delivered = true;
        if (r->data(r, p, n, r->arg) != 0) {
            r->stopped = true;
            return 0;
        }
        return r->cancelled ? 0 : n;
    }
    if (buf_add(&r->resp, p, n) < 0) {
        r->too_large = true;
        return 0;
    }
    return n;
}

/* Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
static size_t
header_cb(char *p, size_t size, size_t nmemb, void *ud)
{
    struct http_request *r = ud;
    size_t n = size * nmemb;
    static const char ra[] = "retry-after:";
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0)
        r->retry_after_ms = -1; /* a new reply (after 100 Continue, or a retry) */
    if (n > sizeof ra - 1 && strncasecmp(p, ra, sizeof ra - 1) == 0) {
        char v[64];
        size_t k = 0, i = sizeof ra - 1;
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        while (i < n && k + 1 < sizeof v && p[i] != '\r' && p[i] != '\n')
            v[k++] = p[i++];
        v[k] = '\0';
        char *end;
        long secs = strtol(v, &end, 10);
        if (end != v && *end == '\0' && secs >= 0) {
            r->retry_after_ms = secs > 86400 ? 86400000L : secs * 1000L;
        } else {
            time_t when = C->getdate(v, NULL);
            if (when > 0) {
                double d = difftime(when, time(NULL));
                r->retry_after_ms = d > 0 ? (long)(d * 1000.0) : 0;
            }
        }
    }
    return n;
}

static double
now_ms(const struct http *h)
{
    return ev_now(h->loop) * 1000.0;
}

static void
complete(struct http_request *r, enum http_error err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
complete(struct http_request *r, enum http_error err, const char *fmt, ...)
{
    struct http *h = r->h;
    va_list ap;
    ev_timer_stop(h->loop, &r->idle_timer);
    ev_timer_stop(h->loop, &r->retry_timer);
    r->error = err;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    r->state = RQ_DONE;
    r->done_next = NULL;
    if (h->done_tail)
        h->done_tail->done_next = r;
    else
        h->done_head = r;
    h->done_tail = r;
    finish_soon(h);
}

/* The next pseudo-random number (xorshift64*): jitter only. */
static uint64_t
http_rand(struct http *h)
{
    h->rng ^= h->rng >> 12;
    h->rng ^= h->rng << 25;
    h->rng ^= h->rng >> 27;
    return h->rng * 2685821657736338717ull;
}

static void
schedule_retry(struct http_request *r, const char *why)
{
    struct http *h = r->h;
    double base = (double)r->backoff_ms;
    for (int k = 1; k < r->attempts && base < 3600e3; k++)
        base *= 2;
    double jitter = 0.75 + (double)(http_rand(h) % 1000) / 2000.0; /* 0.75 .. 1.25 */
    double delay = base * jitter;
    if (r->retry_after_ms >= 0)
        delay = (double)(r->retry_after_ms < r->max_retry_after_ms ? r->retry_after_ms
                                                                   : r->max_retry_after_ms);
    log_info("http", "%s: %s; retry %d of %d in %.0f ms", r->url, why, r->attempts,
             r->retries, delay);
    buf_reset(&r->resp);
    r->state = RQ_WAITING;
    ev_timer_set(&r->retry_timer, delay / 1000.0, 0.);
    ev_timer_start(h->loop, &r->retry_timer);
}

static void
add_to_multi(struct http_request *r)
{
    struct http *h = r->h;
    r->attempts++;
    r->status = 0;
    r->retry_after_ms = -1;
    r->idle = r->too_large = false;
    CURLMcode mc = C->multi_add_handle(h->multi, r->easy);
    if (mc != CURLM_OK) {
        complete(r, HTTP_ERR_TRANSPORT, "cannot start the request: %s", C->multi_strerror(mc));
        return;
    }
    r->state = RQ_RUNNING;
}

/* An attempt ended (the easy handle is out of the multi handle). */
static void
attempt_done(struct http_request *r, CURLcode cc)
{
    long code = 0;
    ev_timer_stop(r->h->loop, &r->idle_timer);
    C->easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
    r->status = (int)code;
    if (r->cancelled) {
        complete(r, HTTP_ERR_CANCELLED, "cancelled");
        return;
    }
    if (r->stopped) {
        complete(r, HTTP_ERR_STOPPED, "stopped by the reader");
        return;
    }
    if (r->too_large) {
        complete(r, HTTP_ERR_TOO_LARGE, "reply larger than %zu bytes", r->resp.cap);
        return;
    }
    enum http_error err = HTTP_OK;
    char why[200];
    if (r->idle) {
        err = HTTP_ERR_IDLE;
        snprintf(why, sizeof why, "no data for %ld ms", r->idle_timeout_ms);
    } else if (cc == CURLE_OK) {
        if (code == 429 || code >= 500) {
            snprintf(why, sizeof why, "HTTP %ld", code);
            if (!r->delivered && r->attempts <= r->retries) {
                schedule_retry(r, why);
                return;
            }
        }
        if (code >= 200 && code < 300)
            complete(r, HTTP_OK, "%s", "");
        else
            complete(r, HTTP_OK, "HTTP %ld", code);
        return;
    } else if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
               cc == CURLE_COULDNT_RESOLVE_PROXY) {
        err = HTTP_ERR_CONNECT;
        snprintf(why, sizeof why, "cannot connect: %s", C->easy_strerror(cc));
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        err = HTTP_ERR_TIMEOUT;
        snprintf(why, sizeof why, "timed out after %ld ms", r->timeout_ms);
    } else {
        err = HTTP_ERR_TRANSPORT;
        snprintf(why, sizeof why, "%s", C->easy_strerror(cc));
    }
    if (!r->delivered && r->attempts <= r->retries) {
        schedule_retry(r, why);
        return;
    }
    complete(r, err, "%s", why);
}

static void
check_multi_info(struct http *h)
{
    CURLMsg *m;
    int left;
    while ((m = C->multi_info_read(h->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *e = m->easy_handle;
        CURLcode cc = m->data.result;
        struct http_request *r = NULL;
        C->easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
        C->multi_remove_handle(h->multi, e);
        if (r)
            attempt_done(r, cc);
    }
}

static void
retry_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct http_request *r = CONTAINER(w, struct http_request, retry_timer);
    (void)loop, (void)revents;
    if (r->state == RQ_WAITING)
        add_to_multi(r);
}

static void
idle_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct http_request *r = CONTAINER(w, struct http_request, idle_timer);
    (void)revents;
    ev_timer_stop(loop, w);
    if (r->state != RQ_RUNNING)
        return;
    r->idle = true;
    C->multi_remove_handle(r->h->multi, r->easy);
    attempt_done(r, CURLE_OPERATION_TIMEDOUT);
}

static void
request_free(struct http_request *r)
{
    struct http *h = r->h;
    if (r->prev)
        r->prev->next = r->next;
    else
        h->all = r->next;
    if (r->next)
        r->next->prev = r->prev;
    h->nactive--;
    C->easy_cleanup(r->easy);
    C->slist_free_all(r->headers);
    buf_release(&r->resp);
    free(r->url);
    free(r->body);
    free(r);
}

/* The zero-delay pass: starts queued requests, removes cancelled ones, runs done
 * callbacks (outside every libcurl callback). */
static void
finish_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct http *h = CONTAINER(w, struct http, finish);
    (void)loop, (void)revents;
    for (struct http_request *r = h->all, *next; r; r = next) {
        next = r->next;
        if (r->cancelled && r->state != RQ_DONE) {
            if (r->state == RQ_RUNNING)
                C->multi_remove_handle(h->multi, r->easy);
            complete(r, HTTP_ERR_CANCELLED, "cancelled");
        } else if (r->state == RQ_QUEUED) {
            add_to_multi(r);
        }
    }
    struct http_request *list = h->done_head;
    h->done_head = h->done_tail = NULL;
    while (list) {
        struct http_request *r = list;
        list = r->done_next;
        struct http_result res = {
            .error = r->error,
            .status = r->status,
            .body = r->resp.data ? r->resp.data : "",
            .body_len = r->resp.len,
            .message = r->message,
            .attempts = r->attempts,
            .elapsed_ms = now_ms(h) - r->t0 * 1000.0,
        };
        if (r->done)
            r->done(r, &res, r->arg);
        request_free(r);
    }
}

static void
finish_soon(struct http *h)
{
    if (!ev_is_active(&h->finish)) {
        ev_timer_set(&h->finish, 0., 0.);
        ev_timer_start(h->loop, &h->finish);
    }
}

/* ---- the client ---- */

struct http *
http_new(struct ev_loop *loop, char *err, size_t errlen)
{
    if (C == NULL && (C = curlload_get(err, errlen)) == NULL)
        return NULL;
    if (http_global_refs++ == 0 && C->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        http_global_refs--;
        snprintf(err, errlen, "libcurl cannot be initialised");
        return NULL;
    }
    struct http *h = xcalloc(1, sizeof *h);
    h->loop = loop;
    h->multi = C->multi_init();
    if (h->multi == NULL) {
        snprintf(err, errlen, "libcurl cannot make a multi handle");
        free(h);
        if (--http_global_refs == 0)
            C->global_cleanup();
        return NULL;
    }
    h->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ 0x9E3779B97F4A7C15ull;
    ev_init(&h->timer, curl_timer_cb);
    ev_init(&h->finish, finish_cb);
    C->multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
    C->multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    C->multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
    C->multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    return h;
}

void
http_free(struct http *h)
{
    if (h == NULL)
        return;
    for (struct http_request *r = h->all; r; r = r->next)
        r->cancelled = true;
    while (h->all || h->done_head)
        finish_cb(h->loop, &h->finish, 0);
    ev_timer_stop(h->loop, &h->finish);
    ev_timer_stop(h->loop, &h->timer);
    C->multi_cleanup(h->multi);
    free(h);
    if (--http_global_refs == 0)
        C->global_cleanup();
}

struct http_request *
http_request_start(struct http *h, const struct http_options *o, http_data_cb *data,
                   http_done_cb *done, void *arg)
{
    if (o == NULL || o->url == NULL || *o->url == '\0')
        return NULL;
    struct http_request *r = xcalloc(1, sizeof *r);
    r->h = h;
    r->easy = C->easy_init();
    if (r->easy == NULL) {
        free(r);
        return NULL;
    }
    r->url = xstrdup(o->url);
    r->post = o->body != NULL || (o->method && strcmp(o->method, "POST") == 0);
    if (o->body) {
        r->body = xmalloc(o->body_len + 1);
        memcpy(r->body, o->body, o->body_len);
        r->body[o->body_len] = '\0';
        r->body_len = o->body_len;
    }
    for (const char *const *hd = o->headers; hd && *hd; hd++)
        r->headers = C->slist_append(r->headers, *hd);
    r->headers = C->slist_append(r->headers, "Expect:"); /* no 100-continue round trip */
    r->timeout_ms = o->timeout_ms;
    r->idle_timeout_ms = o->idle_timeout_ms;
    r->retries = o->retries > 0 ? o->retries : 0;
    r->backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : HTTP_DEFAULT_BACKOFF_MS;
    r->max_retry_after_ms =
        o->max_retry_after_ms > 0 ? o->max_retry_after_ms : HTTP_DEFAULT_MAX_RETRY_AFTER_MS;
    r->stream = o->stream;
    r->data = data;
    r->done = done;
    r->arg = arg;
    buf_init(&r->resp, o->max_body ? o->max_body : HTTP_DEFAULT_MAX_BODY);
    r->t0 = ev_now(h->loop);
    ev_init(&r->retry_timer, retry_timer_cb);
    ev_init(&r->idle_timer, idle_timer_cb);

    CURL *e = r->easy;
    C->easy_setopt(e, CURLOPT_URL, r->url);
    C->easy_setopt(e, CURLOPT_PRIVATE, (char *)r);
    C->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    C->easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    C->easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    C->easy_setopt(e, CURLOPT_USERAGENT, "lsp-proxy");
    C->easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
    C->easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    C->easy_setopt(e, CURLOPT_WRITEDATA, r);
    C->easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
    C->easy_setopt(e, CURLOPT_HEADERDATA, r);
    C->easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    if (r->timeout_ms > 0) {
        C->easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
        C->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                         r->timeout_ms < 10000 ? r->timeout_ms : 10000L);
    }
    if (r->post) {
        C->easy_setopt(e, CURLOPT_POST, 1L);
        C->easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : "");
        C->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    }
    r->state = RQ_QUEUED;
    r->next = h->all;
    if (h->all)
        h->all->prev = r;
    h->all = r;
    h->nactive++;
    finish_soon(h);
    return r;
}

void
http_request_cancel(struct http_request *r)
{
    if (r == NULL || r->state == RQ_DONE || r->cancelled)
        return;
    r->cancelled = true;
    finish_soon(r->h);
}

size_t
http_active(const struct http *h)
{
    return h->nactive;
}

const char *
http_error_name(enum http_error e)
{
    switch (e) {
    case HTTP_OK: return "ok";
    case HTTP_ERR_CONNECT: return "connect";
    case HTTP_ERR_TRANSPORT: return "transport";
    case HTTP_ERR_TIMEOUT: return "timeout";
    case HTTP_ERR_IDLE: return "idle";
    case HTTP_ERR_TOO_LARGE: return "too large";
    case HTTP_ERR_CANCELLED: return "cancelled";
    case HTTP_ERR_STOPPED: return "stopped";
    }
    return "?";
}
