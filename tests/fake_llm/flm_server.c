/* flm_server.c: the fake LLM server's listener, connections and reply timing (flm_server.h). */
#include "flm_server.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "flm_http.h"
#include "flm_reply.h"
#include "flm_script.h"
#include "flm_util.h"

#define FLM_CONTAINER_OF(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#define FLM_LINGER_MS 1000               /* a closing connection drains input this long */
#define FLM_MAX_PENDING (1u << 20)       /* bytes buffered while a reply runs: stop reading */
#define FLM_DEFAULT_MODEL "fake-model"   /* when the request names none */

enum flm_conn_state {
    FLM_CONN_IDLE,    /* reading and answering requests */
    FLM_CONN_DELAY,   /* delay_ms before the reply's head */
    FLM_CONN_SENDING, /* body pieces going out, chunk_delay_ms apart */
    FLM_CONN_STALLED, /* stall_after_events reached: nothing more is sent */
    FLM_CONN_CLOSING, /* the output drains, then close (abrupt or lingering) */
    FLM_CONN_LINGER,  /* write side shut; input discarded until EOF or FLM_LINGER_MS */
    FLM_CONN_DEAD,    /* fd closed; freed by the reaper */
};

struct flm_conn {
    struct flm_server *s;
    struct flm_conn *next;     /* the server's list */
    int fd;
    ev_io rio, wio;
    ev_timer timer;            /* delay, chunk delay, linger */
    enum flm_conn_state state;
    struct flm_http http;
    struct flm_str out;        /* bytes queued for the peer */
    struct flm_reply reply;    /* the reply being sent */
    size_t next_piece;
    size_t events_sent;
    long chunk_delay_ms;
    long stall_after;          /* events; -1: off */
    enum flm_close close_mode;
    size_t budget;             /* FLM_CLOSE_MID_BODY: body bytes still to send */
    bool keep_alive;           /* the connection stays open after this reply */
    bool linger;               /* CLOSING: shut down and drain (true) or close at once */
    bool peer_eof;
};

struct flm_server {
    struct ev_loop *loop;
    int lfd;
    int port;
    ev_io accept_io;
    ev_prepare reaper;
    struct flm_conn *conns;
    struct flm_script *script;
    int record_fd;
    int64_t start_ms;
    long requests;             /* answered requests, control ones not counted */
    long open;                 /* connections not yet closed */
};

static void flm_conn_advance(struct flm_conn *c);

static void
flm_timer_start(struct flm_conn *c, long ms)
{
    ev_timer_stop(c->s->loop, &c->timer);
    ev_timer_set(&c->timer, (double)ms / 1000.0, 0.0);
    ev_timer_start(c->s->loop, &c->timer);
}

/* Closes the socket at once; the reaper frees c. */
static void
flm_conn_kill(struct flm_conn *c)
{
    if (c->state == FLM_CONN_DEAD)
        return;
    ev_io_stop(c->s->loop, &c->rio);
    ev_io_stop(c->s->loop, &c->wio);
    ev_timer_stop(c->s->loop, &c->timer);
    close(c->fd);
    c->fd = -1;
    c->state = FLM_CONN_DEAD;
    c->s->open--;
}

/* The output is drained: shut down and linger, or close. */
static void
flm_conn_closed_output(struct flm_conn *c)
{
    if (!c->linger || c->peer_eof) {
        flm_conn_kill(c);
        return;
    }
    shutdown(c->fd, SHUT_WR);
    c->state = FLM_CONN_LINGER;
    if (!ev_is_active(&c->rio))
        ev_io_start(c->s->loop, &c->rio);
    flm_timer_start(c, FLM_LINGER_MS);
}

/* Writes what is queued; on EAGAIN waits for EV_WRITE. May kill c. */
static void
flm_conn_flush(struct flm_conn *c)
{
    while (c->out.len > 0) {
        ssize_t w = send(c->fd, c->out.s, c->out.len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!ev_is_active(&c->wio))
                ev_io_start(c->s->loop, &c->wio);
            return;
        }
        if (w < 0) { /* the peer is gone (EPIPE, ECONNRESET) */
            flm_conn_kill(c);
            return;
        }
        flm_str_consume(&c->out, (size_t)w);
    }
    ev_io_stop(c->s->loop, &c->wio);
    if (c->state == FLM_CONN_CLOSING)
        flm_conn_closed_output(c);
}

