/*
 * Integration: the same editor script as the e2e tests, against a real `lake serve` in a
 * tiny Lake project. Runs only when `lake` is on PATH; prints a TAP skip otherwise
 * (shared/lean-lsp-facts.md is what the fake follows; this test keeps the fake honest).
 * Covered: initialize with the proxy's commands spliced in, the sorry warning through the
 * proxy, marathon.dag statuses from Lean's diagnostics, the proxy's code actions merged into
 * Lean's, a prove job whose portfolio proof the real server accepts in a shadow document
 * (and the "Apply proof found" action it leaves), clean shutdown. To run it here without
 * Lean, put a `lake` on PATH that runs tests/fake_lean (the text carries the fake's marker).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "tap.h"

/* True when an executable named name is on PATH. */
static bool
on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (path == NULL)
        return false;
    char *copy = strdup(path);
    bool found = false;
    for (char *dir = strtok(copy, ":"); dir && !found; dir = strtok(NULL, ":")) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", dir, name);
        found = access(full, X_OK) == 0;
    }
    free(copy);
    return found;
}

static bool
has_sorry(const cJSON *pub, void *arg)
{
    (void)arg;
    const cJSON *it;
    cJSON_ArrayForEach(it, test_json_path(pub, "params.diagnostics"))
    {
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "message"));
        if (m && strstr(m, "declaration uses") && strstr(m, "sorry"))
            return true;
    }
    return false;
}

