/*
 * fuzz_frame: libFuzzer target for what the proxy does first with every byte it reads: the
 * frame reader (src/frame.c), jsonrpc_parse on each body and the jscan lookups the router
 * makes. Built by `make build/fuzz/fuzz_frame` (clang, ASan + UBSan); seeds in
 * tests/fuzz/seeds/frame/ (framed LSP traffic, each file starting with a piece table).
 *
 * Input: byte 0 & 7 = k, then k piece-size bytes (piece = 1 + s*s/8 bytes, so 1..8129,
 * cycled; k = 0 feeds everything at once), then the byte stream. Two passes:
 *  1. the stream as it is, fed in those pieces to a reader with small limits; every event
 *     is checked and every FRAME_OK body parsed and looked into;
 *  2. the stream cut at '\n' into bodies, framed with frame_encode() and fed in the same
 *     pieces: the reader must hand back exactly those bodies (FRAME_TOO_LARGE with the right
 *     length for the ones over the limit) and nothing else.
 * Invariants (violations __builtin_trap()):
 *  - a FRAME_OK body is at most FUZZ_MAX_BODY bytes and lies inside the buffered input;
 *  - after frame_reader_next() returned FRAME_NEED_MORE, frame_reader_pending() is below
 *    FUZZ_MAX_HEADER + FUZZ_MAX_BODY: what is kept is either an incomplete header block
 *    (never longer than the header limit, frame.c drops it then), or one header block
 *    (<= the header limit) plus part of a body within the body limit, or a resync tail of
 *    at most 14 bytes; oversize bodies are skipped, never buffered;
 *  - every call of frame_reader_next() that does not return FRAME_NEED_MORE consumes input
 *    (so one drain takes at most pending + 1 calls);
 *  - spans from jsonrpc_parse lie inside the body; ids of requests and responses are strings,
 *    numbers or null; error and result replies written for any id are valid JSON;
 *  - pass 2 round-trips exactly.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "frame.h"
#include "jscan.h"
#include "jsonrpc.h"

#define FUZZ_MAX_BODY 4096u
#define FUZZ_MAX_HEADER 256u
#define FUZZ_MAX_PIECES 7

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond))                                                                       \
            __builtin_trap();                                                              \
    } while (0)

struct pieces {
    size_t size[FUZZ_MAX_PIECES];
    size_t n, next;
};

static size_t
pieces_next(struct pieces *p, size_t left)
{
    size_t want = left;
    if (p->n > 0) {
        want = p->size[p->next];
        p->next = (p->next + 1) % p->n;
    }
    return want < left ? want : left;
}

static bool
span_inside(struct jspan v, const char *body, size_t len)
{
    return v.p == NULL || (v.p >= body && v.len <= len && v.p - body <= (ptrdiff_t)(len - v.len));
}

static void
check_json(const struct buf *b)
{
    struct jspan v;
    size_t off;
    CHECK(b->data != NULL && jscan_validate(b->data, b->len, &v, &off) == 0);
    CHECK(jscan_type(v) == JSCAN_OBJECT);
}

/* Looks into a string span the way the router does. */
static void
look_string(struct jspan v)
{
    char *s = jscan_strdup(v);
    CHECK((s != NULL) == (jscan_type(v) == JSCAN_STRING));
    if (s) {
        CHECK(jscan_string_eq(v, s)); /* also when a decoded \u0000 ends s early */
        free(s);
    }
    struct buf capped;
    buf_init(&capped, 16);
    (void)jscan_string(v, &capped);
    CHECK(capped.len <= 16);
    buf_release(&capped);
}

/* Walks a container one level down (and one more for nested containers). */
static void
look_container(struct jspan c, int depth)
{
    size_t pos = 0, count = 0;
    struct jspan key, elem;
    bool object = jscan_type(c) == JSCAN_OBJECT;
    while (jscan_next(c, &pos, &key, &elem)) {
        CHECK(elem.p >= c.p && elem.p + elem.len <= c.p + c.len);
        CHECK(jscan_type(elem) != JSCAN_NONE);
        if (object && key.len < 64 && memchr(key.p, '\0', key.len) == NULL) {
            /* jscan_get finds every key jscan_next shows (raw bytes; the last one wins) */
            char k[64];
            struct jspan again;
            memcpy(k, key.p, key.len);
            k[key.len] = '\0';
            CHECK(jscan_get(c, k, &again));
        }
        enum jscan_type t = jscan_type(elem);
        if (t == JSCAN_STRING)
            look_string(elem);
        else if ((t == JSCAN_OBJECT || t == JSCAN_ARRAY) && depth < 2)
            look_container(elem, depth + 1);
        long long ll;
        (void)jscan_int(elem, &ll);
        (void)jscan_is_true(elem);
        count++;
    }
    if (!object)
        CHECK(jscan_array_len(c) == count);
}

