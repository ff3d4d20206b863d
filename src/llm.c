/* llm: OpenAI-compatible and Anthropic chat requests, streamed and reassembled. */
#include "llm.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "sse.h"
#include "xalloc.h"

#define LLM_MAX_REPLY ((size_t)8 << 20)   /* text of one reply */
#define LLM_MAX_EVENT ((size_t)4 << 20)   /* one SSE line or event */
#define LLM_MAX_RAW ((size_t)1 << 20)     /* a non-SSE body kept to parse at the end */

struct llm {
    struct http *http;
    enum llm_provider provider;
    char *base_url, *model, *api_key, *anthropic_version;
    enum llm_auth auth;
    long max_tokens, timeout_ms, idle_timeout_ms, backoff_ms;
    int retries;
    bool stream;
    struct llm_stats stats;
};

struct llm_request {
    struct llm *l;
    struct http_request *hr;
    llm_done_cb *done;
    void *arg;
    struct sse sse;
    struct buf text;
    struct buf raw;        /* body bytes while no SSE event has been seen */
    long tokens_in, tokens_out;
    bool ended;            /* the stream's end marker was seen */
    bool failed;
    char error[320];
};

const char *
llm_provider_name(enum llm_provider p)
{
    return p == LLM_PROVIDER_OPENAI ? "openai" : p == LLM_PROVIDER_ANTHROPIC ? "anthropic" : "none";
}

int
llm_provider_parse(const char *name, enum llm_provider *out)
{
    if (name && strcmp(name, "openai") == 0)
        *out = LLM_PROVIDER_OPENAI;
    else if (name && strcmp(name, "anthropic") == 0)
        *out = LLM_PROVIDER_ANTHROPIC;
    else if (name && strcmp(name, "none") == 0)
        *out = LLM_PROVIDER_NONE;
    else
        return -1;
    return 0;
}

static char *
dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

struct llm *
llm_new(struct http *h, const struct llm_settings *s)
{
    struct llm *l = xcalloc(1, sizeof *l);
    l->http = h;
    l->provider = s->provider;
    l->base_url = xstrdup(s->base_url && *s->base_url ? s->base_url
                          : s->provider == LLM_PROVIDER_ANTHROPIC ? "https://api.anthropic.com"
                                                                  : "https://api.openai.com/v1");
    size_t n = strlen(l->base_url);
    while (n > 0 && l->base_url[n - 1] == '/')
        l->base_url[--n] = '\0';
    l->model = xstrdup(s->model && *s->model ? s->model
                       : s->provider == LLM_PROVIDER_ANTHROPIC ? "claude-sonnet-4-5"
                                                               : "gpt-4o");
    l->api_key = dup_or_null(s->api_key);
    if (l->api_key)
        log_add_secret(l->api_key);
    l->anthropic_version = xstrdup(s->anthropic_version && *s->anthropic_version
                                       ? s->anthropic_version
                                       : "2023-06-01");
    l->auth = s->auth != LLM_AUTH_DEFAULT ? s->auth
              : s->provider == LLM_PROVIDER_ANTHROPIC ? LLM_AUTH_X_API_KEY
                                                      : LLM_AUTH_BEARER;
    l->max_tokens = s->max_tokens > 0 ? s->max_tokens : 4096;
    l->timeout_ms = s->timeout_ms > 0 ? s->timeout_ms : 120000;
    l->idle_timeout_ms = s->idle_timeout_ms > 0 ? s->idle_timeout_ms : 30000;
    l->retries = s->retries >= 0 ? s->retries : 3;
    l->backoff_ms = s->backoff_ms;
    l->stream = s->stream;
    return l;
}

void
llm_free(struct llm *l)
{
    if (l == NULL)
        return;
    if (l->api_key) {
        memset(l->api_key, 0, strlen(l->api_key));
        free(l->api_key);
    }
    free(l->base_url);
    free(l->model);
    free(l->anthropic_version);
    free(l);
}

const struct llm_stats *
llm_stats(const struct llm *l)
{
    return &l->stats;
}

const char *
llm_model(const struct llm *l)
{
    return l->model;
}

/* ---- reply parsing ---- */

static const cJSON *
get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static long
get_long(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (long)v->valuedouble : 0;
}

/* The message of an error object ({"error": {"message": …}} or {"error": "…"}). */
static const char *
error_message(const cJSON *root)
{
    const cJSON *e = get(root, "error");
    if (cJSON_IsString(e))
        return e->valuestring;
    const cJSON *m = get(e, "message");
    if (cJSON_IsString(m))
        return m->valuestring;
    return e ? "an error object without a message" : NULL;
}

