/*
 * jsonrpc: JSON-RPC 2.0 messages as the proxy sees them: classified from raw text, never
 * rebuilt when forwarded. Also the error replies the proxy writes and its own id space.
 *
 * Ids of any JSON type are kept as their raw text (a span), so a string id
 * "register_lean_watcher", a number 0 and a number too big for a double all round-trip
 * exactly. Requests the proxy itself originates use string ids "marathon:<n>"
 * (shared/ARCHITECTURE.md): responses carrying such ids are the proxy's, never forwarded.
 * Layer 0: pure.
 */
#ifndef LSP_PROXY_JSONRPC_H
#define LSP_PROXY_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>

#include "jscan.h"

struct buf;

enum jsonrpc_kind {
    JSONRPC_INVALID,      /* not JSON-RPC: see jsonrpc_msg.error */
    JSONRPC_REQUEST,      /* method + id */
    JSONRPC_NOTIFICATION, /* method, no id */
    JSONRPC_RESPONSE,     /* id + result or error */
};

/* JSON-RPC and LSP error codes (shared/lean-lsp-facts.md §4). */
enum {
    JSONRPC_PARSE_ERROR = -32700,
    JSONRPC_INVALID_REQUEST = -32600,
    JSONRPC_METHOD_NOT_FOUND = -32601,
    JSONRPC_INVALID_PARAMS = -32602,
    JSONRPC_INTERNAL_ERROR = -32603,
    JSONRPC_SERVER_NOT_INITIALIZED = -32002,
    JSONRPC_REQUEST_CANCELLED = -32800,
    JSONRPC_CONTENT_MODIFIED = -32801,
    LEAN_RPC_NEEDS_RECONNECT = -32900,
    LEAN_WORKER_EXITED = -32901,
    LEAN_WORKER_CRASHED = -32902,
};

#define JSONRPC_METHOD_MAX 128
#define JSONRPC_PROXY_ID_PREFIX "marathon:"

/* One message, borrowed from the frame body it was parsed from. */
struct jsonrpc_msg {
    enum jsonrpc_kind kind;
    struct jspan whole;  /* the message object */
    struct jspan id;     /* raw id text; p == NULL when absent */
    struct jspan params; /* p == NULL when absent or null */
    struct jspan result; /* responses */
    struct jspan error;  /* responses */
    char method[JSONRPC_METHOD_MAX]; /* decoded method, "" when absent or too long */
    bool method_too_long;
    const char *problem; /* static text: why the message is JSONRPC_INVALID */
    size_t problem_offset; /* where a JSON syntax error was found */
    bool parse_error;    /* the body is not JSON at all (vs. JSON but not JSON-RPC) */
};

/* Classifies body[0..len). Never fails: an unusable message comes back as JSONRPC_INVALID
 * with `problem` set (and id set when one could be read). */
void jsonrpc_parse(const char *body, size_t len, struct jsonrpc_msg *m);

/* True when the id span is a string id in the proxy's namespace. */
bool jsonrpc_is_proxy_id(struct jspan id);

/* Writes an error response body for id (raw text; NULL span means null) into out. */
void jsonrpc_write_error(struct buf *out, struct jspan id, int code, const char *message);
/* Writes a response body with a raw JSON result. */
void jsonrpc_write_result(struct buf *out, struct jspan id, const char *result_json);
/* Writes a notification body; params_json is raw JSON text. */
void jsonrpc_write_notification(struct buf *out, const char *method, const char *params_json);
/* Writes a request body with a string id; params_json is raw JSON text. */
void jsonrpc_write_request(struct buf *out, const char *id, const char *method,
                           const char *params_json);

/* A span over a NUL-terminated string. */
static inline struct jspan
jspan_str(const char *s)
{
    struct jspan v = {s, 0};
    while (s && s[v.len])
        v.len++;
    return v;
}

#endif
