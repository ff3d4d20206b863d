/*
 * fuzz_reply: the parsers that read what an LLM or Lean sends back: fenced-block
 * extraction and refusals (reply.h), Try-this suggestions, the SSE parser fed in two
 * pieces at a byte the input chooses (it must give the same events as one feed), and the
 * providers' stream and whole-reply parsers (llm.h). Invariants are checked, not only
 * crashes: an extracted script comes from the input, SSE is split-invariant.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "llm.h"
#include "reply.h"
#include "sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct events {
    struct buf all;
    enum llm_provider p;
    struct buf text;
    long tin, tout;
};

static int
on_event(const char *type, const char *d, size_t len, void *arg)
{
    struct events *e = arg;
    char err[128];
    (void)buf_addf(&e->all, "%s\x01", type);
    (void)buf_add(&e->all, d, len);
    (void)buf_addch(&e->all, '\x02');
    (void)llm_parse_stream_event(e->p, type, d, len, &e->text, &e->tin, &e->tout, err, sizeof err);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *t = (const char *)data;
    struct reply_candidate c = {0};
    if (reply_extract(t, size, size & 1, &c) == 0) {
        if (c.script == NULL)
            abort();
        char *why = reply_refusal(&c, size & 2, size & 1);
        free(why);
        reply_candidate_release(&c);
    }
    free(reply_try_this(t, size));

    /* SSE: one feed vs two */
    size_t cut = size ? data[0] % (size + 1) : 0;
    struct events a, b;
    struct sse pa, pb;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.p = b.p = size & 4 ? LLM_PROVIDER_ANTHROPIC : LLM_PROVIDER_OPENAI;
    buf_init(&a.all, 0);
    buf_init(&b.all, 0);
    buf_init(&a.text, 1 << 20);
    buf_init(&b.text, 1 << 20);
    sse_init(&pa, 1 << 16);
    sse_init(&pb, 1 << 16);
    enum sse_result ra = sse_feed(&pa, t, size, on_event, &a);
    enum sse_result rb = sse_feed(&pb, t, cut, on_event, &b);
    if (rb == SSE_OK)
        rb = sse_feed(&pb, t + cut, size - cut, on_event, &b);
    if (ra != rb || a.all.len != b.all.len ||
        (a.all.len && memcmp(a.all.data, b.all.data, a.all.len) != 0)) {
        fprintf(stderr, "fuzz_reply: SSE split at %zu differs\n", cut);
        abort();
    }
    sse_release(&pa);
    sse_release(&pb);
    buf_release(&a.all);
    buf_release(&b.all);
    buf_release(&a.text);
    buf_release(&b.text);

    struct buf text;
    long tin = 0, tout = 0;
    char err[128];
    buf_init(&text, 1 << 20);
    (void)llm_parse_reply(LLM_PROVIDER_OPENAI, t, size, &text, &tin, &tout, err, sizeof err);
    buf_reset(&text);
    (void)llm_parse_reply(LLM_PROVIDER_ANTHROPIC, t, size, &text, &tin, &tout, err, sizeof err);
    buf_release(&text);
    return 0;
}
