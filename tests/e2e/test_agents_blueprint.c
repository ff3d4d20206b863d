/*
 * End to end: an agent's proof in a strict blueprint file leaves `lsp-proxy check` no worse
 * (src/citations.h). The LLM's first reply adds a bare helper lemma: Lean accepts it, but
 * the edit would add a `blueprint.bare-declaration` finding, so it is refused and the next
 * round is told which findings. The second reply makes the helper a blueprint node: the
 * proposal's edit inserts it above the node and updates the node's `proof` citations (the
 * helper's label added, the label of a dependency no longer used dropped from its
 * `\cref{…}` list). The test applies the edit to its copy of the text and runs `lsp-proxy
 * check --profile strict --json` before and after: no new finding.
 */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "llm_peer.h"
#include "tap.h"

static const char *URI = "file:///tmp/abp/Blue.lean";
static const char *TEXT = "import Mathlib\n"
                          "\n"
                          "@[blueprint \"lem:aux-one\"\n"
                          "  (statement := /-- First. -/)\n"
                          "  (proof := /-- Trivial. -/)\n"
                          "  (title := /-- One -/)\n"
                          "  (latexEnv := \"lemma\")]\n"
                          "lemma aux_one : 1 = 1 := by\n"
                          "  rfl\n"
                          "\n"
                          "@[blueprint \"lem:aux-two\"\n"
                          "  (statement := /-- Second. -/)\n"
                          "  (proof := /-- Trivial. -/)\n"
                          "  (title := /-- Two -/)\n"
                          "  (latexEnv := \"lemma\")]\n"
                          "lemma aux_two : 2 = 2 := by\n"
                          "  rfl\n"
                          "\n"
                          "@[blueprint \"thm:main-thm\"\n"
                          "  (statement := /-- Main. -/)\n"
                          "  (proof := /-- By \\cref{lem:aux-one, lem:aux-two}. -/)\n"
                          "  (title := /-- Main -/)\n"
                          "  (latexEnv := \"theorem\")]\n"
                          "theorem main_thm : 1 = 1 := by\n"
                          "  sorry_using [aux_one, aux_two]\n"
                          "\n"
                          "@[blueprint \"thm:other-thm\"\n"
                          "  (statement := /-- Other. -/)\n"
                          "  (proof := /-- By \\cref{lem:aux-two}. -/)\n"
                          "  (title := /-- Other -/)\n"
                          "  (latexEnv := \"theorem\")]\n"
                          "theorem other_thm : 2 = 2 := by\n"
                          "  exact aux_two\n"
                          "\n"
                          "@[blueprint \"lem:aux-three\"\n"
                          "  (statement := /-- Third. -/)\n"
                          "  (proof := /-- Trivial. -/)\n"
                          "  (title := /-- Three -/)\n"
                          "  (latexEnv := \"lemma\")]\n"
                          "lemma aux_three : 3 = 3 := by\n"
                          "  rfl\n"
                          "\n"
                          "@[blueprint \"thm:third-thm\"\n"
                          "  (statement := /-- Third theorem. -/)\n"
                          "  (proof := /-- From \\cref{lem:aux-three}. -/)\n"
                          "  (title := /-- Third -/)\n"
                          "  (latexEnv := \"theorem\")]\n"
                          "theorem third_thm : 3 = 3 := by\n"
                          "  sorry_using [aux_three]\n";

static const char *SCRIPT =
    "{\"match\":\"`main_thm`\",\"content\":\"A helper first.\\n```lean\\nlemma helper_sq : 1 = 1 := by\\n"
    "  rfl\\n\\nhave := helper_sq\\nexact aux_one\\n```\"}\n"
    "{\"match\":\"`main_thm`\",\"content\":\"As a node.\\n```lean\\n@[blueprint \\\"lem:helper-sq\\\"\\n"
    "  (statement := /-- One is one. -/)\\n  (proof := /-- Reflexivity. -/)\\n  (title := /-- "
    "Helper -/)\\n  (latexEnv := \\\"lemma\\\")]\\nlemma helper_sq : 1 = 1 := by\\n  rfl\\n\\n"
    "have := helper_sq\\nexact aux_one\\n```\"}\n"
    "{\"match\":\"`third_thm`\",\"content\":\"```lean\\nrfl\\n```\"}\n";

