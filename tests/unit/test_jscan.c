/* Unit tests for src/jscan.c and src/jsonrpc.c. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jscan.h"
#include "jsonrpc.h"
#include "tap.h"

static int
valid(const char *s)
{
    return jscan_validate(s, strlen(s), NULL, NULL) == 0;
}

static char *
get(const char *json, const char *path)
{
    struct jspan root, v;
    if (jscan_validate(json, strlen(json), &root, NULL) < 0 || !jscan_path(root, path, &v))
        return NULL;
    char *s = malloc(v.len + 1);
    memcpy(s, v.p, v.len);
    s[v.len] = '\0';
    return s;
}

int
main(void)
{
    ok(valid("{}") && valid("[]") && valid(" 1 ") && valid("\"x\"") && valid("null"), "scalars");
    ok(valid("{\"a\":[1,2.5,-3e+7,true,false,null,{\"b\":\"\\u00e9\\n\"}]}"), "nested document");
    ok(!valid("{\"a\":}"), "missing value rejected");
    ok(!valid("{\"a\":1,}"), "trailing comma rejected");
    ok(!valid("[1 2]"), "missing comma rejected");
    ok(!valid("\"abc"), "unterminated string rejected");
    ok(!valid("\"a\x01\""), "control character in string rejected");
    ok(!valid("01"), "leading zero rejected");
    ok(!valid("{} {}"), "two values rejected");
    ok(!valid("\"\\x\""), "bad escape rejected");
    ok(!valid(""), "empty rejected");
    char deep[2000];
    memset(deep, '[', 1000);
    memset(deep + 1000, ']', 1000);
    ok(jscan_validate(deep, 2000, NULL, NULL) < 0, "nesting deeper than the limit rejected");

    char *v = get("{\"id\":18446744073709551615,\"m\":\"x\"}", "id");
    is_str(v, "18446744073709551615", "big number id kept as text");
    free(v);
    v = get("{\"params\":{\"textDocument\":{\"uri\":\"file:///a \\\"b\\\".lean\"}}}", "params.textDocument.uri");
    is_str(v, "\"file:///a \\\"b\\\".lean\"", "nested path returns the raw span");
    free(v);
    v = get("{\"a\":1,\"a\":2}", "a");
    is_str(v, "2", "duplicate key: last wins");
    free(v);
    v = get("{\"s\":\"x\\\\\",\"t\":3}", "t");
    is_str(v, "3", "string ending in an escaped backslash is skipped correctly");
    free(v);
    ok(get("{\"a\":1}", "b") == NULL, "missing key");

    struct jspan root, s;
    const char *doc = "{\"s\":\"caf\\u00e9 \\ud835\\udd3d \\\"q\\\"\"}";
    jscan_validate(doc, strlen(doc), &root, NULL);
    jscan_get(root, "s", &s);
    char *dec = jscan_strdup(s);
    is_str(dec, "café 𝔽 \"q\"", "string decoding with surrogate pair");
    free(dec);
    ok(jscan_string_eq(s, "café 𝔽 \"q\""), "string_eq with escapes");

    const char *arr = "[1, {\"a\":[2,3]}, \"x,y\"]";
    struct jspan a;
    jscan_validate(arr, strlen(arr), &a, NULL);
    is_int(jscan_array_len(a), 3, "array length skips nested commas");

    struct jsonrpc_msg m;
    const char *req = "{\"jsonrpc\":\"2.0\",\"id\":\"register_lean_watcher\",\"method\":\"client/registerCapability\",\"params\":{}}";
    jsonrpc_parse(req, strlen(req), &m);
    ok(m.kind == JSONRPC_REQUEST && strcmp(m.method, "client/registerCapability") == 0,
       "request with string id");
    ok(m.id.len == 23 && memcmp(m.id.p, "\"register_lean_watcher\"", 23) == 0, "string id span");
    const char *note = "{\"jsonrpc\":\"2.0\",\"method\":\"$/lean/fileProgress\",\"params\":{\"processing\":[]}}";
    jsonrpc_parse(note, strlen(note), &m);
    is_int(m.kind, JSONRPC_NOTIFICATION, "notification");
    const char *resp = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":null}";
    jsonrpc_parse(resp, strlen(resp), &m);
    is_int(m.kind, JSONRPC_RESPONSE, "response with null result");
    const char *bad = "{\"jsonrpc\":\"2.0\",\"id\":7";
    jsonrpc_parse(bad, strlen(bad), &m);
    ok(m.kind == JSONRPC_INVALID && m.parse_error, "truncated JSON is a parse error");
    const char *nover = "{\"id\":1,\"method\":\"x\",\"params\":{}}";
    jsonrpc_parse(nover, strlen(nover), &m);
    ok(m.kind == JSONRPC_INVALID && !m.parse_error && m.id.p, "missing jsonrpc: invalid, id kept");
    const char *badparams = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":3}";
    jsonrpc_parse(badparams, strlen(badparams), &m);
    is_int(m.kind, JSONRPC_INVALID, "scalar params are invalid");
    const char *nullp = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"shutdown\",\"params\":null}";
    jsonrpc_parse(nullp, strlen(nullp), &m);
    ok(m.kind == JSONRPC_REQUEST && m.params.p == NULL, "params null counts as no params");
    const char *both = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1,\"error\":{}}";
    jsonrpc_parse(both, strlen(both), &m);
    is_int(m.kind, JSONRPC_INVALID, "result and error together are invalid");

    ok(jsonrpc_is_proxy_id(jspan_str("\"marathon:17\"")), "proxy id recognised");
    ok(!jsonrpc_is_proxy_id(jspan_str("17")) && !jsonrpc_is_proxy_id(jspan_str("\"marathon\"")),
       "other ids are not the proxy's");

    struct buf b;
    buf_init(&b, 0);
    jsonrpc_write_error(&b, jspan_str("\"a\\\"b\""), -32601, "no \"such\" method");
    is_str(b.data, "{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\",\"error\":{\"code\":-32601,\"message\":\"no \\\"such\\\" method\"}}",
           "error reply keeps the raw id and escapes the message");
    ok(valid(b.data), "error reply is valid JSON");
    buf_release(&b);
    return done_testing();
}
