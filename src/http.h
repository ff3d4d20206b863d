/*
 * http: HTTP requests on the proxy's libev loop, through libcurl's multi interface
 * (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION and curl_multi_socket_action, the pattern of
 * curl's docs/examples/evhiperfifo.c). No call here blocks; no easy-perform anywhere.
 *
 * A request has a whole-request timeout and an idle timeout (the longest silence while the
 * reply streams in), is retried on transport faults (connection refused or reset, time-outs,
 * 429, 5xx) with exponential backoff and jitter, honouring Retry-After up to 60 s, as long
 * as nothing of its body was handed out yet, and can be cancelled. Redirects are not
 * followed (a key sent to one host never goes to another). A streaming request hands each
 * body chunk of a 2xx reply to its data callback as it arrives (the caller parses SSE);
 * other replies are collected, capped, for the done callback.
 *
 * Callbacks (libuv's rule): if http_request_start() returns NULL no callback is called;
 * otherwise the done callback is called exactly once — on success, failure, give-up or
 * cancel — and never from inside http_request_start() or http_request_cancel(). After it,
 * the request is freed by http (do not touch it). Data callbacks come before done.
 *
 * Ownership: http_new() returns a client freed with http_free(), which cancels what is
 * still running (their done callbacks run, with HTTP_ERR_CANCELLED, before it returns).
 * Options are copied at start.
 */
#ifndef LSP_PROXY_HTTP_H
#define LSP_PROXY_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct ev_loop;
struct http;
struct http_request;

enum http_error {
    HTTP_OK = 0,          /* a reply arrived (any status: see http_result.status) */
    HTTP_ERR_CONNECT,     /* could not connect (refused, unreachable, DNS) */
    HTTP_ERR_TRANSPORT,   /* reset, broken reply, send/receive error */
    HTTP_ERR_TIMEOUT,     /* the whole-request timeout passed */
    HTTP_ERR_IDLE,        /* no byte for idle_timeout_ms while receiving */
    HTTP_ERR_TOO_LARGE,   /* the reply body passed max_body */
    HTTP_ERR_CANCELLED,   /* http_request_cancel() or http_free() */
    HTTP_ERR_STOPPED,     /* the data callback asked to stop */
};

struct http_result {
    enum http_error error;
    int status;           /* HTTP status of the last attempt, 0 when none arrived */
    const char *body;     /* the collected body (non-streaming, or a non-2xx reply);
                           * NUL-terminated, "" when none; borrowed for the callback */
    size_t body_len;
    const char *message;  /* a one-line description of the failure ("" on success) */
    int attempts;         /* attempts made (1 + retries) */
    double elapsed_ms;    /* from start to done */
};

/* A chunk of a streaming 2xx body. Return non-zero to stop (done: HTTP_ERR_STOPPED). */
typedef int http_data_cb(struct http_request *r, const char *data, size_t len, void *arg);
typedef void http_done_cb(struct http_request *r, const struct http_result *res, void *arg);

struct http_options {
    const char *method;           /* "POST" (default when body is set) or "GET" */
    const char *url;
    const char *body;             /* copied; may be NULL */
    size_t body_len;
    const char *const *headers;   /* "Name: value" strings, NULL-terminated; copied */
    long timeout_ms;              /* whole request, per attempt (0: none) */
    long idle_timeout_ms;         /* silence while receiving (0: none) */
    int retries;                  /* transport faults retried this many times */
    long backoff_ms;              /* first retry delay (default 500), doubling, +-25% */
    long max_retry_after_ms;      /* cap on Retry-After (default 60000) */
    size_t max_body;              /* cap on a collected body (default 16 MiB) */
    bool stream;                  /* hand 2xx body chunks to the data callback */
};

/* A client on loop. libcurl is loaded by the first call (curlload.h). Returns NULL when it
 * cannot be loaded or set up; then err gets one line saying why. */
struct http *http_new(struct ev_loop *loop, char *err, size_t errlen);
void http_free(struct http *h);

/* Starts a request. Returns it, or NULL (bad options: no URL); see the callback rules. */
struct http_request *http_request_start(struct http *h, const struct http_options *o,
                                        http_data_cb *data, http_done_cb *done, void *arg);
/* Cancels a request that has not finished; its done callback follows (HTTP_ERR_CANCELLED)
 * on the next loop iteration. A no-op after done. */
void http_request_cancel(struct http_request *r);

/* Requests not finished yet. */
size_t http_active(const struct http *h);
/* A static name for an error ("connect", "timeout", …). */
const char *http_error_name(enum http_error e);

#endif