static int
add_text(struct buf *text, const char *s, char *err, size_t errlen)
{
    if (buf_adds(text, s) < 0) {
        snprintf(err, errlen, "reply longer than %zu bytes", (size_t)LLM_MAX_REPLY);
        return -1;
    }
    return 0;
}

int
llm_parse_stream_event(enum llm_provider p, const char *type, const char *data, size_t len,
                       struct buf *text, long *tokens_in, long *tokens_out, char *err,
                       size_t errlen)
{
    int rc = 0;
    if (p == LLM_PROVIDER_OPENAI && len == 6 && memcmp(data, "[DONE]", 6) == 0)
        return 1;
    cJSON *root = cJSON_ParseWithLength(data, len);
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "the stream carried an event that is not JSON: %.*s",
                 (int)(len < 60 ? len : 60), data);
        cJSON_Delete(root);
        return -1;
    }
    const char *em = error_message(root);
    if (em) {
        snprintf(err, errlen, "the endpoint reported an error: %.200s", em);
        cJSON_Delete(root);
        return -1;
    }
    if (p == LLM_PROVIDER_OPENAI) {
        const cJSON *choices = get(root, "choices"), *usage = get(root, "usage");
        const cJSON *c0 = cJSON_GetArrayItem(choices, 0);
        const cJSON *content = get(get(c0, "delta"), "content");
        if (cJSON_IsString(content) && add_text(text, content->valuestring, err, errlen) < 0)
            rc = -1;
        if (cJSON_IsObject(usage)) {
            *tokens_in = get_long(usage, "prompt_tokens");
            *tokens_out = get_long(usage, "completion_tokens");
        }
        if (rc == 0 && !cJSON_IsArray(choices) && !cJSON_IsObject(usage)) {
            snprintf(err, errlen, "a stream event with neither choices nor usage");
            rc = -1;
        }
        /* finish_reason alone does not end the stream: the usage chunk may follow */
    } else {
        const cJSON *t = get(root, "type");
        const char *kind = cJSON_IsString(t) ? t->valuestring : type;
        if (strcmp(kind, "content_block_delta") == 0) {
            const cJSON *d = get(root, "delta");
            const cJSON *s = get(d, "text");
            if (cJSON_IsString(s) && add_text(text, s->valuestring, err, errlen) < 0)
                rc = -1;
        } else if (strcmp(kind, "message_start") == 0) {
            const cJSON *u = get(get(root, "message"), "usage");
            *tokens_in = get_long(u, "input_tokens");
            if (get_long(u, "output_tokens"))
                *tokens_out = get_long(u, "output_tokens");
        } else if (strcmp(kind, "message_delta") == 0) {
            const cJSON *u = get(root, "usage");
            if (cJSON_IsObject(u))
                *tokens_out = get_long(u, "output_tokens");
        } else if (strcmp(kind, "message_stop") == 0) {
            rc = 1;
        }
        /* ping, content_block_start/stop: nothing to take */
    }
    cJSON_Delete(root);
    return rc;
}

int
llm_parse_reply(enum llm_provider p, const char *body, size_t len, struct buf *text,
                long *tokens_in, long *tokens_out, char *err, size_t errlen)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    int rc = -1;
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "the reply is not JSON: %.*s", len ? (int)(len < 60 ? len : 60) : 7,
                 len ? body : "(empty)");
        goto out;
    }
    const char *em = error_message(root);
    if (em) {
        snprintf(err, errlen, "the endpoint reported an error: %.200s", em);
        goto out;
    }
    if (p == LLM_PROVIDER_OPENAI) {
        const cJSON *c0 = cJSON_GetArrayItem(get(root, "choices"), 0);
        const cJSON *content = get(get(c0, "message"), "content");
        if (!cJSON_IsString(content)) {
            snprintf(err, errlen, "the reply has no choices[0].message.content");
            goto out;
        }
        if (add_text(text, content->valuestring, err, errlen) < 0)
            goto out;
        const cJSON *u = get(root, "usage");
        *tokens_in = get_long(u, "prompt_tokens");
        *tokens_out = get_long(u, "completion_tokens");
    } else {
        const cJSON *content = get(root, "content"), *block;
        bool any = false;
        cJSON_ArrayForEach(block, content)
        {
            const cJSON *t = get(block, "text");
            if (cJSON_IsString(t)) {
                any = true;
                if (add_text(text, t->valuestring, err, errlen) < 0)
                    goto out;
            }
        }
        if (!any) {
            snprintf(err, errlen, "the reply has no text content block");
            goto out;
        }
        const cJSON *u = get(root, "usage");
        *tokens_in = get_long(u, "input_tokens");
        *tokens_out = get_long(u, "output_tokens");
    }
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}