static void
flm_conn_queue(struct flm_conn *c, const char *data, size_t n)
{
    if (c->state == FLM_CONN_DEAD)
        return;
    flm_str_add(&c->out, data, n);
    flm_conn_flush(c);
}

static void
flm_conn_begin_close(struct flm_conn *c, bool linger)
{
    if (c->state == FLM_CONN_DEAD)
        return;
    ev_timer_stop(c->s->loop, &c->timer);
    c->state = FLM_CONN_CLOSING;
    c->linger = linger;
    if (c->out.len == 0)
        flm_conn_closed_output(c);
}

/* Sends body pieces until a chunk delay, a stall, an early close or the end. */
static void
flm_conn_send_pieces(struct flm_conn *c)
{
    struct flm_reply *r = &c->reply;
    while (c->next_piece < r->npieces) {
        if (c->stall_after >= 0 && c->events_sent >= (size_t)c->stall_after) {
            c->state = FLM_CONN_STALLED;
            return;
        }
        struct flm_str *p = &r->pieces[c->next_piece];
        bool is_event = c->next_piece < r->nevents;
        if (c->close_mode == FLM_CLOSE_MID_BODY && p->len >= c->budget) {
            flm_conn_queue(c, p->s, c->budget);
            flm_conn_begin_close(c, false);
            return;
        }
        c->budget -= c->close_mode == FLM_CLOSE_MID_BODY ? p->len : 0;
        flm_conn_queue(c, p->s, p->len);
        if (c->state == FLM_CONN_DEAD)
            return;
        c->next_piece++;
        if (is_event)
            c->events_sent++;
        if (c->next_piece < r->nevents && c->chunk_delay_ms > 0) {
            flm_timer_start(c, c->chunk_delay_ms);
            return;
        }
    }
    flm_reply_release(r);
    if (c->keep_alive)
        c->state = FLM_CONN_IDLE; /* flm_conn_advance() reads the next request */
    else
        flm_conn_begin_close(c, true);
}

static void
flm_conn_send_head(struct flm_conn *c)
{
    if (c->close_mode == FLM_CLOSE_BEFORE_HEADERS) {
        flm_reply_release(&c->reply);
        flm_conn_kill(c);
        return;
    }
    c->state = FLM_CONN_SENDING;
    flm_conn_queue(c, c->reply.head.s, c->reply.head.len);
    if (c->state != FLM_CONN_DEAD)
        flm_conn_send_pieces(c);
}

/* Takes over *r (moved) and starts sending it with the entry's timing (e may be NULL). */
static void
flm_conn_reply(struct flm_conn *c, struct flm_reply *r, const struct flm_entry *e,
               bool keep_alive)
{
    c->reply = *r;
    memset(r, 0, sizeof *r);
    c->next_piece = 0;
    c->events_sent = 0;
    c->keep_alive = keep_alive;
    c->chunk_delay_ms = e ? e->chunk_delay_ms : 0;
    c->stall_after = e ? e->stall_after_events : -1;
    c->close_mode = e ? e->close : FLM_CLOSE_NONE;
    c->budget = flm_reply_body_len(&c->reply) / 2;
    if (e && e->delay_ms > 0) {
        c->state = FLM_CONN_DELAY;
        flm_timer_start(c, e->delay_ms);
        return;
    }
    flm_conn_send_head(c);
}

static void
flm_conn_reply_text(struct flm_conn *c, int status, const char *text, bool keep_alive)
{
    struct flm_reply r;
    flm_reply_simple(&r, status, "text/plain", text, strlen(text), keep_alive, NULL, 0);
    flm_conn_reply(c, &r, NULL, keep_alive);
}

