/*
 * End to end: Lean crashes. Killed mid-session, it is restarted; initialize/initialized are
 * replayed; the document is re-opened with the text as edited before the crash; requests in
 * flight fail with -32901; the user is told once; requests are served again. A server that
 * crashes over and over is given up after 5 crashes, the proxy keeps answering, and exits
 * cleanly.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "tap.h"

static const char *URI = "file:///tmp/c/Crash.lean";

static bool
is_show_message(const cJSON *m, void *arg)
{
    (void)arg;
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
    return cJSON_IsString(method) && strcmp(method->valuestring, "window/showMessage") == 0;
}

int
main(void)
{
    struct e2e e;
    /* --slow-ms makes the fake answer requests late, so one can be in flight at the kill. */
    const char *fake_args[] = {"--slow-ms", "300", NULL};
    if (e2e_start(&e, NULL, fake_args) < 0) {
        skip("crash recovery", "binaries not built");
        return done_testing();
    }
    e2e_initialize(&e, "{\"lean\":{\"incrementalDiagnosticSupport\":true}}", NULL);
    lsp_client_wait_method(e.c, "client/registerCapability", 5000);
    lsp_client_send(e.c, "{\"jsonrpc\":\"2.0\",\"id\":\"register_lean_watcher\",\"result\":null}");
    e2e_open(&e, URI, "theorem a : True := by\n  sorry\n");
    /* Incremental edit: insert a line; the replay must carry the edited text. */
    lsp_client_notify(e.c, "textDocument/didChange",
                      "{\"textDocument\":{\"uri\":\"file:///tmp/c/Crash.lean\",\"version\":2},"
                      "\"contentChanges\":[{\"range\":{\"start\":{\"line\":1,\"character\":2},"
                      "\"end\":{\"line\":1,\"character\":7}},\"text\":\"trivial -- ℝ𝔽 edited\"}]}");
    e2e_wait_record(&e, "didChange", 1, 3000);
    int pid1 = e2e_fake_pid(&e);
    ok(pid1 > 0, "fake running (pid %d)", pid1);

    int id = lsp_client_request(e.c, "$/lean/plainGoal",
                                "{\"textDocument\":{\"uri\":\"file:///tmp/c/Crash.lean\"},"
                                "\"position\":{\"line\":1,\"character\":2}}");
    e2e_wait_record(&e, "plainGoal", 1, 3000);
    kill(pid1, SIGKILL);
    const cJSON *r = lsp_client_wait_response(e.c, id, 5000);
    is_int((long long)cJSON_GetNumberValue(test_json_path(r, "error.code")), -32901,
           "request in flight fails with -32901");
    ok(strstr(test_str(cJSON_GetStringValue(test_json_path(r, "error.message"))), "restarting") != NULL,
       "the error says Lean is restarting");
    const cJSON *msg = lsp_client_wait(e.c, 5000, is_show_message, NULL);
    ok(msg != NULL, "the user is told");
    ok(strstr(test_str(cJSON_GetStringValue(test_json_path(msg, "params.message"))), "signal 9") != NULL,
       "the message says what happened");

    /* The new instance gets initialize, initialized, didOpen with the edited text. */
    ok(e2e_wait_record(&e, "fake_lean_start", 2, 5000) == 2, "Lean restarted");
    e2e_wait_record(&e, "didOpen", 2, 5000);
    char *rec = test_read_file(e.record);
    char *second = rec ? strstr(strstr(rec, "fake_lean_start") + 1, "fake_lean_start") : NULL;
    char *l1 = second ? strchr(second, '\n') : NULL;
    ok(l1 && strstr(l1, "\"method\":\"initialize\"") && strstr(l1, "\"method\":\"initialize\"") < strstr(l1, "\"method\":\"initialized\""),
       "replay: initialize before initialized");
    ok(l1 && strstr(l1, "\"incrementalDiagnosticSupport\":true"), "replayed initialize carries the editor's capabilities");
    ok(l1 && strstr(l1, "trivial -- ℝ𝔽 edited") && strstr(l1, "\"version\":2"), "document re-opened with its edited text and version");
    ok(l1 && strstr(l1, "\"dependencyBuildMode\":\"never\""), "dependencyBuildMode kept");
    free(rec);

    /* Served again. */
    const cJSON *goal = e2e_call(&e, "$/lean/plainGoal",
                                 "{\"textDocument\":{\"uri\":\"file:///tmp/c/Crash.lean\"},\"position\":{\"line\":1,\"character\":2}}",
                                 5000);
    ok(cJSON_IsArray(test_json_path(goal, "result.goals")), "requests are served after the restart");
    const cJSON *st = e2e_command(&e, "marathon.status", "{}");
    is_int((long long)cJSON_GetNumberValue(test_json_path(st, "result.restarts")), 1, "status counts one restart");

    /* A second crash: no second message box. */
    size_t before = lsp_client_history_len(e.c);
    kill(e2e_fake_pid(&e), SIGKILL);
    e2e_wait_record(&e, "fake_lean_start", 3, 5000);
    e2e_wait_record(&e, "didOpen", 3, 5000);
    e2e_call(&e, "$/lean/plainGoal", "{\"textDocument\":{\"uri\":\"file:///tmp/c/Crash.lean\"},\"position\":{\"line\":1,\"character\":2}}", 5000);
    int boxes = 0;
    for (size_t i = before; i < lsp_client_history_len(e.c); i++)
        boxes += is_show_message(lsp_client_history(e.c, i), NULL);
    is_int(boxes, 0, "the user is told once, not at every crash");
    is_int(e2e_stop(&e), 0, "clean exit after restarts");
    e2e_free(&e);

    /* A server that dies at its 3rd message, every time: given up after 5 crashes. */
    const char *loop_args[] = {"--crash-after", "3", NULL};
    if (e2e_start(&e, NULL, loop_args) == 0) {
        e2e_initialize(&e, NULL, NULL);
        e2e_open(&e, URI, "theorem a : True := by\n  trivial\n");
        double t0 = test_now_ms();
        const cJSON *gave_up = NULL;
        while (!gave_up && test_now_ms() - t0 < 15000) {
            const cJSON *m = lsp_client_wait(e.c, 1000, is_show_message, NULL);
            if (m && strstr(test_str(cJSON_GetStringValue(test_json_path(m, "params.message"))), "stopped restarting"))
                gave_up = m;
        }
        ok(gave_up != NULL, "gave up after repeated crashes, and said so");
        is_int(test_count_lines(e.record, "fake_lean_start"), 5, "five starts (one crash each)");
        const cJSON *r2 = e2e_call(&e, "$/lean/plainGoal", "{\"textDocument\":{\"uri\":\"x\"},\"position\":{\"line\":0,\"character\":0}}", 3000);
        is_int((long long)cJSON_GetNumberValue(test_json_path(r2, "error.code")), -32901, "requests fail clearly once given up");
        const cJSON *st2 = e2e_command(&e, "marathon.status", "{}");
        is_str(cJSON_GetStringValue(test_json_path(st2, "result.lean")), "failed", "status says failed");
        const cJSON *sd = e2e_call(&e, "shutdown", NULL, 5000);
        ok(sd && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(sd, "result")),
           "shutdown is answered (null) although Lean is gone");
        lsp_client_notify(e.c, "exit", "{}");
        is_int(lsp_client_wait_exit(e.c, VALGRIND_SCALE * 10000), 0, "the proxy still exits cleanly");
        e2e_free(&e);
    }

    /* A server command that does not exist: the user is told which command failed. */
    struct lsp_client *c;
    const char *proxy = test_bin("LSP_PROXY_BIN");
    if (proxy) {
        char *dir = test_tmpdir();
        char log[600];
        snprintf(log, sizeof log, "%s/proxy.log", dir);
        const char *argv[] = {proxy, "--log", log, "--", "/nonexistent/lake", "serve", NULL};
        c = lsp_client_spawn((char *const *)argv, dir, NULL);
        int init_id = lsp_client_request(c, "initialize", "{\"processId\":null,\"capabilities\":{}}");
        const cJSON *m = lsp_client_wait(c, 5000, is_show_message, NULL);
        ok(m && strstr(test_str(cJSON_GetStringValue(test_json_path(m, "params.message"))), "/nonexistent/lake"),
           "a missing server command is named in the message");
        double t0 = test_now_ms();
        const cJSON *r3 = NULL;
        while (!r3 && test_now_ms() - t0 < 15000)
            r3 = lsp_client_wait_response(c, init_id, 1000);
        ok(r3 && cJSON_GetObjectItemCaseSensitive(r3, "error"), "initialize gets an error once the proxy gives up");
        lsp_client_free(c);
        free(dir);
    }
    return done_testing();
}
