/* flm_http.c: the fake LLM server's strict incremental HTTP/1.1 request parser (flm_http.h). */
#include "flm_http.h"

#include <stdlib.h>
#include <string.h>

enum flm_http_state {
    FLM_ST_REQ_LINE,
    FLM_ST_HEADERS,
    FLM_ST_BODY,       /* Content-Length body */
    FLM_ST_CHUNK_SIZE,
    FLM_ST_CHUNK_DATA,
    FLM_ST_CHUNK_CRLF, /* the CRLF closing a chunk's data */
    FLM_ST_TRAILERS,
    FLM_ST_ERROR,
};

const char *
flm_request_header(const struct flm_request *r, const char *lname)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].name, lname) == 0)
            return r->headers[i].value;
    return NULL;
}

void
flm_request_release(struct flm_request *r)
{
    free(r->method);
    free(r->target);
    free(r->path);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof *r);
}

void
flm_http_init(struct flm_http *p)
{
    memset(p, 0, sizeof *p);
    p->state = FLM_ST_REQ_LINE;
}

void
flm_http_release(struct flm_http *p)
{
    flm_str_release(&p->buf);
    flm_str_release(&p->body);
    flm_request_release(&p->req);
}

void
flm_http_feed(struct flm_http *p, const char *data, size_t n)
{
    if (p->state != FLM_ST_ERROR)
        flm_str_add(&p->buf, data, n);
}

size_t
flm_http_buffered(const struct flm_http *p)
{
    return p->buf.len;
}

bool
flm_http_partial(const struct flm_http *p)
{
    return p->state != FLM_ST_REQ_LINE || p->buf.len > 0;
}

int
flm_http_error(const struct flm_http *p, const char **why)
{
    if (why)
        *why = p->error_why ? p->error_why : "";
    return p->error_status;
}

static enum flm_http_result
flm_http_fail(struct flm_http *p, int status, const char *why)
{
    p->state = FLM_ST_ERROR;
    p->error_status = status;
    p->error_why = why;
    return FLM_HTTP_ERROR;
}

/* RFC 9110 §5.6.2 tchar. */
static bool
flm_is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
flm_is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!flm_is_tchar((unsigned char)s[i]))
            return false;
    return true;
}

/* The next line at p->pos: 1 with [*ls,*le) its text without CRLF, 0 when incomplete, -1
 * when it ends in a bare LF. */
static int
flm_http_line(struct flm_http *p, size_t *ls, size_t *le)
{
    const char *b = p->buf.s;
    if (p->pos >= p->buf.len)
        return 0;
    const char *nl = memchr(b + p->pos, '\n', p->buf.len - p->pos);
    if (!nl)
        return 0;
    size_t e = (size_t)(nl - b);
    if (e == p->pos || b[e - 1] != '\r')
        return -1;
    *ls = p->pos;
    *le = e - 1;
    p->pos = e + 1;
    return 1;
}