/* text with the TextEdits of edits applied (ranges refer to the original text). */
static char *
apply_edits(const char *text, const cJSON *edits)
{
    size_t n = (size_t)cJSON_GetArraySize(edits);
    size_t *from = calloc(n + 1, sizeof *from), *to = calloc(n + 1, sizeof *to);
    char *done = calloc(n + 1, 1);
    const char **nt = calloc(n + 1, sizeof *nt);
    for (size_t k = 0; k < n; k++) {
        const cJSON *e = cJSON_GetArrayItem(edits, (int)k);
        from[k] = e2e_offset_ascii(text, (int)cJSON_GetNumberValue(test_json_path(e, "range.start.line")),
                            (int)cJSON_GetNumberValue(test_json_path(e, "range.start.character")));
        to[k] = e2e_offset_ascii(text, (int)cJSON_GetNumberValue(test_json_path(e, "range.end.line")),
                          (int)cJSON_GetNumberValue(test_json_path(e, "range.end.character")));
        nt[k] = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "newText"));
    }
    size_t cap = strlen(text) + 1;
    for (size_t k = 0; k < n; k++)
        cap += nt[k] ? strlen(nt[k]) : 0;
    char *out = malloc(cap);
    size_t o = 0, at = 0;
    for (;;) { /* edits in text order */
        size_t best = n;
        for (size_t k = 0; k < n; k++)
            if (!done[k] && from[k] >= at && (best == n || from[k] < from[best]))
                best = k;
        if (best == n)
            break;
        memcpy(out + o, text + at, from[best] - at);
        o += from[best] - at;
        size_t l = nt[best] ? strlen(nt[best]) : 0;
        memcpy(out + o, nt[best], l);
        o += l;
        at = to[best];
        done[best] = 1;
    }
    strcpy(out + o, text + at);
    free(from);
    free(to);
    free(done);
    free(nt);
    return out;
}

/* `lsp-proxy check --profile strict --json` of text: the codes found, sorted, joined. */
static char *
check_codes(const char *dir, const char *name, const char *text)
{
    char path[700], cmd[1600], out[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(out, sizeof out, "%s/%s.json", dir, name);
    test_write_file(path, text);
    snprintf(cmd, sizeof cmd, "'%s' check --profile strict --json '%s' > '%s' 2>/dev/null",
             getenv("LSP_PROXY_BIN"), path, out);
    if (system(cmd) == -1)
        return strdup("(check did not run)");
    char *js = test_read_file(out);
    cJSON *arr = cJSON_Parse(js ? js : "");
    free(js);
    char codes[64][64];
    int n = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, arr)
    {
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "code"));
        if (c && n < 64)
            snprintf(codes[n++], sizeof codes[0], "%s", c);
    }
    cJSON_Delete(arr);
    qsort(codes, (size_t)n, sizeof codes[0], (int (*)(const void *, const void *))strcmp);
    char *s = calloc(1, 64 * 65 + 8);
    for (int k = 0; k < n; k++) {
        strcat(s, k ? " " : "");
        strcat(s, codes[k]);
    }
    return s;
}