/* ---- requests ---- */

static int
on_event(const char *type, const char *data, size_t len, void *arg)
{
    struct llm_request *q = arg;
    int rc = llm_parse_stream_event(q->l->provider, type, data, len, &q->text, &q->tokens_in,
                                    &q->tokens_out, q->error, sizeof q->error);
    if (rc < 0) {
        q->failed = true;
        return 1;
    }
    if (rc == 1)
        q->ended = true;
    return 0;
}

static int
on_data(struct http_request *r, const char *data, size_t len, void *arg)
{
    struct llm_request *q = arg;
    (void)r;
    if (q->sse.events == 0 && q->raw.len + len <= LLM_MAX_RAW)
        (void)buf_add(&q->raw, data, len);
    enum sse_result sr = sse_feed(&q->sse, data, len, on_event, q);
    if (sr == SSE_TOO_LARGE) {
        snprintf(q->error, sizeof q->error, "a stream event larger than %zu bytes",
                 (size_t)LLM_MAX_EVENT);
        q->failed = true;
    }
    return q->failed ? 1 : 0;
}

static void
on_done(struct http_request *r, const struct http_result *res, void *arg)
{
    struct llm_request *q = arg;
    struct llm *l = q->l;
    (void)r;
    bool ok = false;
    if (q->failed) {
        /* the message is set */
    } else if (res->error != HTTP_OK) {
        snprintf(q->error, sizeof q->error, "LLM request to %s failed after %d attempt%s: %s",
                 l->base_url, res->attempts, res->attempts == 1 ? "" : "s", res->message);
    } else if (res->status < 200 || res->status >= 300) {
        char em[240] = "";
        cJSON *root = cJSON_ParseWithLength(res->body, res->body_len);
        const char *m = root ? error_message(root) : NULL;
        snprintf(em, sizeof em, "%.200s", m ? m : res->body_len ? res->body : "no body");
        cJSON_Delete(root);
        snprintf(q->error, sizeof q->error, "LLM endpoint answered HTTP %d: %s", res->status,
                 em);
    } else if (!l->stream || q->sse.events == 0) {
        /* a whole reply (also a server that ignored "stream": true) */
        const char *body = l->stream ? (q->raw.data ? q->raw.data : "") : res->body;
        size_t blen = l->stream ? q->raw.len : res->body_len;
        ok = llm_parse_reply(l->provider, body, blen, &q->text, &q->tokens_in, &q->tokens_out,
                             q->error, sizeof q->error) == 0;
    } else if (!q->ended) {
        snprintf(q->error, sizeof q->error, "the stream ended before its end marker");
    } else {
        ok = true;
    }
    if (ok && q->text.len == 0) {
        ok = false;
        snprintf(q->error, sizeof q->error, "the reply has no text");
    }
    l->stats.requests++;
    l->stats.tokens_in += q->tokens_in;
    l->stats.tokens_out += q->tokens_out;
    if (!ok)
        l->stats.failures++;
    struct llm_result out = {
        .ok = ok,
        .text = ok && q->text.data ? q->text.data : "",
        .text_len = ok ? q->text.len : 0,
        .tokens_in = q->tokens_in,
        .tokens_out = q->tokens_out,
        .status = res->status,
        .attempts = res->attempts,
        .elapsed_ms = res->elapsed_ms,
        .error = ok ? "" : q->error,
    };
    if (!ok)
        log_warn("llm", "%s", q->error);
    if (q->done)
        q->done(q, &out, q->arg);
    sse_release(&q->sse);
    buf_release(&q->text);
    buf_release(&q->raw);
    free(q);
}

