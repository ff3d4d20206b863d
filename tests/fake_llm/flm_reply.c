/* flm_reply.c: the fake LLM server's response bytes in the providers' shapes (flm_reply.h). */
#include "flm_reply.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
flm_reply_reason(int status)
{
    static const struct {
        int status;
        const char *reason;
    } table[] = {
        {100, "Continue"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {413, "Content Too Large"},
        {417, "Expectation Failed"},
        {422, "Unprocessable Content"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
        {529, "Overloaded"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].status == status)
            return table[i].reason;
    return "Unknown";
}

size_t
flm_reply_utf8_split(const char *s, size_t len, size_t k, size_t *bounds)
{
    size_t ncp = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            ncp++;
    bounds[0] = 0;
    if (ncp == 0) {
        bounds[1] = len;
        return 1;
    }
    size_t m = k < ncp ? k : ncp;
    size_t cp = 0, piece = 1;
    for (size_t i = 0; i < len && piece < m; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        /* byte i starts code point number cp; piece `piece` starts at code point
         * piece * ncp / m */
        if (cp == piece * ncp / m)
            bounds[piece++] = i;
        cp++;
    }
    bounds[m] = len;
    return m;
}

static void
flm_reply_head(struct flm_reply *r, int status, const char *content_type, bool chunked,
               size_t content_length, bool keep_alive, char *const *headers, size_t nheaders)
{
    r->status = status;
    flm_str_addf(&r->head, "HTTP/1.1 %d %s\r\n", status, flm_reply_reason(status));
    bool own_type = false;
    for (size_t i = 0; i < nheaders; i++)
        if (flm_ieq(headers[2 * i], "content-type"))
            own_type = true;
    if (!own_type)
        flm_str_addf(&r->head, "Content-Type: %s\r\n", content_type);
    if (chunked)
        flm_str_adds(&r->head, "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n");
    else
        flm_str_addf(&r->head, "Content-Length: %zu\r\n", content_length);
    flm_str_addf(&r->head, "Connection: %s\r\n", keep_alive ? "keep-alive" : "close");
    for (size_t i = 0; i < nheaders; i++)
        flm_str_addf(&r->head, "%s: %s\r\n", headers[2 * i], headers[2 * i + 1]);
    flm_str_adds(&r->head, "\r\n");
}

static struct flm_str *
flm_reply_piece(struct flm_reply *r)
{
    r->pieces = flm_xrealloc(r->pieces, (r->npieces + 1) * sizeof *r->pieces);
    struct flm_str *p = &r->pieces[r->npieces++];
    memset(p, 0, sizeof *p);
    return p;
}

void
flm_reply_simple(struct flm_reply *r, int status, const char *content_type, const char *body,
                 size_t len, bool keep_alive, char *const *headers, size_t nheaders)
{
    memset(r, 0, sizeof *r);
    flm_reply_head(r, status, content_type, false, len, keep_alive, headers, nheaders);
    flm_str_add(flm_reply_piece(r), body, len);
}

/* Appends one SSE event (with an `event:` line when type is set) as one HTTP chunk; takes
 * the JSON object (or, with json NULL, the raw data text). */
static void
flm_reply_event(struct flm_reply *r, const char *type, cJSON *json, const char *raw)
{
    char *data = json ? cJSON_PrintUnformatted(json) : NULL;
    struct flm_str ev = {0};
    if (type)
        flm_str_addf(&ev, "event: %s\n", type);
    flm_str_addf(&ev, "data: %s\n\n", data ? data : raw);
    struct flm_str *p = flm_reply_piece(r);
    flm_str_addf(p, "%zx\r\n", ev.len);
    flm_str_add(p, ev.s, ev.len);
    flm_str_adds(p, "\r\n");
    r->nevents++;
    flm_str_release(&ev);
    cJSON_free(data);
    cJSON_Delete(json);
}

static cJSON *
flm_openai_chunk(const struct flm_call *c, char *id)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "object", "chat.completion.chunk");
    cJSON_AddNumberToObject(o, "created", (double)c->created);
    cJSON_AddStringToObject(o, "model", c->model);
    return o;
}

/* choices[0] of a stream chunk: index, delta, logprobs, finish_reason (NULL: null). */
static void
flm_openai_choice(cJSON *chunk, cJSON *delta, const char *finish, bool include_usage)
{
    cJSON *choices = cJSON_AddArrayToObject(chunk, "choices");
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddNumberToObject(ch, "index", 0);
    cJSON_AddItemToObject(ch, "delta", delta);
    cJSON_AddNullToObject(ch, "logprobs");
    if (finish)
        cJSON_AddStringToObject(ch, "finish_reason", finish);
    else
        cJSON_AddNullToObject(ch, "finish_reason");
    cJSON_AddItemToArray(choices, ch);
    if (include_usage) /* OpenAI: "All other chunks will also include a usage field, null" */
        cJSON_AddNullToObject(chunk, "usage");
}