int
main(void)
{
    if (!on_path("lake")) {
        skip("real Lean: initialize, diagnostics, DAG, code actions, shutdown", "no lake on PATH");
        return done_testing();
    }
    const char *proxy = test_bin("LSP_PROXY_BIN");
    if (proxy == NULL) {
        skip("real Lean", "proxy not built");
        return done_testing();
    }
    char *dir = test_tmpdir();
    char path[1024], uri[1200], log[1024];
    snprintf(path, sizeof path, "%s/lakefile.toml", dir);
    test_write_file(path, "name = \"tiny\"\n\n[[lean_lib]]\nname = \"Tiny\"\n");
    snprintf(path, sizeof path, "%s/Tiny.lean", dir);
    /* (the marker comment is for tests/fake_lean standing in as `lake`: it accepts `rfl`) */
    const char *text = "theorem easy : 1 + 1 = 2 := by\n  rfl\n\n-- @fake proof: rfl\n"
                       "theorem hard : 2 + 2 = 4 := by\n  sorry\n";
    test_write_file(path, text);
    snprintf(uri, sizeof uri, "file://%s", path);
    snprintf(log, sizeof log, "%s/proxy.log", dir);
    /* lake reads the toolchain from the project; use the default one. */
    const char *argv[] = {proxy, "--log", log, "--log-level", "debug", "--", "lake", "serve", NULL};
    struct lsp_client *c = lsp_client_spawn((char *const *)argv, dir, NULL);
    int id = lsp_client_request(c, "initialize", "{\"processId\":null,\"rootUri\":null,\"capabilities\":{}}");
    const cJSON *init = lsp_client_wait_response(c, id, 120000);
    ok(cJSON_IsArray(test_json_path(init, "result.capabilities.executeCommandProvider.commands")),
       "real Lean: capabilities merged");
    lsp_client_notify(c, "initialized", "{}");
    char *t = test_json_string(text);
    size_t plen = strlen(t) + 2048;
    char *params = malloc(plen);
    snprintf(params, plen, "{\"textDocument\":{\"uri\":\"%s\",\"languageId\":\"lean4\",\"version\":1,\"text\":%s},"
                    "\"dependencyBuildMode\":\"once\"}", uri, t);
    lsp_client_notify(c, "textDocument/didOpen", params);
    free(params);
    free(t);
    const cJSON *pub = lsp_client_wait_diagnostics(c, uri, 300000, has_sorry, NULL);
    ok(pub != NULL, "real Lean: the sorry warning arrives through the proxy");
    char wait[1400];
    snprintf(wait, sizeof wait, "{\"uri\":\"%s\",\"version\":1}", uri);
    id = lsp_client_request(c, "textDocument/waitForDiagnostics", wait);
    lsp_client_wait_response(c, id, 300000);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "{\"command\":\"marathon.dag\",\"arguments\":[{\"uri\":\"%s\"}]}", uri);
    id = lsp_client_request(c, "workspace/executeCommand", cmd);
    const cJSON *dag = lsp_client_wait_response(c, id, 10000);
    is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.0.status")), "proved", "real Lean: easy is proved");
    is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.1.status")), "sorry", "real Lean: hard is sorry");
    snprintf(cmd, sizeof cmd,
             "{\"textDocument\":{\"uri\":\"%s\"},\"range\":{\"start\":{\"line\":5,\"character\":2},"
             "\"end\":{\"line\":5,\"character\":2}},\"context\":{\"diagnostics\":[]}}", uri);
    id = lsp_client_request(c, "textDocument/codeAction", cmd);
    const cJSON *acts = lsp_client_wait_response(c, id, 60000);
    bool prove = false;
    const cJSON *it;
    cJSON_ArrayForEach(it, test_json_path(acts, "result"))
    {
        const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "title"));
        prove = prove || (title && strstr(title, "Prove `hard`"));
    }
    ok(prove, "real Lean: the proxy's action merged into Lean's reply");

    /* The agent in a shadow document of the real server: the portfolio proves `hard`. */
    snprintf(cmd, sizeof cmd, "{\"command\":\"marathon.prove\",\"arguments\":[{\"uri\":\"%s\",\"name\":\"hard\"}]}", uri);
    id = lsp_client_request(c, "workspace/executeCommand", cmd);
    const cJSON *started = lsp_client_wait_response(c, id, 10000);
    char job_id[64] = "";
    snprintf(job_id, sizeof job_id, "%s", test_str(cJSON_GetStringValue(test_json_path(started, "result.jobId"))));
    ok(job_id[0] != '\0', "real Lean: marathon.prove started job %s", job_id);
    char state[32] = "", proof[256] = "";
    for (int tries = 0; tries < 1200 && (state[0] == '\0' || strcmp(state, "queued") == 0 ||
                                         strcmp(state, "running") == 0 || strcmp(state, "verifying") == 0);
         tries++) {
        usleep(100000);
        id = lsp_client_request(c, "workspace/executeCommand", "{\"command\":\"marathon.status\",\"arguments\":[{}]}");
        const cJSON *st = lsp_client_wait_response(c, id, 10000);
        const cJSON *j;
        cJSON_ArrayForEach(j, test_json_path(st, "result.jobs"))
        {
            const char *jid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "id"));
            if (jid && strcmp(jid, job_id) == 0) {
                snprintf(state, sizeof state, "%s", test_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state"))));
                snprintf(proof, sizeof proof, "%s", test_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "proof"))));
            }
        }
    }
    is_str(state, "succeeded", "real Lean: the shadow document accepted a portfolio proof of hard");
    ok(proof[0] != '\0' && strstr(proof, "sorry") == NULL, "real Lean: the proof found is `%s`", proof);
    snprintf(cmd, sizeof cmd,
             "{\"textDocument\":{\"uri\":\"%s\"},\"range\":{\"start\":{\"line\":5,\"character\":2},"
             "\"end\":{\"line\":5,\"character\":2}},\"context\":{\"diagnostics\":[]}}", uri);
    id = lsp_client_request(c, "textDocument/codeAction", cmd);
    acts = lsp_client_wait_response(c, id, 60000);
    bool apply = false;
    cJSON_ArrayForEach(it, test_json_path(acts, "result"))
    {
        const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "title"));
        apply = apply || (title && strstr(title, "Apply proof found for `hard`"));
    }
    ok(apply, "real Lean: \"Apply proof found for `hard`\" is offered");
    id = lsp_client_request(c, "shutdown", NULL);
    lsp_client_wait_response(c, id, 30000);
    lsp_client_notify(c, "exit", "{}");
    is_int(lsp_client_wait_exit(c, 30000), 0, "real Lean: clean exit");
    lsp_client_free(c);
    free(dir);
    return done_testing();
}
