/*
 * End to end: code actions. Lean's actions (eager "Try this", lazy ones with data) and the
 * proxy's ("Prove `x` with agent", "Prove all dynamic leaves", "Repair `x` with agent")
 * arrive in one array; a resolve of Lean's lazy action goes to Lean unchanged, a resolve of
 * the proxy's own action is answered by the proxy and never reaches Lean (Lean would fail
 * it, lean-lsp-facts.md §6.1). The prove command starts a job (tests/e2e/test_agents.c
 * follows jobs to their end).
 */
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "tap.h"

static const char *URI = "file:///tmp/a/Act.lean";
static const char *TEXT = "theorem base : True := by\n  trivial\n\n"
                          "theorem leafy : True := by\n  exact?\n  sorry\n\n"
                          "theorem broken : True := by\n  exact nope -- @fake error: unknown identifier 'nope'\n";

static const cJSON *
find_title(const cJSON *arr, const char *prefix)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "title"));
        if (t && strncmp(t, prefix, strlen(prefix)) == 0)
            return it;
    }
    return NULL;
}

static const cJSON *
code_actions(struct e2e *e, int line, int ch)
{
    char params[512];
    snprintf(params, sizeof params,
             "{\"textDocument\":{\"uri\":\"%s\"},\"range\":{\"start\":{\"line\":%d,\"character\":%d},"
             "\"end\":{\"line\":%d,\"character\":%d}},\"context\":{\"diagnostics\":[]}}",
             URI, line, ch, line, ch);
    return e2e_call(e, "textDocument/codeAction", params, 5000);
}

int
main(void)
{
    struct e2e e;
    if (e2e_start(&e, NULL, NULL) < 0) {
        skip("code actions", "binaries not built");
        return done_testing();
    }
    e2e_initialize(&e, NULL, NULL);
    e2e_open(&e, URI, TEXT);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/a/Act.lean\",\"version\":1}", 5000);

    const cJSON *r = code_actions(&e, 4, 2);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r, "result");
    ok(cJSON_IsArray(arr), "an array of actions");
    ok(find_title(arr, "Try this: exact trivial") != NULL, "Lean's eager action present");
    const cJSON *lazy = find_title(arr, "Fake lazy action");
    ok(lazy != NULL, "Lean's lazy action present");
    const cJSON *prove = find_title(arr, "Prove `leafy` with agent");
    ok(prove != NULL, "the proxy's prove action present");
    ok(find_title(arr, "Prove all dynamic leaves") != NULL, "leaf: prove-all action present");
    is_str(cJSON_GetStringValue(test_json_path(prove, "command.command")), "marathon.prove", "prove action's command");
    is_str(cJSON_GetStringValue(test_json_path(prove, "data.source")), "marathon", "data.source marks it");
    is_str(cJSON_GetStringValue(test_json_path(prove, "command.arguments.0.name")), "leafy", "argument names the node");
    ok(cJSON_GetArraySize(arr) >= 4 && find_title(arr, "Try this") == cJSON_GetArrayItem(arr, 0),
       "Lean's actions first, the proxy's appended");

    /* Resolve routing. */
    char *lazy_s = cJSON_PrintUnformatted(lazy);
    const cJSON *res = e2e_call(&e, "codeAction/resolve", lazy_s, 5000);
    ok(test_json_path(res, "result.edit") != NULL, "Lean resolved its lazy action (edit added)");
    free(lazy_s);
    int before = test_count_lines(e.record, "codeAction/resolve");
    char *prove_s = cJSON_PrintUnformatted(prove);
    res = e2e_call(&e, "codeAction/resolve", prove_s, 5000);
    is_str(cJSON_GetStringValue(test_json_path(res, "result.title")), "Prove `leafy` with agent", "the proxy resolved its own action");
    free(prove_s);
    usleep(100000);
    is_int(test_count_lines(e.record, "codeAction/resolve"), before, "Lean never saw the proxy's resolve");

    /* At the broken node: repair. At the proved node: nothing of ours. */
    r = code_actions(&e, 8, 4);
    arr = cJSON_GetObjectItemCaseSensitive(r, "result");
    ok(find_title(arr, "Repair `broken` with agent") != NULL, "repair offered at an error node");
    ok(find_title(arr, "Prove `broken`") == NULL, "no prove action at an error node");
    r = code_actions(&e, 1, 2);
    arr = cJSON_GetObjectItemCaseSensitive(r, "result");
    ok(find_title(arr, "Prove") == NULL && find_title(arr, "Repair") == NULL, "no agent action at a proved node");
    ok(find_title(arr, "Fake lazy action") != NULL, "Lean's actions still there");

    /* context.only filters our actions. */
    char params[512];
    snprintf(params, sizeof params,
             "{\"textDocument\":{\"uri\":\"%s\"},\"range\":{\"start\":{\"line\":4,\"character\":2},"
             "\"end\":{\"line\":4,\"character\":2}},\"context\":{\"diagnostics\":[],\"only\":[\"source\"]}}",
             URI);
    r = e2e_call(&e, "textDocument/codeAction", params, 5000);
    ok(find_title(cJSON_GetObjectItemCaseSensitive(r, "result"), "Prove") == NULL, "context.only respected");

    /* The command itself: a job id at once. */
    const cJSON *pr = e2e_command(&e, "marathon.prove", "{\"uri\":\"file:///tmp/a/Act.lean\",\"name\":\"leafy\"}");
    ok(strncmp(test_str(cJSON_GetStringValue(test_json_path(pr, "result.jobId"))), "job-", 4) == 0,
       "marathon.prove: a job id");
    pr = e2e_command(&e, "marathon.prove", "{\"uri\":\"file:///tmp/a/Act.lean\",\"name\":\"ghost\"}");
    ok(strstr(test_str(cJSON_GetStringValue(test_json_path(pr, "error.message"))), "ghost") != NULL,
       "marathon.prove of an unknown node names it");
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);
    return done_testing();
}