static enum flm_http_result
flm_http_request_line(struct flm_http *p, const char *s, size_t n)
{
    const char *sp1 = memchr(s, ' ', n);
    if (!sp1 || !flm_is_token(s, (size_t)(sp1 - s)))
        return flm_http_fail(p, 400, "bad request line");
    const char *t = sp1 + 1;
    const char *sp2 = memchr(t, ' ', n - (size_t)(t - s));
    if (!sp2 || sp2 == t || *t != '/')
        return flm_http_fail(p, 400, "bad request target");
    for (const char *c = t; c < sp2; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
            return flm_http_fail(p, 400, "bad request target");
    const char *v = sp2 + 1;
    size_t vn = n - (size_t)(v - s);
    if (vn != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
        v[7] < '0' || v[7] > '9')
        return flm_http_fail(p, 400, "bad HTTP version");
    if (memcmp(v, "HTTP/1.1", 8) != 0)
        return flm_http_fail(p, 505, "only HTTP/1.1 is served");
    p->req.method = flm_xmemdup(s, (size_t)(sp1 - s));
    p->req.target = flm_xmemdup(t, (size_t)(sp2 - t));
    p->req.path = flm_xmemdup(t, strcspn(p->req.target, "?"));
    p->state = FLM_ST_HEADERS;
    return FLM_HTTP_NEED_MORE;
}

/* Checks a "name: value" line; stores it unless trailer (trailers are checked, dropped). */
static enum flm_http_result
flm_http_field(struct flm_http *p, const char *s, size_t n, bool trailer)
{
    if (s[0] == ' ' || s[0] == '\t')
        return flm_http_fail(p, 400, "obsolete line folding");
    const char *colon = memchr(s, ':', n);
    if (!colon || !flm_is_token(s, (size_t)(colon - s)))
        return flm_http_fail(p, 400, "bad header field name");
    const char *v = colon + 1, *e = s + n;
    for (const char *c = v; c < e; c++)
        if ((unsigned char)*c == 0x7f || ((unsigned char)*c < 0x20 && *c != '\t'))
            return flm_http_fail(p, 400, "control character in a header value");
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (trailer)
        return FLM_HTTP_NEED_MORE;
    if (p->req.nheaders >= FLM_HTTP_MAX_HEADERS)
        return flm_http_fail(p, 431, "too many header fields");
    p->req.headers =
        flm_xrealloc(p->req.headers, (p->req.nheaders + 1) * sizeof *p->req.headers);
    struct flm_header *h = &p->req.headers[p->req.nheaders++];
    h->name = flm_xmemdup(s, (size_t)(colon - s));
    for (char *c = h->name; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    h->value = flm_xmemdup(v, (size_t)(e - v));
    return FLM_HTTP_NEED_MORE;
}

/* Does the comma-separated list value hold token tok (case-insensitive)? */
static bool
flm_list_has(const char *value, const char *tok)
{
    size_t tl = strlen(tok);
    const char *c = value;
    while (*c) {
        while (*c == ' ' || *c == '\t' || *c == ',')
            c++;
        const char *start = c;
        while (*c && *c != ',')
            c++;
        const char *end = c;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == tl) {
            char t[32];
            if (tl < sizeof t) {
                memcpy(t, start, tl);
                t[tl] = '\0';
                if (flm_ieq(t, tok))
                    return true;
            }
        }
    }
    return false;
}

/* The empty line ending the head: framing, Host, Connection, Expect. */
static enum flm_http_result
flm_http_head_done(struct flm_http *p)
{
    struct flm_request *r = &p->req;
    size_t hosts = 0, tes = 0;
    bool have_cl = false, too_large = false;
    size_t cl = 0;
    r->keep_alive = true;
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *name = r->headers[i].name, *v = r->headers[i].value;
        if (strcmp(name, "host") == 0) {
            hosts++;
        } else if (strcmp(name, "content-length") == 0) {
            size_t x = 0;
            bool big = false;
            if (*v == '\0')
                return flm_http_fail(p, 400, "bad Content-Length");
            for (const char *c = v; *c; c++) {
                if (*c < '0' || *c > '9')
                    return flm_http_fail(p, 400, "bad Content-Length");
                if (x > FLM_HTTP_MAX_BODY)
                    big = true;
                else
                    x = x * 10 + (size_t)(*c - '0');
            }
            if (have_cl && (big != too_large || x != cl))
                return flm_http_fail(p, 400, "conflicting Content-Length fields");
            have_cl = true;
            cl = x;
            too_large = big || x > FLM_HTTP_MAX_BODY;
        } else if (strcmp(name, "transfer-encoding") == 0) {
            tes++;
            if (!flm_ieq(v, "chunked"))
                return flm_http_fail(p, 501, "only the chunked transfer coding is served");
        } else if (strcmp(name, "connection") == 0) {
            if (flm_list_has(v, "close"))
                r->keep_alive = false;
        } else if (strcmp(name, "expect") == 0) {
            if (!flm_ieq(v, "100-continue"))
                return flm_http_fail(p, 417, "unknown expectation");
            r->expect_continue = true;
        }
    }
    if (hosts != 1)
        return flm_http_fail(p, 400, "missing or repeated Host");
    if (tes > 1 || (tes == 1 && have_cl))
        return flm_http_fail(p, 400, "ambiguous message framing");
    if (too_large)
        return flm_http_fail(p, 413, "request body too large");
    p->chunked = tes == 1;
    p->content_length = cl;
    p->state = p->chunked ? FLM_ST_CHUNK_SIZE : FLM_ST_BODY;
    bool has_body = p->chunked || cl > 0;
    if (r->expect_continue && has_body && p->pos == p->buf.len && !p->continue_given) {
        p->continue_given = true;
        return FLM_HTTP_CONTINUE;
    }
    return FLM_HTTP_NEED_MORE;
}

static enum flm_http_result
flm_http_chunk_size(struct flm_http *p, const char *s, size_t n)
{
    size_t i = 0, x = 0;
    while (i < n && i < 16) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            break;
        if (x > FLM_HTTP_MAX_BODY)
            return flm_http_fail(p, 413, "request body too large");
        x = x * 16 + (size_t)d;
        i++;
    }
    if (i == 0 || (i < n && s[i] != ';'))
        return flm_http_fail(p, 400, "bad chunk size");
    for (size_t k = i; k < n; k++)
        if ((unsigned char)s[k] < 0x20 && s[k] != '\t')
            return flm_http_fail(p, 400, "bad chunk extension");
    if (x > FLM_HTTP_MAX_BODY - p->body.len)
        return flm_http_fail(p, 413, "request body too large");
    p->chunk_left = x;
    p->state = x == 0 ? FLM_ST_TRAILERS : FLM_ST_CHUNK_DATA;
    return FLM_HTTP_NEED_MORE;
}

