/*
 * End to end: the proxy is transparent. Capabilities merged; the fake sees initialize then
 * initialized; Lean's own requests, $/lean methods, RPC with odd ids and opaque params, and
 * fileProgress pass unchanged; marathon.* commands are answered by the proxy; shutdown/exit.
 */
#include <signal.h>
#include <string.h>

#include "e2e.h"
#include "tap.h"

static const char *URI = "file:///tmp/p/Main.lean";
static const char *TEXT = "import Mathlib\n\ntheorem foo : 1 = 1 := by\n  sorry\n\n"
                          "theorem bar : True := by\n  trivial\n";

int
main(void)
{
    struct e2e e;
    if (e2e_start(&e, NULL, NULL) < 0) {
        skip("passthrough", "binaries not built");
        return done_testing();
    }
    const cJSON *init = e2e_initialize(&e, NULL, NULL);
    ok(init != NULL, "initialize answered");
    const cJSON *caps = test_json_path(init, "result.capabilities");
    const cJSON *cmds = test_json_path(caps, "executeCommandProvider.commands");
    ok(cJSON_IsArray(cmds) && cJSON_GetArraySize(cmds) == 9,
       "executeCommandProvider added with the 9 commands of shared/INTERFACE.md");
    char *all = cmds ? cJSON_PrintUnformatted(cmds) : NULL;
    ok(all && strstr(all, "\"marathon.fixStatement\"") && strstr(all, "\"marathon.review\""),
       "fixStatement and review among them");
    free(all);
    const cJSON *c0 = cJSON_GetArrayItem(cmds, 0);
    is_str(c0 ? c0->valuestring : NULL, "marathon.dag", "first command");
    ok(cJSON_IsTrue(test_json_path(caps, "codeActionProvider.resolveProvider")), "Lean's codeActionProvider kept");
    ok(cJSON_IsObject(test_json_path(caps, "semanticTokensProvider.legend")), "Lean's other capabilities kept");
    is_str(cJSON_GetStringValue(test_json_path(init, "result.serverInfo.name")), "Lean 4 Server", "serverInfo kept");

    /* Lean registers its watcher with a string id; the editor sees that id unchanged. */
    const cJSON *reg = lsp_client_wait_method(e.c, "client/registerCapability", 5000);
    ok(reg != NULL, "registerCapability reached the editor");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reg, "id")), "register_lean_watcher",
           "string id preserved");
    lsp_client_send(e.c, "{\"jsonrpc\":\"2.0\",\"id\":\"register_lean_watcher\",\"result\":null}");

    e2e_open(&e, URI, TEXT);
    const cJSON *prog = lsp_client_wait_method(e.c, "$/lean/fileProgress", 5000);
    ok(prog != NULL, "fileProgress passed through");
    const cJSON *diag = lsp_client_wait_diagnostics(e.c, URI, 5000, NULL, NULL);
    ok(diag != NULL, "diagnostics passed through");

    /* The fake saw initialize first, initialized second, then our answer to its request. */
    e2e_wait_record(&e, "textDocument/didOpen", 1, 3000);
    char *rec = test_read_file(e.record);
    char *l1 = rec ? strchr(rec, '\n') : NULL;
    ok(l1 && strncmp(l1 + 1, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"", 44) == 0,
       "first message Lean saw is initialize");
    char *l2 = l1 ? strchr(l1 + 1, '\n') : NULL;
    ok(l2 && strstr(l2 + 1, "\"method\":\"initialized\"") == l2 + 1 + strlen("{\"jsonrpc\":\"2.0\","),
       "second is initialized");
    ok(rec && strstr(rec, "{\"jsonrpc\":\"2.0\",\"id\":\"register_lean_watcher\",\"result\":null}"),
       "the editor's response reached Lean byte for byte");
    free(rec);

    /* $/lean/plainGoal round-trip. */
    const cJSON *goal = e2e_call(&e, "$/lean/plainGoal",
                                 "{\"textDocument\":{\"uri\":\"file:///tmp/p/Main.lean\"},\"position\":{\"line\":3,\"character\":2}}",
                                 5000);
    is_str(cJSON_GetStringValue(test_json_path(goal, "result.goals.0")), "⊢ True", "plainGoal result");

    /* A string id round-trips as a string. */
    lsp_client_send(e.c, "{\"jsonrpc\":\"2.0\",\"id\":\"editor-req-1\",\"method\":\"$/lean/plainGoal\",\"params\":"
                         "{\"textDocument\":{\"uri\":\"file:///tmp/p/Main.lean\"},\"position\":{\"line\":3,\"character\":2}}}");
    const cJSON *sr = NULL;
    while ((sr = lsp_client_recv(e.c, 5000)) != NULL &&
           !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(sr, "id")))
        ;
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sr, "id")), "editor-req-1", "string id round-trips");

    /* Lean's stderr goes to the proxy's log, never to the editor. */
    lsp_client_notify(e.c, "$/fake/stderr", "{\"text\":\"hello from the lean server\\n\"}");

    /* RPC: connect gives a string session id; a call with a huge numeric id and odd params
     * comes back with the same id text, and Lean received the params byte for byte. */
    const cJSON *conn = e2e_call(&e, "$/lean/rpc/connect", "{\"uri\":\"file:///tmp/p/Main.lean\"}", 5000);
    const char *sid = cJSON_GetStringValue(test_json_path(conn, "result.sessionId"));
    ok(sid != NULL, "rpc/connect returned a string session id");
    char call[1024];
    const char *odd = "{\"a\":[1,2.50,1e400,\"\\u00e9\"],\"b\":{\"nested\":null}}";
    snprintf(call, sizeof call,
             "{\"jsonrpc\":\"2.0\",\"id\":18446744073709551615,\"method\":\"$/lean/rpc/call\",\"params\":"
             "{\"textDocument\":{\"uri\":\"file:///tmp/p/Main.lean\"},\"position\":{\"line\":3,\"character\":2},"
             "\"sessionId\":\"%s\",\"method\":\"Lean.Widget.getInteractiveGoals\",\"params\":%s}}",
             sid ? sid : "0", odd);
    lsp_client_send(e.c, call);
    const cJSON *m;
    const char *raw = NULL;
    while ((m = lsp_client_recv(e.c, 5000)) != NULL) {
        raw = lsp_client_last_raw(e.c);
        if (strstr(raw, "\"echo\""))
            break;
    }
    ok(m && strstr(raw, "\"id\":18446744073709551615") != NULL, "huge numeric id round-trips exactly");
    e2e_wait_record(&e, "rpc/call", 1, 3000);
    rec = test_read_file(e.record);
    ok(rec && strstr(rec, call) != NULL, "Lean received the rpc/call frame byte for byte");
    free(rec);

    /* Unknown methods: Lean's error passes back. */
    const cJSON *unk = e2e_call(&e, "$/lean/noSuchThing", "{}", 5000);
    is_int((long long)cJSON_GetNumberValue(test_json_path(unk, "error.code")), -32601, "Lean's -32601 passes");

    /* marathon.status is the proxy's; another command goes to Lean. */
    const cJSON *st = e2e_command(&e, "marathon.status", "{}");
    is_str(cJSON_GetStringValue(test_json_path(st, "result.lean")), "running", "marathon.status answered");
    ok(cJSON_IsArray(test_json_path(st, "result.jobs")), "status lists jobs");
    is_str(cJSON_GetStringValue(test_json_path(st, "result.documents.0.uri")), URI, "status lists the open document");
    const cJSON *bad = e2e_command(&e, "marathon.nope", "{}");
    is_int((long long)cJSON_GetNumberValue(test_json_path(bad, "error.code")), -32602, "unknown marathon command: -32602");
    const cJSON *other = e2e_command(&e, "lean.something", "{}");
    is_int((long long)cJSON_GetNumberValue(test_json_path(other, "error.code")), -32601,
           "non-marathon command forwarded to Lean (which has none)");
    ok(e2e_wait_record(&e, "lean.something", 1, 3000) == 1, "Lean saw the other command");
    ok(test_count_lines(e.record, "marathon.status") == 0, "Lean never saw marathon.status");

    is_int(e2e_stop(&e), 0, "shutdown + exit: exit code 0");
    char *log = test_read_file(e.log);
    ok(log && strstr(log, "lean: stderr: hello from the lean server"), "Lean's stderr is in the proxy's log");
    free(log);
    ok(e2e_wait_record(&e, "\"method\":\"exit\"", 1, 3000) == 1, "exit reached Lean");
    e2e_free(&e);

    /* EOF on stdin counts as exit; without shutdown the code is 1 (LSP). */
    if (e2e_start(&e, NULL, NULL) == 0) {
        e2e_initialize(&e, NULL, NULL);
        lsp_client_close_stdin(e.c);
        int code = lsp_client_wait_exit(e.c, VALGRIND_SCALE * 10000);
        is_int(code, 1, "EOF without shutdown: exit code 1");
        int pid = e2e_fake_pid(&e);
        ok(pid > 0 && kill(pid, 0) != 0, "the Lean child is gone");
        e2e_free(&e);
    }
    return done_testing();
}