static void
flm_conn_reply_json(struct flm_conn *c, int status, cJSON *o, bool keep_alive)
{
    char *s = cJSON_PrintUnformatted(o);
    struct flm_reply r;
    flm_reply_simple(&r, status, "application/json", s, strlen(s), keep_alive, NULL, 0);
    cJSON_free(s);
    cJSON_Delete(o);
    flm_conn_reply(c, &r, NULL, keep_alive);
}

/* POST /_fake/script and GET /_fake/stats. */
static void
flm_conn_control(struct flm_conn *c, const struct flm_request *q)
{
    struct flm_server *s = c->s;
    cJSON *o = cJSON_CreateObject();
    bool post = strcmp(q->method, "POST") == 0, get = strcmp(q->method, "GET") == 0;
    if (strcmp(q->path, "/_fake/script") == 0 && post) {
        char err[512];
        if (flm_script_append(s->script, q->body, q->body_len, err, sizeof err) < 0) {
            cJSON_AddStringToObject(o, "error", err);
            flm_conn_reply_json(c, 400, o, q->keep_alive);
            return;
        }
        cJSON_AddNumberToObject(o, "entries", (double)flm_script_count(s->script));
        flm_conn_reply_json(c, 200, o, q->keep_alive);
    } else if (strcmp(q->path, "/_fake/stats") == 0 && get) {
        cJSON_AddNumberToObject(o, "requests", (double)s->requests);
        cJSON_AddNumberToObject(o, "open_connections", (double)s->open);
        flm_conn_reply_json(c, 200, o, q->keep_alive);
    } else {
        bool known = strcmp(q->path, "/_fake/script") == 0 || strcmp(q->path, "/_fake/stats") == 0;
        cJSON_AddStringToObject(o, "error", known ? "method not allowed" : "no such control");
        flm_conn_reply_json(c, known ? 405 : 404, o, q->keep_alive);
    }
}

static bool
flm_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* One --record line: {"n","method","path","headers","body","entry","t_ms"}, one write. */
static void
flm_server_record(struct flm_server *s, long n, const struct flm_request *q, const cJSON *json,
                  long entry)
{
    if (s->record_fd < 0)
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "n", (double)n);
    cJSON_AddStringToObject(o, "method", q->method);
    cJSON_AddStringToObject(o, "path", q->target);
    cJSON *h = cJSON_AddObjectToObject(o, "headers");
    for (size_t i = 0; i < q->nheaders; i++) {
        cJSON *prev = cJSON_GetObjectItemCaseSensitive(h, q->headers[i].name);
        if (prev) { /* a repeated field: values joined as HTTP does */
            struct flm_str v = {0};
            flm_str_addf(&v, "%s, %s", prev->valuestring, q->headers[i].value);
            cJSON_ReplaceItemInObjectCaseSensitive(h, q->headers[i].name,
                                                   cJSON_CreateString(v.s));
            flm_str_release(&v);
        } else {
            cJSON_AddStringToObject(h, q->headers[i].name, q->headers[i].value);
        }
    }
    cJSON_AddItemToObject(o, "body", json ? cJSON_Duplicate(json, true)
                                          : cJSON_CreateString(q->body));
    if (entry >= 0)
        cJSON_AddNumberToObject(o, "entry", (double)entry);
    else
        cJSON_AddNullToObject(o, "entry");
    cJSON_AddNumberToObject(o, "t_ms", (double)(flm_now_ms() - s->start_ms));
    char *line = cJSON_PrintUnformatted(o);
    struct iovec iov[2] = {{line, strlen(line)}, {(void *)"\n", 1}};
    ssize_t w;
    do
        w = writev(s->record_fd, iov, 2);
    while (w < 0 && errno == EINTR);
    cJSON_free(line);
    cJSON_Delete(o);
}