static cJSON *
flm_openai_usage(long in, long out)
{
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)in);
    cJSON_AddNumberToObject(u, "completion_tokens", (double)out);
    cJSON_AddNumberToObject(u, "total_tokens", (double)(in + out));
    return u;
}

static void
flm_openai_stream(struct flm_reply *r, const struct flm_entry *e, const struct flm_call *c,
                  long in, long out)
{
    char id[64];
    snprintf(id, sizeof id, "chatcmpl-fake-%ld", c->n);
    const char *finish = e->finish ? e->finish : "stop";
    size_t len = strlen(e->content);
    size_t *b = flm_xcalloc((size_t)e->chunks + 1, sizeof *b);
    size_t m = flm_reply_utf8_split(e->content, len, (size_t)e->chunks, b);
    for (size_t i = 0; i < m; i++) {
        cJSON *chunk = flm_openai_chunk(c, id);
        cJSON *delta = cJSON_CreateObject();
        if (i == 0)
            cJSON_AddStringToObject(delta, "role", "assistant");
        char *piece = flm_xmemdup(e->content + b[i], b[i + 1] - b[i]);
        cJSON_AddStringToObject(delta, "content", piece);
        free(piece);
        flm_openai_choice(chunk, delta, NULL, c->include_usage);
        flm_reply_event(r, NULL, chunk, NULL);
    }
    free(b);
    cJSON *last = flm_openai_chunk(c, id);
    flm_openai_choice(last, cJSON_CreateObject(), finish, c->include_usage);
    flm_reply_event(r, NULL, last, NULL);
    if (c->include_usage) {
        cJSON *u = flm_openai_chunk(c, id);
        cJSON_AddArrayToObject(u, "choices");
        cJSON_AddItemToObject(u, "usage", flm_openai_usage(in, out));
        flm_reply_event(r, NULL, u, NULL);
    }
    flm_reply_event(r, NULL, NULL, "[DONE]");
}

static cJSON *
flm_openai_whole(const struct flm_entry *e, const struct flm_call *c, long in, long out)
{
    char id[64];
    snprintf(id, sizeof id, "chatcmpl-fake-%ld", c->n);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "object", "chat.completion");
    cJSON_AddNumberToObject(o, "created", (double)c->created);
    cJSON_AddStringToObject(o, "model", c->model);
    cJSON *choices = cJSON_AddArrayToObject(o, "choices");
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddNumberToObject(ch, "index", 0);
    cJSON *msg = cJSON_AddObjectToObject(ch, "message");
    cJSON_AddStringToObject(msg, "role", "assistant");
    cJSON_AddStringToObject(msg, "content", e->content);
    cJSON_AddNullToObject(ch, "logprobs");
    cJSON_AddStringToObject(ch, "finish_reason", e->finish ? e->finish : "stop");
    cJSON_AddItemToArray(choices, ch);
    cJSON_AddItemToObject(o, "usage", flm_openai_usage(in, out));
    return o;
}

static cJSON *
flm_anthropic_message(const struct flm_entry *e, const struct flm_call *c, const char *stop,
                      long in, long out)
{
    char id[64];
    snprintf(id, sizeof id, "msg_fake_%ld", c->n);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "type", "message");
    cJSON_AddStringToObject(o, "role", "assistant");
    cJSON_AddStringToObject(o, "model", c->model);
    cJSON *content = cJSON_AddArrayToObject(o, "content");
    if (e) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "type", "text");
        cJSON_AddStringToObject(t, "text", e->content);
        cJSON_AddItemToArray(content, t);
    }
    if (stop)
        cJSON_AddStringToObject(o, "stop_reason", stop);
    else
        cJSON_AddNullToObject(o, "stop_reason");
    cJSON_AddNullToObject(o, "stop_sequence");
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    cJSON_AddNumberToObject(u, "input_tokens", (double)in);
    cJSON_AddNumberToObject(u, "output_tokens", (double)out);
    return o;
}

/* An object {"type": type, "index": 0} (index < 0: none). */
static cJSON *
flm_anthropic_typed(const char *type, int index)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", type);
    if (index >= 0)
        cJSON_AddNumberToObject(o, "index", index);
    return o;
}

