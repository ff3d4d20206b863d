/*
 * llm: chat requests to an LLM endpoint over http (shared/INTERFACE.md, "LLM requests").
 * Providers:
 *   openai     any OpenAI-compatible endpoint: POST {baseUrl}/chat/completions (baseUrl
 *              includes /v1: OpenAI, vLLM, llama.cpp's server, Ollama's /v1, OpenRouter);
 *              `Authorization: Bearer KEY` when a key is set
 *   anthropic  POST {baseUrl}/v1/messages (baseUrl is the host), `anthropic-version`,
 *              `max_tokens`; the key as `x-api-key` (default) or `Authorization: Bearer`
 * Replies stream (SSE) and are reassembled here; the text and the token usage reach the
 * done callback. A reply that is not what the provider sends (bad JSON, an error object, no
 * text) is a failure with a message a person can act on, never an empty success.
 *
 * The key: given by the caller (read from the environment by whoever owns the settings),
 * registered with the log's redaction, sent only to the configured base URL (http follows
 * no redirect), and never written anywhere.
 *
 * Callbacks follow http.h: if llm_request_start() returns NULL, none; otherwise done is
 * called exactly once, never from inside start or cancel; the request is freed after it.
 * Ownership: llm_new() copies the settings; llm_free() cancels what runs.
 */
#ifndef LSP_PROXY_LLM_H
#define LSP_PROXY_LLM_H

#include <stdbool.h>
#include <stddef.h>

struct http;
struct llm;
struct llm_request;

enum llm_provider { LLM_PROVIDER_NONE, LLM_PROVIDER_OPENAI, LLM_PROVIDER_ANTHROPIC };
enum llm_auth { LLM_AUTH_DEFAULT, LLM_AUTH_BEARER, LLM_AUTH_X_API_KEY };

struct llm_settings {
    enum llm_provider provider;
    const char *base_url;          /* NULL: the provider's (https://api.openai.com/v1,
                                    * https://api.anthropic.com) */
    const char *model;             /* NULL: the provider's default model name */
    const char *api_key;           /* NULL or "": no auth header (local servers) */
    enum llm_auth auth;            /* default: bearer for openai, x-api-key for anthropic */
    const char *anthropic_version; /* NULL: 2023-06-01 */
    long max_tokens;               /* 0: 4096 */
    long timeout_ms;               /* whole request; 0: 120000 */
    long idle_timeout_ms;          /* silence inside a stream; 0: 30000 */
    int retries;                   /* transport faults; < 0: 3 */
    long backoff_ms;               /* first retry delay; 0: 500 (tests set it small) */
    bool stream;                   /* ask for SSE (default in the proxy: true) */
};

struct llm_message {
    const char *role;    /* "user" or "assistant" */
    const char *content;
};

struct llm_result {
    bool ok;
    const char *text;    /* the reply's text (NUL-terminated; "" on failure) */
    size_t text_len;
    long tokens_in, tokens_out; /* as the provider reported them (0 when it did not) */
    int status;          /* HTTP status, 0 when none */
    int attempts;
    double elapsed_ms;
    const char *error;   /* one line, e.g. "HTTP 401: invalid api key"; "" when ok */
};

typedef void llm_done_cb(struct llm_request *q, const struct llm_result *res, void *arg);

struct llm_stats {
    long requests, failures;
    long tokens_in, tokens_out;
};

/* A client on h (borrowed; must outlive it). Settings are copied. */
struct llm *llm_new(struct http *h, const struct llm_settings *s);
void llm_free(struct llm *l);

/* The settings in force from the proxy's configuration (config.h): provider, URL, model,
 * auth style, limits, and the key read from the environment variable llm.apiKeyEnv names
 * (*key_out: a new string, or NULL when unset; the caller frees it after llm_new()).
 * Returns 0, or -1 with a message in err for a setting that cannot work (unknown provider
 * or auth style). */
struct config;
int llm_settings_from_config(const struct config *c, struct llm_settings *s, char **key_out,
                             char *err, size_t errlen);

/* Sends system + messages. Returns the request, or NULL (no provider configured). */
struct llm_request *llm_request_start(struct llm *l, const char *system,
                                      const struct llm_message *msgs, size_t nmsgs,
                                      llm_done_cb *done, void *arg);
void llm_request_cancel(struct llm_request *q);

const struct llm_stats *llm_stats(const struct llm *l);
const char *llm_provider_name(enum llm_provider p);
/* "openai" / "anthropic" / "none" to the enum; -1 for anything else. */
int llm_provider_parse(const char *name, enum llm_provider *out);
/* The model in force (the setting or the provider's default). */
const char *llm_model(const struct llm *l);

/* ---- reply parsing, exposed for tests and fuzzing (pure) ---- */

/* Appends the text carried by one streamed event to *text (a struct buf) and updates the
 * usage. Returns 0, 1 at the end of the stream, or -1 with a message in err (an error
 * event, or JSON that is not the provider's). */
struct buf;
int llm_parse_stream_event(enum llm_provider p, const char *type, const char *data,
                           size_t len, struct buf *text, long *tokens_in, long *tokens_out,
                           char *err, size_t errlen);
/* The text and usage of a whole (non-streamed) reply body. Returns 0 or -1 with err. */
int llm_parse_reply(enum llm_provider p, const char *body, size_t len, struct buf *text,
                    long *tokens_in, long *tokens_out, char *err, size_t errlen);

#endif