static void
flm_http_take_body(struct flm_http *p, size_t want)
{
    size_t avail = p->buf.len - p->pos;
    size_t k = avail < want ? avail : want;
    if (k == 0)
        return;
    flm_str_add(&p->body, p->buf.s + p->pos, k);
    p->pos += k;
}

/* Hands the finished request out and starts over on the bytes that follow. */
static enum flm_http_result
flm_http_complete(struct flm_http *p, struct flm_request *out)
{
    p->req.body_len = p->body.len;
    p->req.body = flm_str_take(&p->body);
    *out = p->req;
    memset(&p->req, 0, sizeof p->req);
    flm_str_consume(&p->buf, p->pos);
    p->pos = 0;
    p->head_start = 0;
    p->state = FLM_ST_REQ_LINE;
    p->continue_given = false;
    p->chunked = false;
    p->content_length = p->chunk_left = 0;
    return FLM_HTTP_REQUEST;
}

/* Reads one line of the head (request line, field or the empty line ending it). */
static enum flm_http_result
flm_http_head_line(struct flm_http *p)
{
    size_t ls, le;
    int l = flm_http_line(p, &ls, &le);
    if (l < 0)
        return flm_http_fail(p, 400, "line not ended by CRLF");
    if (l == 0) {
        if (p->buf.len - p->head_start > FLM_HTTP_MAX_HEAD)
            return flm_http_fail(p, 431, "request header block too large");
        return FLM_HTTP_NEED_MORE;
    }
    if (p->pos - p->head_start > FLM_HTTP_MAX_HEAD)
        return flm_http_fail(p, 431, "request header block too large");
    const char *s = p->buf.s + ls;
    size_t n = le - ls;
    if (p->state == FLM_ST_REQ_LINE)
        return n == 0 ? FLM_HTTP_NEED_MORE : flm_http_request_line(p, s, n);
    if (n == 0)
        return flm_http_head_done(p);
    return flm_http_field(p, s, n, false);
}

enum flm_http_result
flm_http_next(struct flm_http *p, struct flm_request *out)
{
    for (;;) {
        enum flm_http_result r = FLM_HTTP_NEED_MORE;
        size_t before = p->pos;
        int state = p->state;
        size_t ls, le;
        int l;
        switch (p->state) {
        case FLM_ST_REQ_LINE:
        case FLM_ST_HEADERS:
            r = flm_http_head_line(p);
            break;
        case FLM_ST_BODY:
            flm_http_take_body(p, p->content_length - p->body.len);
            if (p->body.len == p->content_length)
                return flm_http_complete(p, out);
            break;
        case FLM_ST_CHUNK_SIZE:
            l = flm_http_line(p, &ls, &le);
            if (l < 0)
                return flm_http_fail(p, 400, "chunk size line not ended by CRLF");
            if (l == 0 && p->buf.len - p->pos > FLM_HTTP_MAX_CHUNK_LINE)
                return flm_http_fail(p, 400, "chunk size line too long");
            if (l > 0)
                r = flm_http_chunk_size(p, p->buf.s + ls, le - ls);
            break;
        case FLM_ST_CHUNK_DATA:
            flm_http_take_body(p, p->chunk_left);
            p->chunk_left -= p->pos - before;
            if (p->chunk_left == 0)
                p->state = FLM_ST_CHUNK_CRLF;
            break;
        case FLM_ST_CHUNK_CRLF:
            if (p->buf.len - p->pos < 2)
                break;
            if (memcmp(p->buf.s + p->pos, "\r\n", 2) != 0)
                return flm_http_fail(p, 400, "chunk data not ended by CRLF");
            p->pos += 2;
            p->state = FLM_ST_CHUNK_SIZE;
            break;
        case FLM_ST_TRAILERS:
            l = flm_http_line(p, &ls, &le);
            if (l < 0)
                return flm_http_fail(p, 400, "trailer line not ended by CRLF");
            if (l == 0 && p->buf.len - p->pos > FLM_HTTP_MAX_HEAD)
                return flm_http_fail(p, 431, "trailer too large");
            if (l > 0 && le == ls)
                return flm_http_complete(p, out);
            if (l > 0)
                r = flm_http_field(p, p->buf.s + ls, le - ls, true);
            break;
        default:
            return FLM_HTTP_ERROR;
        }
        if (r != FLM_HTTP_NEED_MORE)
            return r;
        if (p->pos == before && p->state == state)
            return FLM_HTTP_NEED_MORE; /* no progress: wait for bytes */
    }
}