int
main(void)
{
    struct e2e e;
    struct llm_peer llm;
    setenv("LSP_PROXY_TEST_KEY", "sk-blueprint-test", 1);
    if (e2e_start(&e, NULL, NULL) < 0) {
        skip("blueprint edits", "binaries not built");
        return done_testing();
    }
    if (llm_peer_start(&llm, e.dir, SCRIPT) < 0) {
        skip("blueprint edits", "the fake LLM is not built");
        e2e_free(&e);
        return done_testing();
    }
    char opts[2048];
    snprintf(opts, sizeof opts,
             "{\"marathon\":{\"llm\":{\"provider\":\"openai\",\"baseUrl\":\"http://127.0.0.1:%d/v1\","
             "\"apiKeyEnv\":\"LSP_PROXY_TEST_KEY\",\"retries\":0},\"blueprint\":{\"profile\":\"strict\"},"
             "\"agents\":{\"tactics\":[],\"maxAttempts\":3},\"onSave\":\"off\",\"review\":{\"enabled\":false},"
             "\"stateDir\":\"%s/state\"}}",
             llm.port, e.dir);
    e2e_initialize(&e, "{\"workspace\":{\"workspaceEdit\":{\"documentChanges\":true}}}", opts);
    e2e_open(&e, URI, TEXT);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/abp/Blue.lean\",\"version\":1}", 5000);

    const cJSON *r = e2e_command(&e, "marathon.prove", "{\"uri\":\"file:///tmp/abp/Blue.lean\",\"name\":\"main_thm\"}");
    const char *jid = cJSON_GetStringValue(test_json_path(r, "result.jobId"));
    char *id = jid ? strdup(jid) : NULL;
    cJSON *j = id ? e2e_job_wait(&e, id, 20000) : NULL;
    is_str(e2e_job_str(j, "state"), "succeeded", "main_thm: proved in the second round");
    is_int((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "attempts")), 2, "two LLM rounds");
    cJSON_Delete(j);
    free(id);
    is_int(llm_peer_requests(&llm), 2, "two requests");
    char *rec = test_read_file(llm.record);
    char *r2 = NULL;
    {
        int seen = 0;
        for (char *line = rec ? strtok(rec, "\n") : NULL; line; line = strtok(NULL, "\n"))
            if (strstr(line, "\"path\"") && ++seen == 2)
                r2 = strdup(line);
    }
    is_contains(r2, "blueprint.bare-declaration", "round 2 is told the finding the bare helper adds");
    is_contains(r2, "must be a node of its own", "and how a helper must look");
    free(r2);
    free(rec);

    /* the proposal's edit, applied here */
    char params[512];
    snprintf(params, sizeof params,
             "{\"textDocument\":{\"uri\":\"%s\"},\"range\":{\"start\":{\"line\":24,\"character\":2},"
             "\"end\":{\"line\":24,\"character\":2}},\"context\":{\"diagnostics\":[]}}",
             URI);
    const cJSON *acts = test_json_path(e2e_call(&e, "textDocument/codeAction", params, 5000), "result");
    const cJSON *apply = NULL, *it;
    cJSON_ArrayForEach(it, acts)
    {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "title"));
        if (t && strcmp(t, "Apply proof found for `main_thm`") == 0)
            apply = it;
    }
    ok(apply != NULL, "the code action offers the proof");
    const cJSON *edits = test_json_path(apply, "edit.documentChanges.0.edits");
    is_int(cJSON_GetArraySize(edits), 3, "three edits: the helper, the citations, the body");
    char *after = edits ? apply_edits(TEXT, edits) : strdup(TEXT);
    ok(strstr(after, "@[blueprint \"lem:helper-sq\"") < strstr(after, "@[blueprint \"thm:main-thm\""),
       "the helper node above the node");
    is_contains(after, "(proof := /-- By \\cref{lem:aux-one}. It uses \\cref{lem:helper-sq}. -/)",
                "the proof cites the helper, no longer lem:aux-two");
    is_contains(after, "(proof := /-- By \\cref{lem:aux-two}. -/)\n  (title := /-- Other -/)",
                "other nodes untouched");
    is_contains(after, "theorem main_thm : 1 = 1 := by\n  have := helper_sq\n  exact aux_one\n",
                "the body replaced");
    char *before_codes = check_codes(e.dir, "Before.lean", TEXT);
    char *after_codes = check_codes(e.dir, "After.lean", after);
    is_str(after_codes, before_codes, "lsp-proxy check: the same findings before and after");
    diag("findings before: '%s'", before_codes);
    free(before_codes);
    free(after_codes);
    free(after);

    /* a proof that does not use its planned dependency: accepted, the new warning said */
    r = e2e_command(&e, "marathon.prove", "{\"uri\":\"file:///tmp/abp/Blue.lean\",\"name\":\"third_thm\"}");
    jid = cJSON_GetStringValue(test_json_path(r, "result.jobId"));
    id = jid ? strdup(jid) : NULL;
    j = id ? e2e_job_wait(&e, id, 20000) : NULL;
    is_str(e2e_job_str(j, "state"), "succeeded", "third_thm: a proof without aux_three is still offered");
    is_contains(e2e_job_str(j, "message"), "applying it adds contract warnings: blueprint.closeness",
                "the job says aux_three becomes unused");
    cJSON_Delete(j);
    free(id);
    is_int(e2e_stop(&e), 0, "clean exit");
    llm_peer_stop(&llm);
    e2e_free(&e);
    return done_testing();
}