/* A request to the LLM API: recorded, then answered from the script. */
static void
flm_conn_request(struct flm_conn *c, const struct flm_request *q)
{
    struct flm_server *s = c->s;
    if (strncmp(q->path, "/_fake/", 7) == 0) {
        flm_conn_control(c, q);
        return;
    }
    long n = ++s->requests;
    cJSON *json = cJSON_ParseWithLength(q->body, q->body_len);
    enum flm_provider from_path = flm_has_suffix(q->path, "/chat/completions") ? FLM_PROVIDER_OPENAI
                                  : flm_has_suffix(q->path, "/v1/messages")
                                      ? FLM_PROVIDER_ANTHROPIC
                                      : FLM_PROVIDER_NONE;
    const struct flm_entry *e;
    long idx = flm_script_pick(s->script, q->path, from_path != FLM_PROVIDER_NONE, q->body,
                               q->body_len, &e);
    flm_server_record(s, n, q, json, idx);
    if (!e) {
        if (from_path == FLM_PROVIDER_NONE) {
            struct flm_str t = {0};
            flm_str_addf(&t, "fake_llm: no route for %s", q->path);
            flm_conn_reply_text(c, 404, t.s, q->keep_alive);
            flm_str_release(&t);
        } else {
            flm_conn_reply_text(c, 500, "fake_llm: no scripted reply", q->keep_alive);
        }
        cJSON_Delete(json);
        return;
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(json, "model");
    const cJSON *so = cJSON_GetObjectItemCaseSensitive(json, "stream_options");
    struct flm_call call = {
        .provider = e->provider != FLM_PROVIDER_NONE ? e->provider
                    : from_path != FLM_PROVIDER_NONE ? from_path
                                                     : FLM_PROVIDER_OPENAI,
        .model = cJSON_IsString(model) ? model->valuestring : FLM_DEFAULT_MODEL,
        .stream = e->stream >= 0 ? e->stream == 1
                                 : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "stream")),
        .include_usage = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(so, "include_usage")),
        .request_len = q->body_len,
        .n = n,
        .created = (long)time(NULL),
    };
    struct flm_reply r;
    flm_reply_scripted(&r, e, &call, q->keep_alive);
    cJSON_Delete(json);
    flm_conn_reply(c, &r, e, q->keep_alive);
}

/* Answers the buffered requests one after another until one has to wait. */
static void
flm_conn_advance(struct flm_conn *c)
{
    while (c->state == FLM_CONN_IDLE) {
        struct flm_request q;
        enum flm_http_result r = flm_http_next(&c->http, &q);
        if (r == FLM_HTTP_NEED_MORE) {
            if (c->peer_eof)
                flm_conn_kill(c); /* the peer is done (or gave up mid-request) */
            else if (!ev_is_active(&c->rio))
                ev_io_start(c->s->loop, &c->rio);
            return;
        }
        if (r == FLM_HTTP_CONTINUE) {
            static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
            flm_conn_queue(c, cont, sizeof cont - 1);
            continue;
        }
        if (r == FLM_HTTP_ERROR) {
            const char *why;
            int status = flm_http_error(&c->http, &why);
            struct flm_str t = {0};
            flm_str_addf(&t, "fake_llm: %s", why);
            flm_conn_reply_text(c, status, t.s, false);
            flm_str_release(&t);
            return;
        }
        flm_conn_request(c, &q);
        flm_request_release(&q);
    }
}

static void
flm_conn_readable_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct flm_conn *c = FLM_CONTAINER_OF(w, struct flm_conn, rio);
    char buf[65536];
    for (;;) {
        ssize_t n = read(c->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0) {
            flm_conn_kill(c);
            return;
        }
        if (n == 0) {
            c->peer_eof = true;
            ev_io_stop(c->s->loop, &c->rio);
            break;
        }
        if (c->state == FLM_CONN_LINGER)
            continue; /* discarded */
        flm_http_feed(&c->http, buf, (size_t)n);
        if (c->state != FLM_CONN_IDLE && flm_http_buffered(&c->http) > FLM_MAX_PENDING) {
            ev_io_stop(c->s->loop, &c->rio); /* resumed once idle */
            break;
        }
    }
    if (c->peer_eof && (c->state == FLM_CONN_STALLED || c->state == FLM_CONN_LINGER)) {
        flm_conn_kill(c);
        return;
    }
    flm_conn_advance(c);
}

static void
flm_conn_writable_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct flm_conn *c = FLM_CONTAINER_OF(w, struct flm_conn, wio);
    flm_conn_flush(c);
}

