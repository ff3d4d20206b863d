/* jsonrpc: classify raw JSON-RPC messages; write replies and the proxy's own messages. */
#include "jsonrpc.h"

#include <string.h>

#include "buf.h"

void
jsonrpc_parse(const char *body, size_t len, struct jsonrpc_msg *m)
{
    memset(m, 0, sizeof *m);
    m->kind = JSONRPC_INVALID;
    struct jspan whole;
    if (jscan_validate(body, len, &whole, &m->problem_offset) < 0) {
        m->problem = "invalid JSON";
        m->parse_error = true;
        return;
    }
    m->whole = whole;
    if (jscan_type(whole) != JSCAN_OBJECT) {
        m->problem = "a JSON-RPC message must be an object";
        return;
    }
    struct jspan key, val, method = {NULL, 0}, version = {NULL, 0};
    size_t pos = 0;
    bool has_id = false;
    while (jscan_next(whole, &pos, &key, &val)) {
        if (key.len == 2 && memcmp(key.p, "id", 2) == 0) {
            m->id = val;
            has_id = true;
        } else if (key.len == 6 && memcmp(key.p, "method", 6) == 0) {
            method = val;
        } else if (key.len == 6 && memcmp(key.p, "params", 6) == 0) {
            m->params = val;
        } else if (key.len == 6 && memcmp(key.p, "result", 6) == 0) {
            m->result = val;
        } else if (key.len == 5 && memcmp(key.p, "error", 5) == 0) {
            m->error = val;
        } else if (key.len == 7 && memcmp(key.p, "jsonrpc", 7) == 0) {
            version = val;
        }
    }
    if (!jscan_string_eq(version, "2.0")) {
        m->problem = "missing \"jsonrpc\": \"2.0\"";
        return;
    }
    if (has_id) {
        enum jscan_type t = jscan_type(m->id);
        if (t != JSCAN_STRING && t != JSCAN_NUMBER && t != JSCAN_NULL) {
            m->problem = "an id must be a string, a number or null";
            m->id.p = NULL;
            return;
        }
    }
    if (method.p) {
        if (jscan_type(method) != JSCAN_STRING) {
            m->problem = "\"method\" must be a string";
            return;
        }
        struct buf b;
        buf_init(&b, JSONRPC_METHOD_MAX - 1);
        if (jscan_string(method, &b) < 0) {
            m->method_too_long = true;
            m->method[0] = '\0';
        } else {
            memcpy(m->method, b.data ? b.data : "", b.len + 1);
        }
        buf_release(&b);
        if (m->params.p && jscan_type(m->params) == JSCAN_NULL) {
            /* "params": null, as some clients send on shutdown and exit: no params. */
            m->params.p = NULL;
            m->params.len = 0;
        }
        if (m->params.p) {
            enum jscan_type pt = jscan_type(m->params);
            if (pt != JSCAN_OBJECT && pt != JSCAN_ARRAY) {
                m->problem = "\"params\" must be an object or an array";
                return;
            }
        }
        m->kind = has_id ? JSONRPC_REQUEST : JSONRPC_NOTIFICATION;
        return;
    }
    if (has_id && (m->result.p != NULL) != (m->error.p != NULL)) {
        m->kind = JSONRPC_RESPONSE;
        return;
    }
    m->problem = has_id ? "a response needs exactly one of \"result\" and \"error\""
                        : "neither a request, a notification nor a response";
}

bool
jsonrpc_is_proxy_id(struct jspan id)
{
    size_t n = sizeof JSONRPC_PROXY_ID_PREFIX - 1;
    return jscan_type(id) == JSCAN_STRING && id.len > n + 1 &&
           memcmp(id.p + 1, JSONRPC_PROXY_ID_PREFIX, n) == 0;
}

static void
jsonrpc_add_id(struct buf *out, struct jspan id)
{
    if (id.p)
        buf_add(out, id.p, id.len);
    else
        buf_adds(out, "null");
}

void
jsonrpc_write_error(struct buf *out, struct jspan id, int code, const char *message)
{
    buf_adds(out, "{\"jsonrpc\":\"2.0\",\"id\":");
    jsonrpc_add_id(out, id);
    buf_addf(out, ",\"error\":{\"code\":%d,\"message\":", code);
    buf_add_json_string(out, message, strlen(message));
    buf_adds(out, "}}");
}

void
jsonrpc_write_result(struct buf *out, struct jspan id, const char *result_json)
{
    buf_adds(out, "{\"jsonrpc\":\"2.0\",\"id\":");
    jsonrpc_add_id(out, id);
    buf_adds(out, ",\"result\":");
    buf_adds(out, result_json);
    buf_addch(out, '}');
}

void
jsonrpc_write_notification(struct buf *out, const char *method, const char *params_json)
{
    buf_adds(out, "{\"jsonrpc\":\"2.0\",\"method\":");
    buf_add_json_string(out, method, strlen(method));
    buf_adds(out, ",\"params\":");
    buf_adds(out, params_json);
    buf_addch(out, '}');
}

void
jsonrpc_write_request(struct buf *out, const char *id, const char *method,
                      const char *params_json)
{
    buf_adds(out, "{\"jsonrpc\":\"2.0\",\"id\":");
    buf_add_json_string(out, id, strlen(id));
    buf_adds(out, ",\"method\":");
    buf_add_json_string(out, method, strlen(method));
    buf_adds(out, ",\"params\":");
    buf_adds(out, params_json);
    buf_addch(out, '}');
}
