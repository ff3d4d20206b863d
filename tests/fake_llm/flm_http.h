/*
 * flm_http.h: the fake LLM server's own HTTP/1.1 request parser (RFC 9112), incremental
 * and strict, written independently of libcurl on purpose: a request the proxy gets wrong
 * is refused here instead of being read the way the proxy meant it.
 *
 * Pure (no I/O, no loop). The caller feeds the bytes it read and takes out, one at a time,
 * complete requests (pipelined requests stay buffered). Strict means: every line ends in
 * CRLF; the request line is `METHOD SP /target SP HTTP/1.1`; header names are tokens with
 * the colon right after them; values hold no control characters; no obs-fold; exactly one
 * Host; Content-Length is digits (repeats must agree); Transfer-Encoding is `chunked` only
 * and never together with Content-Length. Errors carry the status to answer with: 400
 * malformed, 413 body over FLM_HTTP_MAX_BODY, 417 an Expect other than 100-continue, 431
 * request line + headers over FLM_HTTP_MAX_HEAD (or too many fields), 501 another transfer
 * coding, 505 another HTTP version. After an error the parser takes nothing more.
 *
 * Ownership: a request handed out is the caller's; release it with flm_request_release().
 * Prefix flm_http_ (parser) and flm_request_ (a parsed request).
 */
#ifndef LSP_PROXY_FLM_HTTP_H
#define LSP_PROXY_FLM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "flm_util.h"

#define FLM_HTTP_MAX_HEAD 65536         /* bytes: request line + header block + CRLFs */
#define FLM_HTTP_MAX_HEADERS 200        /* header fields of one request */
#define FLM_HTTP_MAX_BODY (16u << 20)   /* bytes of one decoded body */
#define FLM_HTTP_MAX_CHUNK_LINE 1024    /* bytes of one chunk-size line */

struct flm_header {
    char *name;  /* lowercased */
    char *value; /* optional whitespace around it removed */
};

struct flm_request {
    char *method;
    char *target;  /* as sent: "/v1/messages?beta=true" */
    char *path;    /* target up to '?' */
    struct flm_header *headers;
    size_t nheaders;
    char *body;    /* decoded (de-chunked), NUL-terminated, never NULL once handed out */
    size_t body_len;
    bool keep_alive;      /* no `Connection: close` */
    bool expect_continue; /* `Expect: 100-continue` */
};

/* The value of header lname (lowercase name), or NULL; repeated fields: the first. */
const char *flm_request_header(const struct flm_request *r, const char *lname);
void flm_request_release(struct flm_request *r);

enum flm_http_result {
    FLM_HTTP_NEED_MORE, /* no complete request buffered */
    FLM_HTTP_CONTINUE,  /* the head of an Expect: 100-continue request was read and its body
                         * has not begun: answer `100 Continue` now (returned once) */
    FLM_HTTP_REQUEST,   /* *out holds a complete request */
    FLM_HTTP_ERROR,     /* see flm_http_error(); the connection must be answered and closed */
};

struct flm_http {
    struct flm_str buf;       /* private: bytes received and not yet consumed */
    size_t pos;               /* private: parse position in buf */
    size_t head_start;        /* private: where the current request began */
    int state;                /* private */
    struct flm_request req;   /* private: the request being read */
    struct flm_str body;      /* private */
    size_t content_length;    /* private */
    size_t chunk_left;        /* private: bytes of the current chunk still to read */
    bool chunked;             /* private */
    bool continue_given;      /* private */
    int error_status;         /* private */
    const char *error_why;    /* private */
};

void flm_http_init(struct flm_http *p);
void flm_http_release(struct flm_http *p);
/* Appends n bytes read from the peer. */
void flm_http_feed(struct flm_http *p, const char *data, size_t n);
/* Bytes fed and not yet taken out as requests. */
size_t flm_http_buffered(const struct flm_http *p);
/* True when the bytes of a started request are buffered (an EOF now cuts a request). */
bool flm_http_partial(const struct flm_http *p);
/* Parses on; on FLM_HTTP_REQUEST fills *out (the caller releases it). */
enum flm_http_result flm_http_next(struct flm_http *p, struct flm_request *out);
/* After FLM_HTTP_ERROR: the status to answer with; *why a static text for the body. */
int flm_http_error(const struct flm_http *p, const char **why);

#endif