static void
flm_conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct flm_conn *c = FLM_CONTAINER_OF(w, struct flm_conn, timer);
    if (c->state == FLM_CONN_DELAY)
        flm_conn_send_head(c);
    else if (c->state == FLM_CONN_SENDING)
        flm_conn_send_pieces(c);
    else if (c->state == FLM_CONN_LINGER)
        flm_conn_kill(c);
    flm_conn_advance(c);
}

static int
flm_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -errno;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return -errno;
    return 0;
}

static void
flm_server_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    struct flm_server *s = FLM_CONTAINER_OF(w, struct flm_server, accept_io);
    for (;;) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0 && errno == EINTR)
            continue;
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                fprintf(stderr, "fake_llm: accept: %s\n", strerror(errno));
            return;
        }
        int one = 1;
        if (flm_set_nonblock(fd) < 0 ||
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
            fprintf(stderr, "fake_llm: accepted socket: %s\n", strerror(errno));
            close(fd);
            continue;
        }
        struct flm_conn *c = flm_xcalloc(1, sizeof *c);
        c->s = s;
        c->fd = fd;
        c->state = FLM_CONN_IDLE;
        c->stall_after = -1;
        flm_http_init(&c->http);
        ev_io_init(&c->rio, flm_conn_readable_cb, fd, EV_READ);
        ev_io_init(&c->wio, flm_conn_writable_cb, fd, EV_WRITE);
        ev_timer_init(&c->timer, flm_conn_timer_cb, 0.0, 0.0);
        ev_io_start(loop, &c->rio);
        c->next = s->conns;
        s->conns = c;
        s->open++;
    }
}

static void
flm_conn_free(struct flm_conn *c)
{
    flm_conn_kill(c);
    flm_http_release(&c->http);
    flm_str_release(&c->out);
    flm_reply_release(&c->reply);
    free(c);
}

/* Frees the connections that died during this loop iteration. */
static void
flm_server_reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    (void)loop;
    (void)revents;
    struct flm_server *s = FLM_CONTAINER_OF(w, struct flm_server, reaper);
    struct flm_conn **pp = &s->conns;
    while (*pp) {
        struct flm_conn *c = *pp;
        if (c->state == FLM_CONN_DEAD) {
            *pp = c->next;
            flm_conn_free(c);
        } else {
            pp = &c->next;
        }
    }
}

struct flm_server *
flm_server_new(struct ev_loop *loop, struct flm_script *script, int record_fd, char *err,
               size_t errlen)
{
    struct flm_server *s = flm_xcalloc(1, sizeof *s);
    s->loop = loop;
    s->script = script;
    s->record_fd = record_fd;
    s->start_ms = flm_now_ms();
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    const char *what = "socket";
    if (s->lfd < 0)
        goto fail;
    what = "fcntl";
    if (flm_set_nonblock(s->lfd) < 0)
        goto fail;
    what = "bind 127.0.0.1:0";
    if (bind(s->lfd, (struct sockaddr *)&a, sizeof a) < 0)
        goto fail;
    what = "listen";
    if (listen(s->lfd, 128) < 0)
        goto fail;
    what = "getsockname";
    if (getsockname(s->lfd, (struct sockaddr *)&a, &alen) < 0)
        goto fail;
    s->port = ntohs(a.sin_port);
    ev_io_init(&s->accept_io, flm_server_accept_cb, s->lfd, EV_READ);
    ev_io_start(loop, &s->accept_io);
    ev_prepare_init(&s->reaper, flm_server_reaper_cb);
    ev_prepare_start(loop, &s->reaper);
    return s;
fail:
    snprintf(err, errlen, "%s: %s", what, strerror(errno));
    if (s->lfd >= 0)
        close(s->lfd);
    free(s);
    return NULL;
}

int
flm_server_port(const struct flm_server *s)
{
    return s->port;
}

void
flm_server_free(struct flm_server *s)
{
    if (!s)
        return;
    ev_io_stop(s->loop, &s->accept_io);
    ev_prepare_stop(s->loop, &s->reaper);
    close(s->lfd);
    while (s->conns) {
        struct flm_conn *c = s->conns;
        s->conns = c->next;
        flm_conn_free(c);
    }
    free(s);
}