static char *
request_body(const struct llm *l, const char *system, const struct llm_message *msgs,
             size_t n)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "model", l->model);
    if (l->provider == LLM_PROVIDER_ANTHROPIC) {
        cJSON_AddNumberToObject(root, "max_tokens", (double)l->max_tokens);
        if (system && *system)
            cJSON_AddStringToObject(root, "system", system);
    } else if (system && *system) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", "system");
        cJSON_AddStringToObject(m, "content", system);
        cJSON_AddItemToArray(arr, m);
    }
    for (size_t i = 0; i < n; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", msgs[i].role);
        cJSON_AddStringToObject(m, "content", msgs[i].content ? msgs[i].content : "");
        cJSON_AddItemToArray(arr, m);
    }
    cJSON_AddItemToObject(root, "messages", arr);
    if (l->stream) {
        cJSON_AddTrueToObject(root, "stream");
        if (l->provider == LLM_PROVIDER_OPENAI) {
            cJSON *so = cJSON_CreateObject();
            cJSON_AddTrueToObject(so, "include_usage");
            cJSON_AddItemToObject(root, "stream_options", so);
        }
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

struct llm_request *
llm_request_start(struct llm *l, const char *system, const struct llm_message *msgs,
                  size_t nmsgs, llm_done_cb *done, void *arg)
{
    if (l == NULL || l->provider == LLM_PROVIDER_NONE)
        return NULL;
    struct llm_request *q = xcalloc(1, sizeof *q);
    q->l = l;
    q->done = done;
    q->arg = arg;
    sse_init(&q->sse, LLM_MAX_EVENT);
    buf_init(&q->text, LLM_MAX_REPLY);
    buf_init(&q->raw, LLM_MAX_RAW);
    char *body = request_body(l, system, msgs, nmsgs);
    char *url = l->provider == LLM_PROVIDER_ANTHROPIC ? xasprintf("%s/v1/messages", l->base_url)
                                                      : xasprintf("%s/chat/completions", l->base_url);
    char *auth = NULL, *version = NULL;
    const char *headers[6];
    size_t nh = 0;
    headers[nh++] = "Content-Type: application/json";
    headers[nh++] = l->stream ? "Accept: text/event-stream" : "Accept: application/json";
    if (l->api_key) {
        auth = l->auth == LLM_AUTH_X_API_KEY ? xasprintf("x-api-key: %s", l->api_key)
                                             : xasprintf("Authorization: Bearer %s", l->api_key);
        headers[nh++] = auth;
    }
    if (l->provider == LLM_PROVIDER_ANTHROPIC) {
        version = xasprintf("anthropic-version: %s", l->anthropic_version);
        headers[nh++] = version;
    }
    headers[nh] = NULL;
    struct http_options o = {
        .url = url,
        .body = body,
        .body_len = strlen(body),
        .headers = headers,
        .timeout_ms = l->timeout_ms,
        .idle_timeout_ms = l->idle_timeout_ms,
        .retries = l->retries,
        .backoff_ms = l->backoff_ms,
        .max_body = LLM_MAX_REPLY,
        .stream = l->stream,
    };
    q->hr = http_request_start(l->http, &o, on_data, on_done, q);
    if (auth) {
        memset(auth, 0, strlen(auth));
        free(auth);
    }
    free(version);
    free(url);
    free(body);
    if (q->hr == NULL) {
        sse_release(&q->sse);
        buf_release(&q->text);
        buf_release(&q->raw);
        free(q);
        return NULL;
    }
    return q;
}

void
llm_request_cancel(struct llm_request *q)
{
    if (q)
        http_request_cancel(q->hr);
}

int
llm_settings_from_config(const struct config *c, struct llm_settings *s, char **key_out,
                         char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    *key_out = NULL;
    const char *prov = config_llm_provider(c);
    if (llm_provider_parse(prov, &s->provider) < 0) {
        snprintf(err, errlen, "llm.provider `%s` is not one of openai, anthropic, none", prov);
        return -1;
    }
    if (c->llm_auth_style && strcmp(c->llm_auth_style, "bearer") == 0)
        s->auth = LLM_AUTH_BEARER;
    else if (c->llm_auth_style && strcmp(c->llm_auth_style, "x-api-key") == 0)
        s->auth = LLM_AUTH_X_API_KEY;
    else if (c->llm_auth_style) {
        snprintf(err, errlen, "llm.authStyle `%s` is not one of x-api-key, bearer",
                 c->llm_auth_style);
        return -1;
    }
    const char *key = getenv(config_api_key_env(c));
    if (key && *key)
        *key_out = xstrdup(key);
    s->api_key = *key_out;
    s->base_url = c->llm_base_url;
    s->model = c->llm_model;
    s->anthropic_version = c->llm_anthropic_version;
    s->max_tokens = c->llm_max_tokens;
    s->timeout_ms = c->llm_timeout_ms;
    s->idle_timeout_ms = c->llm_idle_timeout_ms;
    s->retries = (int)c->llm_retries;
    s->stream = true;
    return 0;
}
