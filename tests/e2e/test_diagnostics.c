/*
 * End to end: diagnostics merging. Lean's sets reach the editor as full sets, also when
 * the client asked for incremental ones (batches appended, then republished whole); the
 * proxy's contract findings (source "marathon") are merged into the same set and follow
 * the text as it is edited; statuses in marathon.dag follow Lean's diagnostics.
 */
#include <string.h>

#include "e2e.h"
#include "tap.h"

static int
count_source(const cJSON *pub, const char *source, const char *needle)
{
    int n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, test_json_path(pub, "params.diagnostics"))
    {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "source"));
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "message"));
        if (s && strcmp(s, source) == 0 && (!needle || (m && strstr(m, needle))))
            n++;
    }
    return n;
}

struct want {
    int lean_sorry;
    int marathon;
};

static bool
has(const cJSON *pub, void *arg)
{
    struct want *w = arg;
    return count_source(pub, "Lean 4", "sorry") == w->lean_sorry &&
           count_source(pub, "marathon", NULL) == w->marathon;
}

static const char *PLAIN = "theorem one : 1 = 1 := by\n  sorry\n\n"
                           "theorem two : 2 = 2 := by\n  rfl\n\n"
                           "theorem three : 3 = 3 := by\n  sorry\n";

#define NODE(label, name, body)                                                            \
    "@[blueprint \"" label "\"\n  (statement := /-- A statement. -/)\n"                    \
    "  (proof := /-- A proof. -/)\n  (title := /-- A title. -/)\n  (latexEnv := \"theorem\")]\n" \
    "theorem " name " : True := by\n" body "\n"

