/*
 * End to end: bad input from the editor never kills the proxy nor reaches Lean in a form
 * that would kill it (the watchdog dies on invalid JSON-RPC, lean-lsp-facts.md §2.1, §5.1):
 * invalid JSON, garbage headers, a frame over the size limit, a huge header block, a
 * request without params, a message that is JSON but not JSON-RPC.
 */
#include <string.h>

#include "e2e.h"
#include "tap.h"

static bool
alive(struct e2e *e, const char *what)
{
    const cJSON *st = e2e_command(e, "marathon.status", "{}");
    bool up = st && strcmp(test_str(cJSON_GetStringValue(test_json_path(st, "result.lean"))), "running") == 0;
    return ok(up, "proxy and Lean alive after %s", what);
}

int
main(void)
{
    struct e2e e;
    const char *proxy_args[] = {"--max-frame", "100000", NULL};
    if (e2e_start(&e, proxy_args, NULL) < 0) {
        skip("bad input", "binaries not built");
        return done_testing();
    }
    e2e_initialize(&e, NULL, NULL);

    /* Invalid JSON: a parse error reply with id null, nothing forwarded. */
    lsp_client_send(e.c, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"x\",\"params\":{");
    const cJSON *r = lsp_client_recv(e.c, 3000);
    while (r && !cJSON_GetObjectItemCaseSensitive(r, "error"))
        r = lsp_client_recv(e.c, 3000);
    is_int((long long)cJSON_GetNumberValue(test_json_path(r, "error.code")), -32700, "invalid JSON: -32700");
    ok(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "id")), "parse error reply has id null");
    alive(&e, "invalid JSON");

    /* Garbage bytes and a bad header block between valid frames. */
    const char *junk = "GARBAGE GARBAGE no header here\r\n\r\nContent-Length: nope\r\n\r\n{}";
    lsp_client_send_raw(e.c, junk, strlen(junk));
    alive(&e, "garbage bytes and a bad Content-Length");

    /* A frame over --max-frame (100000) is skipped as it streams; the next one is served. */
    size_t big = 300000;
    char *body = malloc(big + 1);
    memset(body, ' ', big);
    memcpy(body, "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"$/lean/plainGoal\",\"params\":{}}", 64);
    body[big] = '\0';
    lsp_client_send(e.c, body);
    free(body);
    alive(&e, "a 300 kB frame over a 100 kB limit");
    ok(test_count_lines(e.record, "\"id\":77") == 0, "the oversize frame never reached Lean");

    /* A huge header block. */
    char *hdr = malloc(20000);
    strcpy(hdr, "X-Junk: ");
    memset(hdr + 8, 'a', 19000);
    strcpy(hdr + 19008, "\r\n\r\n");
    lsp_client_send_raw(e.c, hdr, strlen(hdr));
    free(hdr);
    alive(&e, "a 19 kB header line");

    /* JSON but not JSON-RPC. */
    lsp_client_send(e.c, "{\"id\":9,\"method\":\"textDocument/hover\",\"params\":{}}");
    r = lsp_client_wait_response(e.c, 9, 3000);
    is_int((long long)cJSON_GetNumberValue(test_json_path(r, "error.code")), -32600, "missing jsonrpc: -32600 with the id");
    lsp_client_send(e.c, "[1,2,3]");
    alive(&e, "a batch-looking array");

    /* A request without params would stop Lean's watchdog: refused by the proxy. */
    lsp_client_send(e.c, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"textDocument/hover\"}");
    r = lsp_client_wait_response(e.c, 10, 3000);
    is_int((long long)cJSON_GetNumberValue(test_json_path(r, "error.code")), -32600, "request without params: -32600");
    lsp_client_send(e.c, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didSave\"}");
    alive(&e, "requests and notifications without params");
    ok(test_count_lines(e.record, "fake_lean_start") == 1, "Lean never restarted");

    /* Unknown methods and notifications pass (Lean answers or ignores them). */
    const cJSON *u = e2e_call(&e, "custom/thing", "{\"x\":1}", 3000);
    is_int((long long)cJSON_GetNumberValue(test_json_path(u, "error.code")), -32601, "unknown request reaches Lean");
    lsp_client_notify(e.c, "$/custom/note", "{\"y\":2}");
    ok(e2e_wait_record(&e, "$/custom/note", 1, 3000) == 1, "unknown $/ notification forwarded");

    /* Bad arguments to the proxy's commands. */
    const cJSON *d = e2e_command(&e, "marathon.dag", "{\"nouri\":1}");
    is_int((long long)cJSON_GetNumberValue(test_json_path(d, "error.code")), -32602, "marathon.dag without uri: -32602");
    ok(strstr(test_str(cJSON_GetStringValue(test_json_path(d, "error.message"))), "uri") != NULL, "the message names the missing argument");
    d = e2e_command(&e, "marathon.dag", "{\"uri\":\"file:///not/open.lean\"}");
    ok(strstr(test_str(cJSON_GetStringValue(test_json_path(d, "error.message"))), "not open") != NULL, "a document not open is named");

    char *log = test_read_file(e.log);
    ok(log && strstr(log, "over the limit"), "the oversize frame is logged");
    ok(log && strstr(log, "malformed frame header"), "the bad header is logged");
    free(log);
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);
    return done_testing();
}
