/*
 * flm_reply.h: the bytes of the fake LLM server's responses: status line and headers, and
 * the body as a list of pieces (one piece for a whole body, one chunked-encoded SSE event
 * a piece for a stream, then the chunked terminator), in the shapes of the OpenAI chat
 * completions API and the Anthropic messages API (see fake_llm.c's top comment).
 *
 * Pure (cJSON only, no I/O): flm_server.c decides when each piece goes out (delays,
 * stalls, early closes). Ownership: a reply owns its strings; flm_reply_release() frees them.
 * Prefix flm_reply_.
 */
#ifndef LSP_PROXY_FLM_REPLY_H
#define LSP_PROXY_FLM_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include "flm_script.h"
#include "flm_util.h"

/* What a scripted reply takes from its request. */
struct flm_call {
    enum flm_provider provider; /* OPENAI or ANTHROPIC (resolved) */
    const char *model;          /* the request's `model` (borrowed) */
    bool stream;                /* resolved: the entry's `stream`, else the request's */
    bool include_usage;         /* the request's stream_options.include_usage is true */
    size_t request_len;         /* bytes of the request body */
    long n;                     /* request number, for ids */
    long created;               /* unix seconds */
};

struct flm_reply {
    int status;
    struct flm_str head;        /* status line, headers and the empty line */
    struct flm_str *pieces;     /* body pieces, sent in order */
    size_t npieces;
    size_t nevents;             /* pieces[0..nevents) are SSE events; the rest are not */
};

/* A reply with a whole body of len bytes, and extra header pairs (name, value, ...). */
void flm_reply_simple(struct flm_reply *r, int status, const char *content_type,
                      const char *body, size_t len, bool keep_alive, char *const *headers,
                      size_t nheaders);
/* The reply entry e scripts for call c. */
void flm_reply_scripted(struct flm_reply *r, const struct flm_entry *e,
                        const struct flm_call *c, bool keep_alive);
/* Total bytes of the body pieces. */
size_t flm_reply_body_len(const struct flm_reply *r);
void flm_reply_release(struct flm_reply *r);

/* The reason phrase of status ("Too Many Requests"); "Unknown" for unlisted codes. */
const char *flm_reply_reason(int status);

/*
 * Splits s[0..len) into at most k pieces of (nearly) as many UTF-8 code points each, never
 * inside a multi-byte sequence: bounds[0] = 0 < bounds[1] < ... < bounds[m] = len; returns
 * m = min(k, code points), or 1 with bounds {0, 0} for an empty string. bounds has k + 1
 * slots; k >= 1.
 */
size_t flm_reply_utf8_split(const char *s, size_t len, size_t k, size_t *bounds);

#endif