/* What the router reads from one message. */
static void
look_body(const char *body, size_t len)
{
    struct jsonrpc_msg m;
    jsonrpc_parse(body, len, &m);
    CHECK(span_inside(m.whole, body, len) && span_inside(m.id, body, len) &&
          span_inside(m.params, body, len) && span_inside(m.result, body, len) &&
          span_inside(m.error, body, len));
    CHECK(strlen(m.method) < JSONRPC_METHOD_MAX);
    CHECK((m.kind == JSONRPC_INVALID) == (m.problem != NULL));
    if (m.kind == JSONRPC_REQUEST || m.kind == JSONRPC_RESPONSE) {
        enum jscan_type t = jscan_type(m.id);
        CHECK(t == JSCAN_STRING || t == JSCAN_NUMBER || t == JSCAN_NULL);
    }
    if (m.kind == JSONRPC_REQUEST || m.kind == JSONRPC_NOTIFICATION)
        CHECK(m.params.p == NULL || jscan_type(m.params) == JSCAN_OBJECT ||
              jscan_type(m.params) == JSCAN_ARRAY);
    /* The proxy answers bad messages with the id it could read: always valid JSON. */
    struct buf out;
    buf_init(&out, 0);
    jsonrpc_write_error(&out, m.id, JSONRPC_INVALID_REQUEST, m.problem ? m.problem : "x\"\n");
    check_json(&out);
    buf_reset(&out);
    jsonrpc_write_result(&out, m.id, "null");
    check_json(&out);
    buf_release(&out);
    (void)jsonrpc_is_proxy_id(m.id);
    if (m.kind == JSONRPC_INVALID)
        return;
    struct jspan uri, v;
    if (jscan_path(m.params, "textDocument.uri", &uri))
        look_string(uri);
    if (jscan_path(m.params, "contentChanges", &v) || jscan_path(m.params, "diagnostics", &v))
        look_container(v, 1);
    if (jscan_path(m.params, "textDocument.version", &v)) {
        long long ll;
        (void)jscan_int(v, &ll);
    }
    (void)jscan_path(m.params, "capabilities.lean.incrementalDiagnosticSupport", &v);
    (void)jscan_path(m.whole, "params.context.only", &v);
    if (m.params.p)
        look_container(m.params, 0);
    if (m.result.p && (jscan_type(m.result) == JSCAN_OBJECT || jscan_type(m.result) == JSCAN_ARRAY))
        look_container(m.result, 1);
    (void)jscan_string_eq(m.id, "register_lean_watcher");
}

/* Calls frame_reader_next() until FRAME_NEED_MORE, checking each event. With expect, the
 * events must match bodies[*at...] (pass 2). */
struct expect {
    const char *const *body;
    const size_t *len;
    size_t n, at;
};

static void
drain(struct frame_reader *r, struct expect *ex)
{
    size_t calls = 0, limit = frame_reader_pending(r) + 1;
    for (;;) {
        const char *body = NULL;
        size_t len = 0, before = frame_reader_pending(r);
        size_t big_before = r->big_frames, bad_before = r->bad_frames;
        enum frame_result res = frame_reader_next(r, &body, &len);
        CHECK(++calls <= limit);
        if (res == FRAME_NEED_MORE) {
            CHECK(frame_reader_pending(r) < FUZZ_MAX_HEADER + FUZZ_MAX_BODY);
            return;
        }
        switch (res) {
        case FRAME_OK:
            CHECK(len <= FUZZ_MAX_BODY);
            CHECK(len == 0 || body != NULL);
            CHECK(frame_reader_pending(r) + len < before);
            if (ex) {
                CHECK(ex->at < ex->n && ex->len[ex->at] <= FUZZ_MAX_BODY);
                CHECK(len == ex->len[ex->at] && memcmp(body, ex->body[ex->at], len) == 0);
                ex->at++;
            } else {
                look_body(body, len);
            }
            break;
        case FRAME_TOO_LARGE:
            CHECK(r->big_frames == big_before + 1 && r->last_length > FUZZ_MAX_BODY);
            if (ex) {
                CHECK(ex->at < ex->n && ex->len[ex->at] > FUZZ_MAX_BODY);
                CHECK(r->last_length == ex->len[ex->at]);
                ex->at++;
            }
            break;
        case FRAME_BAD_HEADER:
            CHECK(ex == NULL && r->bad_frames == bad_before + 1);
            break;
        default:
            __builtin_trap();
        }
        /* Every event but NEED_MORE consumes input. */
        CHECK(frame_reader_pending(r) < before);
    }
}

static void
feed(struct frame_reader *r, const char *s, size_t n, struct pieces *p, struct expect *ex)
{
    size_t off = 0;
    while (off < n) {
        size_t k = pieces_next(p, n - off);
        CHECK(frame_reader_feed(r, s + off, k) == 0);
        off += k;
        drain(r, ex);
    }
    drain(r, ex);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct pieces p = {.n = data[0] & 7u};
    if (p.n > FUZZ_MAX_PIECES || 1 + p.n > size)
        return 0;
    for (size_t i = 0; i < p.n; i++) {
        size_t s = data[1 + i];
        p.size[i] = 1 + s * s / 8;
    }
    const char *stream = (const char *)data + 1 + p.n;
    size_t len = size - 1 - p.n;

    /* 1: arbitrary bytes */
    struct frame_reader r;
    frame_reader_init(&r, FUZZ_MAX_BODY, FUZZ_MAX_HEADER);
    feed(&r, stream, len, &p, NULL);
    frame_reader_release(&r);

    /* 2: the stream cut into bodies, framed, must come back exactly */
    size_t nb = 1;
    for (size_t i = 0; i < len; i++)
        nb += stream[i] == '\n';
    const char **bodies = malloc(nb * sizeof *bodies);
    size_t *lens = malloc(nb * sizeof *lens);
    struct buf framed;
    buf_init(&framed, 0);
    size_t start = 0, k = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || stream[i] == '\n') {
            bodies[k] = stream + start;
            lens[k] = i - start;
            CHECK(frame_encode(&framed, bodies[k], lens[k]) == 0);
            k++;
            start = i + 1;
        }
    }
    struct expect ex = {bodies, lens, k, 0};
    p.next = 0;
    frame_reader_init(&r, FUZZ_MAX_BODY, FUZZ_MAX_HEADER);
    feed(&r, framed.data, framed.len, &p, &ex);
    CHECK(ex.at == ex.n && frame_reader_pending(&r) == 0);
    frame_reader_release(&r);
    buf_release(&framed);
    free(bodies);
    free(lens);
    return 0;
}
