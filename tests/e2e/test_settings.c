/*
 * End to end: settings reach the proxy from initializationOptions.marathon, from the
 * editor's answer to workspace/configuration (section "marathon", the pull model VS Code
 * uses) and from workspace/didChangeConfiguration; a wrong value is reported to the user.
 * The blueprint profile is the setting observed: "off" hides the contract findings.
 */
#include <string.h>

#include "e2e.h"
#include "tap.h"

static const char *URI = "file:///tmp/s/Blue.lean";
static const char *TEXT = "import Architect\n\n"
                          "@[blueprint \"thm:foo-bar\"\n  (statement := /-- S. -/)\n  (proof := /-- P. -/)\n"
                          "  (title := /-- T. -/)\n  (latexEnv := \"theorem\")]\n"
                          "theorem foo_baz : True := by\n  sorry\n";

static int
marathon_count(const cJSON *pub)
{
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, test_json_path(pub, "params.diagnostics"))
    {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "source"));
        n += s && strcmp(s, "marathon") == 0;
    }
    return n;
}

static bool
with_findings(const cJSON *pub, void *arg)
{
    return (marathon_count(pub) > 0) == (arg != NULL);
}

int
main(void)
{
    struct e2e e;
    if (e2e_start(&e, NULL, NULL) < 0) {
        skip("settings", "binaries not built");
        return done_testing();
    }
    e2e_initialize(&e, "{\"workspace\":{\"configuration\":true}}",
                   "{\"hasWidgets\":true,\"marathon\":{\"blueprint\":{\"profile\":\"off\"}}}");
    /* The proxy asks for its section; the answer comes later. */
    const cJSON *req = lsp_client_wait_method(e.c, "workspace/configuration", 5000);
    ok(req != NULL, "the proxy asks the editor for its settings");
    is_str(cJSON_GetStringValue(test_json_path(req, "params.items.0.section")), "marathon", "section marathon");
    const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "id"));
    ok(rid && strncmp(rid, "marathon:", 9) == 0, "the request uses the proxy's own id space");

    e2e_open(&e, URI, TEXT);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/s/Blue.lean\",\"version\":1}", 5000);
    const cJSON *st = e2e_command(&e, "marathon.status", "{}");
    is_str(cJSON_GetStringValue(test_json_path(st, "result.documents.0.profile")), "off",
           "initializationOptions.marathon applied: profile off");
    is_int((long long)cJSON_GetNumberValue(test_json_path(st, "result.documents.0.findings")), 0, "no findings with profile off");

    /* VS Code's answer lists every contributed setting, null where the user set none:
     * nulls name nothing, so the profile from initializationOptions stays and nothing is
     * reported. */
    char resp[512];
    size_t seen0 = lsp_client_history_len(e.c);
    snprintf(resp, sizeof resp, "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"result\":[{\"blueprint\":{\"profile\":null},"
             "\"llm\":{\"provider\":null,\"model\":null},\"review\":{\"enabled\":null},\"agents\":null,\"stateDir\":null}]}",
             rid ? rid : "");
    lsp_client_send(e.c, resp);
    st = e2e_command(&e, "marathon.status", "{}");
    is_str(cJSON_GetStringValue(test_json_path(st, "result.documents.0.profile")), "off",
           "null settings in the editor's answer keep the earlier value");
    bool reported = false;
    for (size_t i = seen0; i < lsp_client_history_len(e.c); i++)
        reported |= test_json_path(lsp_client_history(e.c, i), "method") &&
                    strcmp(test_str(cJSON_GetStringValue(test_json_path(lsp_client_history(e.c, i), "method"))),
                           "window/showMessage") == 0;
    ok(!reported, "null settings are not reported as wrong types");
    lsp_client_notify(e.c, "workspace/didChangeConfiguration", "{\"settings\":null}");
    req = lsp_client_wait_method(e.c, "workspace/configuration", 5000);
    rid = req ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "id")) : NULL;

    /* The editor answers workspace/configuration: strict. Findings appear. */
    snprintf(resp, sizeof resp, "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"result\":[{\"blueprint\":{\"profile\":\"strict\"}}]}", rid ? rid : "");
    lsp_client_send(e.c, resp);
    const cJSON *pub = lsp_client_wait_diagnostics(e.c, URI, 5000, with_findings, (void *)1);
    ok(pub != NULL, "workspace/configuration answer applied: findings published");
    ok(test_count_lines(e.record, "workspace/configuration") == 0, "Lean never saw the proxy's request or its answer");

    /* didChangeConfiguration with settings: off again. */
    lsp_client_notify(e.c, "workspace/didChangeConfiguration", "{\"settings\":{\"marathon\":{\"blueprint\":{\"profile\":\"off\"}}}}");
    pub = lsp_client_wait_diagnostics(e.c, URI, 5000, with_findings, NULL);
    ok(pub != NULL, "didChangeConfiguration applied: findings gone");

    /* Each editor answer is the whole section: strict, then the user removes the setting
     * and the value falls back to the one before any editor settings (off). */
    lsp_client_notify(e.c, "workspace/didChangeConfiguration", "{\"settings\":{\"marathon\":{\"blueprint\":{\"profile\":\"strict\"}}}}");
    pub = lsp_client_wait_diagnostics(e.c, URI, 5000, with_findings, (void *)1);
    ok(pub != NULL, "strict again: findings");
    lsp_client_notify(e.c, "workspace/didChangeConfiguration", "{\"settings\":{\"marathon\":{\"blueprint\":{\"profile\":null}}}}");
    pub = lsp_client_wait_diagnostics(e.c, URI, 5000, with_findings, NULL);
    ok(pub != NULL, "a setting removed in the editor falls back to initializationOptions' value");

    /* A wrong value is reported, not fatal. */
    lsp_client_notify(e.c, "workspace/didChangeConfiguration", "{\"settings\":{\"marathon\":{\"agents\":{\"maxParallel\":\"many\"}}}}");
    const cJSON *msg = lsp_client_wait_method(e.c, "window/showMessage", 5000);
    ok(msg && strstr(test_str(cJSON_GetStringValue(test_json_path(msg, "params.message"))), "agents.maxParallel"),
       "a wrong setting is reported by name");
    /* Pull model: settings null -> the proxy asks again. */
    lsp_client_notify(e.c, "workspace/didChangeConfiguration", "{\"settings\":null}");
    req = lsp_client_wait_method(e.c, "workspace/configuration", 5000);
    ok(req != NULL, "didChangeConfiguration without settings: the proxy asks again");
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);
    return done_testing();
}