int
main(void)
{
    struct e2e e;
    const char *fake_args[] = {"--chunks", "3", NULL};
    if (e2e_start(&e, NULL, fake_args) < 0) {
        skip("diagnostics", "binaries not built");
        return done_testing();
    }
    /* The editor asks for incremental diagnostics: Lean sends batches, the editor must
     * still get full sets from the proxy. */
    e2e_initialize(&e, "{\"lean\":{\"incrementalDiagnosticSupport\":true}}", NULL);
    const char *u1 = "file:///tmp/d/Plain.lean";
    e2e_open(&e, u1, PLAIN);
    struct want w2 = {2, 0};
    const cJSON *pub = lsp_client_wait_diagnostics(e.c, u1, 5000, has, &w2);
    ok(pub != NULL, "both sorry warnings, sent by Lean in separate incremental batches, arrive in one full set");
    ok(!cJSON_IsTrue(test_json_path(pub, "params.isIncremental")), "the editor never gets an incremental set");
    e2e_wait_record(&e, "waitForDiagnostics", 0, 0);
    /* Lean really did send incremental batches (it was told the client supports them). */
    char *rec = test_read_file(e.record);
    ok(rec && strstr(rec, "\"incrementalDiagnosticSupport\":true"), "Lean was told the client takes incremental sets");
    free(rec);
    bool any_incremental = false;
    for (size_t i = 0; i < lsp_client_history_len(e.c); i++) {
        const cJSON *m = lsp_client_history(e.c, i);
        if (cJSON_IsTrue(test_json_path(m, "params.isIncremental")))
            any_incremental = true;
    }
    ok(!any_incremental, "no message with isIncremental: true reached the editor");

    /* A plain Lean file is not a blueprint: no marathon diagnostics, but a DAG. */
    const cJSON *dag = e2e_command(&e, "marathon.dag", "{\"uri\":\"file:///tmp/d/Plain.lean\"}");
    is_int(cJSON_GetArraySize(test_json_path(dag, "result.nodes")), 3, "plain file: three nodes in the DAG");
    is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.0.status")), "sorry", "sorry node from Lean's warning");
    is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.1.status")), "proved", "complete node proved");
    ok(cJSON_IsTrue(test_json_path(dag, "result.nodes.0.leaf")), "a sorry node with no deps is a leaf");

    /* A blueprint with a label/name mismatch: Lean's warning and our finding merged. */
    const char *u2 = "file:///tmp/d/Blue.lean";
    const char *bad = "import Architect\n\n" NODE("thm:foo-bar", "foo_baz", "  sorry");
    e2e_open(&e, u2, bad);
    struct want w11 = {1, 1};
    pub = lsp_client_wait_diagnostics(e.c, u2, 5000, has, &w11);
    ok(pub != NULL, "Lean's sorry warning and the contract finding in one set");
    const cJSON *it, *ours = NULL;
    cJSON_ArrayForEach(it, test_json_path(pub, "params.diagnostics"))
    {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "source"));
        if (s && strcmp(s, "marathon") == 0)
            ours = it;
    }
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ours, "code")), "blueprint.label-name", "finding code");
    is_int((long long)cJSON_GetNumberValue(test_json_path(ours, "range.start.line")), 7, "finding on the declaration's line");
    is_int((long long)cJSON_GetNumberValue(test_json_path(ours, "range.start.character")), 8, "finding on the name");

    /* Fix the name: the finding goes, Lean's warning stays. */
    const char *good = "import Architect\n\n" NODE("thm:foo-bar", "foo_bar", "  sorry");
    e2e_change_full(&e, u2, 2, good);
    struct want w10 = {1, 0};
    pub = lsp_client_wait_diagnostics(e.c, u2, 5000, has, &w10);
    ok(pub != NULL, "after the fix: Lean's warning only");

    /* Prove it: Lean's warning goes too, and the DAG says proved. */
    const char *proved = "import Architect\n\n" NODE("thm:foo-bar", "foo_bar", "  trivial");
    e2e_change_full(&e, u2, 3, proved);
    struct want w00 = {0, 0};
    pub = lsp_client_wait_diagnostics(e.c, u2, 5000, has, &w00);
    ok(pub != NULL, "after the proof: no diagnostics");
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/d/Blue.lean\",\"version\":3}", 5000);
    dag = e2e_command(&e, "marathon.dag", "{\"uri\":\"file:///tmp/d/Blue.lean\"}");
    is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.0.status")), "proved", "DAG status proved");
    is_int((long long)cJSON_GetNumberValue(test_json_path(dag, "result.version")), 3, "DAG carries the document version");

    /* An error marker makes the node `error`. */
    const char *broken = "import Architect\n\n" NODE("thm:foo-bar", "foo_bar", "  exact bad -- @fake error: unknown identifier 'bad'");
    e2e_change_full(&e, u2, 4, broken);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/d/Blue.lean\",\"version\":4}", 5000);
    dag = e2e_command(&e, "marathon.dag", "{\"uri\":\"file:///tmp/d/Blue.lean\"}");
    is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.0.status")), "error", "DAG status error from Lean's error");

    /* Closing clears our set. */
    lsp_client_notify(e.c, "textDocument/didClose", "{\"textDocument\":{\"uri\":\"file:///tmp/d/Blue.lean\"}}");
    pub = lsp_client_wait_diagnostics(e.c, u2, 5000, has, &w00);
    ok(pub != NULL, "closing publishes an empty set");
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);

    /* While Lean is still elaborating, nodes it has not reached are pending. */
    const char *slow_args[] = {"--report-delay-ms", "1500", NULL};
    if (e2e_start(&e, NULL, slow_args) == 0) {
        e2e_initialize(&e, NULL, NULL);
        e2e_open(&e, u1, PLAIN);
        /* at once, before Lean's first word on the file: not checked, so not proved */
        dag = e2e_command(&e, "marathon.dag", "{\"uri\":\"file:///tmp/d/Plain.lean\"}");
        is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.1.status")), "pending",
               "right after didOpen, before any report from Lean: pending, not proved");
        is_int((long long)cJSON_GetNumberValue(test_json_path(dag, "result.summary.proved")), 0,
               "nothing counted proved yet");
        lsp_client_wait_method(e.c, "$/lean/fileProgress", 3000);
        dag = e2e_command(&e, "marathon.dag", "{\"uri\":\"file:///tmp/d/Plain.lean\"}");
        is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.1.status")), "pending",
               "before Lean reaches a node it is pending");
        is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.0.status")), "sorry",
               "a placeholder is sorry from its text, even before Lean reaches it");
        e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/d/Plain.lean\",\"version\":1}", 5000);
        lsp_client_wait(e.c, 300, has, &w2); /* let the final progress arrive */
        dag = e2e_command(&e, "marathon.dag", "{\"uri\":\"file:///tmp/d/Plain.lean\"}");
        is_str(cJSON_GetStringValue(test_json_path(dag, "result.nodes.1.status")), "proved", "once Lean is done: proved");
        is_int((long long)cJSON_GetNumberValue(test_json_path(dag, "result.summary.sorry")), 2, "summary counts two sorry nodes");
        is_int(e2e_stop(&e), 0, "clean exit");
        e2e_free(&e);
    }

    /* Without incremental support Lean's full sets are forwarded as they are. */
    if (e2e_start(&e, NULL, fake_args) == 0) {
        e2e_initialize(&e, "{}", NULL);
        e2e_open(&e, u1, PLAIN);
        pub = lsp_client_wait_diagnostics(e.c, u1, 5000, has, &w2);
        ok(pub != NULL, "non-incremental client: the full set arrives");
        ok(test_json_path(pub, "params.isIncremental") == NULL, "no isIncremental field added");
        is_int(e2e_stop(&e), 0, "clean exit");
        e2e_free(&e);
    }
    return done_testing();
}