static void
flm_anthropic_stream(struct flm_reply *r, const struct flm_entry *e, const struct flm_call *c,
                     long in, long out)
{
    const char *stop = e->finish ? e->finish : "end_turn";
    cJSON *start = flm_anthropic_typed("message_start", -1);
    /* the real API starts with output_tokens 1; message_delta carries the final count */
    cJSON_AddItemToObject(start, "message",
                          flm_anthropic_message(NULL, c, NULL, in, out < 1 ? out : 1));
    flm_reply_event(r, "message_start", start, NULL);
    cJSON *bs = flm_anthropic_typed("content_block_start", 0);
    cJSON *blk = cJSON_AddObjectToObject(bs, "content_block");
    cJSON_AddStringToObject(blk, "type", "text");
    cJSON_AddStringToObject(blk, "text", "");
    flm_reply_event(r, "content_block_start", bs, NULL);
    flm_reply_event(r, "ping", flm_anthropic_typed("ping", -1), NULL);
    size_t len = strlen(e->content);
    size_t *b = flm_xcalloc((size_t)e->chunks + 1, sizeof *b);
    size_t m = flm_reply_utf8_split(e->content, len, (size_t)e->chunks, b);
    for (size_t i = 0; i < m; i++) {
        cJSON *d = flm_anthropic_typed("content_block_delta", 0);
        cJSON *delta = cJSON_AddObjectToObject(d, "delta");
        cJSON_AddStringToObject(delta, "type", "text_delta");
        char *piece = flm_xmemdup(e->content + b[i], b[i + 1] - b[i]);
        cJSON_AddStringToObject(delta, "text", piece);
        free(piece);
        flm_reply_event(r, "content_block_delta", d, NULL);
    }
    free(b);
    flm_reply_event(r, "content_block_stop", flm_anthropic_typed("content_block_stop", 0), NULL);
    cJSON *md = flm_anthropic_typed("message_delta", -1);
    cJSON *mdd = cJSON_AddObjectToObject(md, "delta");
    cJSON_AddStringToObject(mdd, "stop_reason", stop);
    cJSON_AddNullToObject(mdd, "stop_sequence");
    cJSON *u = cJSON_AddObjectToObject(md, "usage");
    cJSON_AddNumberToObject(u, "output_tokens", (double)out);
    flm_reply_event(r, "message_delta", md, NULL);
    flm_reply_event(r, "message_stop", flm_anthropic_typed("message_stop", -1), NULL);
}

/* The error body of a non-2xx reply in the provider's shape. */
static char *
flm_error_body(const struct flm_entry *e, enum flm_provider p)
{
    const char *m = e->message ? e->message : "scripted error";
    const char *t = e->error_type ? e->error_type : "server_error";
    cJSON *o = cJSON_CreateObject();
    cJSON *err;
    if (p == FLM_PROVIDER_ANTHROPIC) {
        cJSON_AddStringToObject(o, "type", "error");
        err = cJSON_AddObjectToObject(o, "error");
        cJSON_AddStringToObject(err, "type", t);
        cJSON_AddStringToObject(err, "message", m);
    } else {
        err = cJSON_AddObjectToObject(o, "error");
        cJSON_AddStringToObject(err, "message", m);
        cJSON_AddStringToObject(err, "type", t);
        cJSON_AddNullToObject(err, "code");
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static void
flm_reply_json(struct flm_reply *r, const struct flm_entry *e, cJSON *o, bool keep_alive)
{
    char *s = cJSON_PrintUnformatted(o);
    flm_reply_simple(r, e->status, "application/json", s, strlen(s), keep_alive, e->headers,
                     e->nheaders);
    cJSON_free(s);
    cJSON_Delete(o);
}

void
flm_reply_scripted(struct flm_reply *r, const struct flm_entry *e, const struct flm_call *c,
                   bool keep_alive)
{
    long in = e->usage_in >= 0 ? e->usage_in : (long)(c->request_len / 4);
    long out = e->usage_out >= 0 ? e->usage_out : (long)(strlen(e->content) / 4);
    const char *ctype = e->content_type ? e->content_type : "application/json";
    if (e->body) {
        flm_reply_simple(r, e->status, ctype, e->body, strlen(e->body), keep_alive, e->headers,
                         e->nheaders);
        return;
    }
    if (e->status < 200 || e->status > 299) {
        char *s = flm_error_body(e, c->provider);
        flm_reply_simple(r, e->status, ctype, s, strlen(s), keep_alive, e->headers,
                         e->nheaders);
        cJSON_free(s);
        return;
    }
    if (!c->stream) {
        cJSON *o = c->provider == FLM_PROVIDER_ANTHROPIC
                       ? flm_anthropic_message(e, c, e->finish ? e->finish : "end_turn", in, out)
                       : flm_openai_whole(e, c, in, out);
        flm_reply_json(r, e, o, keep_alive);
        return;
    }
    memset(r, 0, sizeof *r);
    flm_reply_head(r, e->status, "text/event-stream", true, 0, keep_alive, e->headers,
                   e->nheaders);
    if (c->provider == FLM_PROVIDER_ANTHROPIC)
        flm_anthropic_stream(r, e, c, in, out);
    else
        flm_openai_stream(r, e, c, in, out);
    flm_str_adds(flm_reply_piece(r), "0\r\n\r\n");
}

size_t
flm_reply_body_len(const struct flm_reply *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->npieces; i++)
        n += r->pieces[i].len;
    return n;
}

void
flm_reply_release(struct flm_reply *r)
{
    flm_str_release(&r->head);
    for (size_t i = 0; i < r->npieces; i++)
        flm_str_release(&r->pieces[i]);
    free(r->pieces);
    memset(r, 0, sizeof *r);
}
