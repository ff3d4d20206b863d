/*
 * flm_script.h: the fake LLM server's script: scripted replies read from a JSONL file
 * (--script) and appended at run time (POST /_fake/script), and the choice of the entry
 * that answers a request. The fields are listed in fake_llm.c's top comment.
 *
 * Parsing is strict: an unknown field or a field of the wrong type is an error (a typo in a
 * test's script fails loudly instead of being ignored). Appending is all or nothing.
 * Ownership: the script owns its entries; a pointer returned by flm_script_pick() stays
 * valid until flm_script_free() (entries are never removed, only used up).
 * Prefix flm_script_ (the script) and flm_entry (one reply).
 */
#ifndef LSP_PROXY_FLM_SCRIPT_H
#define LSP_PROXY_FLM_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

enum flm_provider {
    FLM_PROVIDER_NONE,      /* not known from the path */
    FLM_PROVIDER_OPENAI,    /* POST .../chat/completions */
    FLM_PROVIDER_ANTHROPIC, /* POST .../v1/messages */
};

enum flm_close {
    FLM_CLOSE_NONE,
    FLM_CLOSE_BEFORE_HEADERS, /* close the connection without any response */
    FLM_CLOSE_MID_BODY,       /* send the head and half of the body bytes, then close */
};

struct flm_entry {
    /* conditions */
    char *match;               /* substring of the raw request body; NULL: any */
    char *path;                /* exact request path (before '?'); NULL: provider paths */
    long times;                /* uses left; -1: forever */
    /* the reply */
    char *content;             /* the assistant's text; never NULL ("" by default) */
    int status;                /* 200..599 */
    char *message;             /* error message of a non-2xx reply ("scripted error") */
    char *error_type;          /* error type of a non-2xx reply ("server_error") */
    char **headers;            /* name, value, name, value, ... */
    size_t nheaders;           /* pairs */
    char *body;                /* raw body sent as is; NULL: built from the fields */
    char *content_type;        /* of a raw body ("application/json") */
    int stream;                /* -1: the request's `stream`; 0 or 1 */
    enum flm_provider provider; /* NONE: from the path */
    int chunks;                /* stream deltas (>= 1) */
    long delay_ms;             /* before the response head */
    long chunk_delay_ms;       /* between two stream events */
    long stall_after_events;   /* -1: off */
    enum flm_close close;
    long usage_in, usage_out;  /* -1: computed */
    char *finish;              /* NULL: the provider's default */
};

struct flm_script;

struct flm_script *flm_script_new(void);
void flm_script_free(struct flm_script *s);

/* Parses JSONL text (one object a line; blank lines and lines starting with '#' skipped)
 * and appends its entries, all or nothing. Returns 0, or -1 with "line N: why" in err. */
int flm_script_append(struct flm_script *s, const char *text, size_t len, char *err,
                      size_t errlen);
/* flm_script_append() on the whole file; err names the file on failure. */
int flm_script_load(struct flm_script *s, const char *path, char *err, size_t errlen);
size_t flm_script_count(const struct flm_script *s);

/* The first entry whose conditions hold for a request to path with body and which has uses
 * left; takes one use. provider_path: the path is a provider's, so entries without `path`
 * may answer. Returns the entry's index (0-based, in script order) and sets *out, or -1. */
long flm_script_pick(struct flm_script *s, const char *path, bool provider_path,
                     const char *body, size_t body_len, const struct flm_entry **out);

#endif
