/*
 * Fidelity review, end to end: the fake LLM returns verdicts (faithful, findings of two
 * categories, prose without JSON, a reply too slow for llm.timeoutMs). Diagnostics appear
 * on the right theorems with the right codes; lemmas are not reviewed (scope theorems);
 * the DAG's review fields; code actions; dismissals hide a finding until the statement
 * changes; the cache in stateDir spares a second request for the same text, across a proxy
 * restart, and dismissals survive the restart; marathon.review {force} asks again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "llm_peer.h"
#include "tap.h"

static const char *URI = "file:///tmp/rv/Review.lean";

static const char *TEXT =
    "@[blueprint \"thm:ok\" (statement := /-- Every natural number is at least zero. -/)]\n"
    "theorem thm_ok (n : Nat) : 0 ≤ n := by\n"
    "  sorry\n"
    "\n"
    "@[blueprint \"thm:weak\" (statement := /-- The sum of the first $n$ odd numbers is $n^2$. -/)]\n"
    "theorem thm_weak (n : Nat) : n ≤ n * n := by\n"
    "  sorry\n"
    "\n"
    "@[blueprint \"lem:aux\" (statement := /-- An auxiliary fact. -/)]\n"
    "lemma lem_aux : 1 = 1 := by\n"
    "  sorry\n"
    "\n"
    "theorem thm_bad : 2 = 2 := by\n"
    "  sorry\n"
    "\n"
    "theorem thm_slow : 3 = 3 := by\n"
    "  sorry\n"
    "\n"
    "-- @fake proof: intros; first \\| contradiction \\| (simp_all; done) \\| omega\n"
    "theorem thm_vac (n : Nat) (h : n < 0) : n = 5 := by\n"
    "  sorry\n";

/* One script line: {"match": m, "content": c, EXTRA}. */
static void
line(char *out, size_t cap, const char *match, const char *content, const char *extra)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "match", match);
    cJSON_AddStringToObject(o, "content", content);
    char *s = cJSON_PrintUnformatted(o);
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "%.*s%s%s}\n", (int)strlen(s) - 1, s, extra ? "," : "",
             extra ? extra : "");
    cJSON_free(s);
    cJSON_Delete(o);
}

/* "code@line" of each marathon-review diagnostic of the last publish, sorted, joined by
 * spaces; "" when none. */
static void
review_diags(const cJSON *msg, char *out, size_t cap)
{
    char items[16][96];
    int n = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, test_json_path(msg, "params.diagnostics"))
    {
        const char *src = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "source"));
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "code"));
        if (!src || strcmp(src, "marathon-review") != 0 || !code || n == 16)
            continue;
        int ln = (int)cJSON_GetNumberValue(test_json_path(d, "range.start.line"));
        int sev = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(d, "severity"));
        snprintf(items[n++], sizeof items[0], "%s@%d/%d", code, ln, sev);
    }
    qsort(items, (size_t)n, sizeof items[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s%s", i ? " " : "", items[i]);
    }
}

struct want {
    const char *diags;
};

static bool
publish_is(const cJSON *msg, void *arg)
{
    struct want *w = arg;
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    const char *u = cJSON_GetStringValue(test_json_path(msg, "params.uri"));
    if (!m || strcmp(m, "textDocument/publishDiagnostics") != 0 || !u || strcmp(u, URI) != 0)
        return false;
    char got[1024];
    review_diags(msg, got, sizeof got);
    return strcmp(got, w->diags) == 0;
}

/* The review diagnostics of the newest publish for URI. */
static void
last_review_diags(struct e2e *e, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = lsp_client_history_len(e->c); i-- > 0;) {
        const cJSON *msg = lsp_client_history(e->c, i);
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
        const char *u = cJSON_GetStringValue(test_json_path(msg, "params.uri"));
        if (m && strcmp(m, "textDocument/publishDiagnostics") == 0 && u && strcmp(u, URI) == 0) {
            review_diags(msg, out, cap);
            return;
        }
    }
}

/* Waits until the newest publish shows exactly these review diagnostics. */
static bool
wait_diags(struct e2e *e, const char *want, int timeout_ms)
{
    struct want w = {want};
    double end = test_now_ms() + timeout_ms * VALGRIND_SCALE;
    char got[1024];
    while (test_now_ms() < end) {
        last_review_diags(e, got, sizeof got);
        if (strcmp(got, want) == 0)
            return true;
        lsp_client_wait(e->c, 200, publish_is, &w);
    }
    last_review_diags(e, got, sizeof got);
    diag("review diagnostics: got '%s', want '%s'", got, want);
    return false;
}

static const char *
dag_review(struct e2e *e, const char *name)
{
    char arg[256];
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\"}", URI);
    const cJSON *r = e2e_command(e, "marathon.dag", arg);
    const cJSON *n;
    cJSON_ArrayForEach(n, test_json_path(r, "result.nodes"))
    {
        const char *nm = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n, "name"));
        if (nm && strcmp(nm, name) == 0)
            return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n, "review"));
    }
    return NULL;
}

static int
requests_for(const struct llm_peer *l, const char *name)
{
    char needle[64];
    snprintf(needle, sizeof needle, "Review the statement of `%s`", name);
    return test_count_lines(l->record, needle);
}

static void
session_with(struct e2e *e, const struct llm_peer *llm, const char *state_dir, const char *problem)
{
    char opts[2048], pf[700] = "";
    if (problem)
        snprintf(pf, sizeof pf, ",\"problemFile\":\"%s\"", problem);
    snprintf(opts, sizeof opts,
             "{\"marathon\":{\"llm\":{\"provider\":\"openai\",\"baseUrl\":\"http://127.0.0.1:%d/v1\","
             "\"model\":\"review-model\",\"retries\":0,\"timeoutMs\":%d},"
             "\"review\":{\"enabled\":true%s},\"stateDir\":\"%s\","
             "\"agents\":{\"tactics\":[]},\"onSave\":\"off\"}}",
             llm->port, 1500 * VALGRIND_SCALE, pf, state_dir);
    e2e_initialize(e, NULL, opts);
}

static void
session(struct e2e *e, const struct llm_peer *llm, const char *state_dir)
{
    session_with(e, llm, state_dir, NULL);
}

static const char *PROBLEM =
    "\\section{Targets}\n"
    "\\begin{theorem}[Odd sums]\\label{thm:weak}\n"
    "  For every $n$, $\\sum_{i<n} (2i+1) = n^2$.\n"
    "\\end{theorem}\n"
    "\\begin{theorem}\\label{thm:ok} Naturals are nonnegative. \\end{theorem}\n"
    "\\begin{remark}\\label{rem:not-a-target} A remark. \\end{remark}\n"
    "\\begin{theorem*}\\label{thm:missing} Nobody states this. \\end{theorem*}\n";

#define ALL_DIAGS                                                                               \
    "review.failed@12/3 review.failed@15/3 review.mismatched-object@5/2 review.too-weak@5/2 "     \
    "review.vacuous-hypothesis@19/2"

int
main(void)
{
    struct e2e e;
    struct llm_peer llm;
    if (e2e_start(&e, NULL, NULL) < 0) {
        skip("review", "binaries not built");
        return done_testing();
    }
    char script[16384] = "";
    /* statement repair: refused (a proof), rejected by Lean, then accepted and reviewed */
    line(script, sizeof script, "Propose a corrected statement of `thm_weak`",
         "```lean\ntheorem thm_weak (n : Nat) : True := trivial\n```", NULL);
    line(script, sizeof script, "Propose a corrected statement of `thm_weak`",
         "```lean\ntheorem thm_weak (n : Nat) : n * n = n -- @fake error: type mismatch in "
         "the candidate\n```",
         NULL);
    line(script, sizeof script, "Propose a corrected statement of `thm_weak`",
         "Use the sum.\n```lean\ntheorem thm_weak (n : Nat) :\n    (Finset.range n).sum (fun i => 2 "
         "* i + 1) = n ^ 2\n```\n```latex\nFor every $n$, the first $n$ odd numbers sum to "
         "$n^2$.\n```",
         NULL);
    line(script, sizeof script, "Review the corrected statement of `thm_weak`",
         "{\"verdict\":\"faithful\",\"findings\":[]}", NULL);
    line(script, sizeof script, "`thm_ok`",
         "Checked.\n```json\n{\"verdict\": \"faithful\", \"findings\": []}\n```", "\"times\":-1");
    line(script, sizeof script, "`thm_weak`",
         "{\"verdict\":\"unfaithful\",\"findings\":[{\"category\":\"too-weak\","
         "\"explanation\":\"The LaTeX claims an equality; the Lean statement only an "
         "inequality.\",\"suggestion\":\"theorem thm_weak (n : Nat) : (∑ i in Finset.range n, "
         "(2 * i + 1)) = n ^ 2\"},{\"category\":\"mismatched-object\",\"explanation\":\"`n * "
         "n` is not the sum of odd numbers.\"}]}",
         "\"times\":-1");
    line(script, sizeof script, "`thm_bad`", "I think this statement is fine, no JSON here.",
         "\"times\":-1");
    line(script, sizeof script, "`thm_slow`", "{\"verdict\":\"faithful\",\"findings\":[]}",
         "\"times\":-1,\"delay_ms\":20000");
    if (llm_peer_start(&llm, e.dir, script) < 0) {
        skip("review", "the fake LLM is not built");
        e2e_free(&e);
        return done_testing();
    }
    char state_dir[600];
    snprintf(state_dir, sizeof state_dir, "%s/state", e.dir);
    session(&e, &llm, state_dir);
    e2e_open(&e, URI, TEXT);

    ok(wait_diags(&e, ALL_DIAGS, 10000),
       "on open: findings on thm_weak (warnings), failures on thm_bad and thm_slow (information)");
    is_int(requests_for(&llm, "thm_ok"), 1, "thm_ok reviewed once");
    is_int(requests_for(&llm, "thm_weak"), 1, "thm_weak reviewed once");
    is_int(requests_for(&llm, "lem_aux"), 0, "the lemma is not reviewed (scope theorems)");
    is_int(requests_for(&llm, "thm_vac"), 0,
           "a vacuous statement is found by Lean alone: no LLM request");
    ok(test_count_lines(e.record, "example (n : Nat) : False := by intros") >= 1,
       "the vacuity check ran for thm_ok (binders, not refuted: reviewed by the LLM)");
    char *rec = test_read_file(llm.record);
    ok(rec && strstr(rec, "You are the Target-Reviewer"), "the reviewer's system prompt");
    ok(rec && strstr(rec, "The sum of the first $n$ odd numbers"), "the LaTeX statement is sent");
    ok(rec && strstr(rec, "theorem thm_weak (n : Nat) : n ≤ n * n := by"), "the Lean statement too");
    free(rec);

    is_str(dag_review(&e, "thm_ok"), "faithful", "DAG: thm_ok faithful");
    is_str(dag_review(&e, "thm_weak"), "findings", "DAG: thm_weak findings");
    is_str(dag_review(&e, "thm_bad"), "unreviewed", "DAG: a failed review is not faithful");
    is_str(dag_review(&e, "lem_aux"), "unreviewed", "DAG: the lemma unreviewed");

    /* the failure says why */
    const cJSON *pub = NULL;
    for (size_t i = lsp_client_history_len(e.c); i-- > 0 && !pub;) {
        char *s = cJSON_PrintUnformatted(lsp_client_history(e.c, i));
        if (s && strstr(s, "review.failed") && strstr(s, "publishDiagnostics"))
            pub = lsp_client_history(e.c, i);
        free(s);
    }
    char *ps = pub ? cJSON_PrintUnformatted(pub) : NULL;
    ok(ps && strstr(ps, "review failed: no JSON object with a \\\"verdict\\\" in the reply"),
       "prose without JSON: review failed, and why");
    ok(ps && strstr(ps, "review failed: the LLM request failed"), "a timeout: review failed");
    ok(ps && strstr(ps, "Suggestion: theorem thm_weak"), "the suggestion in a second paragraph");
    free(ps);

    /* code actions on thm_weak */
    char params[1024];
    snprintf(params, sizeof params,
             "{\"textDocument\":{\"uri\":\"%s\"},\"range\":{\"start\":{\"line\":5,\"character\":8},"
             "\"end\":{\"line\":5,\"character\":8}},\"context\":{\"diagnostics\":[]}}",
             URI);
    const cJSON *ca = e2e_call(&e, "textDocument/codeAction", params, 5000);
    char *cas = ca ? cJSON_PrintUnformatted(ca) : NULL;
    ok(cas && strstr(cas, "Dismiss review finding (review.too-weak)"), "action: dismiss too-weak");
    ok(cas && strstr(cas, "Dismiss review finding (review.mismatched-object)"), "and the other");
    ok(cas && strstr(cas, "\"Re-run review\""), "action: re-run review");
    free(cas);

    /* stage one before stage two: proveLeaves asks while findings are open */
    char arg[512];
    for (int round = 0; round < 2; round++) {
        snprintf(arg, sizeof arg,
                 "{\"command\":\"marathon.proveLeaves\",\"arguments\":[{\"uri\":\"%s\"}]}", URI);
        int rid = lsp_client_request(e.c, "workspace/executeCommand", arg);
        const cJSON *q = lsp_client_wait_method(e.c, "window/showMessageRequest", 5000 * VALGRIND_SCALE);
        ok(q != NULL, "proveLeaves with open findings: the person is asked (%s)",
           round ? "prove anyway" : "review first");
        const cJSON *qid = cJSON_GetObjectItemCaseSensitive(q, "id");
        char *qs = q ? cJSON_PrintUnformatted(q) : NULL;
        if (round == 0)
            ok(qs && strstr(qs, "open review findings") && strstr(qs, "Prove anyway"),
               "the question names the findings and offers to prove anyway");
        free(qs);
        char answer[512];
        snprintf(answer, sizeof answer, "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"result\":{\"title\":\"%s\"}}",
                 qid ? cJSON_GetStringValue(qid) : "", round ? "Prove anyway" : "Review first");
        lsp_client_send(e.c, answer);
        const cJSON *resp = lsp_client_wait_response(e.c, rid, 5000 * VALGRIND_SCALE);
        int njobs = cJSON_GetArraySize(test_json_path(resp, "result.jobIds"));
        if (round == 0) {
            is_int(njobs, 0, "review first: no job started");
            ok(cJSON_IsTrue(test_json_path(resp, "result.declined")), "and the reply says declined");
        } else {
            ok(njobs >= 4, "prove anyway: the leaves' jobs (%d)", njobs);
        }
    }
    e2e_command(&e, "marathon.cancel", "{}");

    /* a corrected statement: proposed, elaborated, reviewed, offered; never applied */
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"thm_weak\"}", URI);
    const cJSON *fr = e2e_command(&e, "marathon.fixStatement", arg);
    const char *fid = cJSON_GetStringValue(test_json_path(fr, "result.jobId"));
    ok(fid != NULL, "fixStatement: a job id");
    cJSON *fj = fid ? e2e_job_wait(&e, fid, 15000) : NULL;
    is_str(e2e_job_str(fj, "kind"), "fixStatement", "kind fixStatement");
    is_str(e2e_job_str(fj, "state"), "succeeded", "a corrected statement found");
    is_contains(e2e_job_str(fj, "message"), "elaborates and the reviewer finds it faithful",
                "the message says what was checked");
    is_int((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(fj, "attempts")), 3,
           "three rounds");
    cJSON_Delete(fj);
    rec = test_read_file(llm.record);
    ok(rec && strstr(rec, "The block must hold the statement only"), "round 2 hears why round 1 was refused");
    ok(rec && strstr(rec, "type mismatch in the candidate"), "round 3 hears Lean's error");
    ok(rec && strstr(rec, "You are the Refiner for statements"), "the statement Refiner's prompt");
    ok(rec && strstr(rec, "Review the corrected statement of `thm_weak`") &&
           strstr(rec, "the first $n$ odd numbers sum to $n^2$"),
       "the candidate (with its new LaTeX) is reviewed again");
    free(rec);
    ok(test_count_lines(e.record, "(Finset.range n).sum") >= 1 &&
           test_count_lines(e.record, ":= by\\n  sorry") >= 1,
       "Lean elaborated the candidate with sorry as its proof");
    snprintf(params, sizeof params,
             "{\"textDocument\":{\"uri\":\"%s\"},\"range\":{\"start\":{\"line\":5,\"character\":8},"
             "\"end\":{\"line\":5,\"character\":8}},\"context\":{\"diagnostics\":[]}}",
             URI);
    ca = e2e_call(&e, "textDocument/codeAction", params, 5000);
    cas = ca ? cJSON_PrintUnformatted(ca) : NULL;
    ok(cas && strstr(cas, "Apply corrected statement of `thm_weak`: theorem thm_weak (n : Nat) :"),
       "offered as a code action that shows the new statement");
    ok(cas && strstr(cas, "\"newText\":\"For every $n$, the first $n$ odd numbers sum to $n^2$.\""),
       "its edit replaces the LaTeX statement");
    ok(cas && strstr(cas, "\"range\":{\"start\":{\"line\":5,\"character\":0},\"end\":{\"line\":5,"
                          "\"character\":38}}"),
       "and the declaration head, up to `:=`");
    ok(cas && strstr(cas, "Propose a corrected statement"), "the propose action is there too");
    free(cas);
    int applied = 0;
    for (size_t i = 0; i < lsp_client_history_len(e.c); i++) {
        const char *m = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(lsp_client_history(e.c, i), "method"));
        applied += m && strcmp(m, "workspace/applyEdit") == 0;
    }
    is_int(applied, 0, "never applied without the person's click");
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"thm_ok\"}", URI);
    fr = e2e_command(&e, "marathon.fixStatement", arg);
    is_contains(cJSON_GetStringValue(test_json_path(fr, "error.message")), "no review finding",
                "fixStatement without a finding: an error");

    /* dismiss one, then the other */
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"thm_weak\",\"code\":\"review.too-weak\"}", URI);
    const cJSON *r = e2e_command(&e, "marathon.dismiss", arg);
    ok(r && test_json_path(r, "result") != NULL, "dismiss: ok");
    ok(wait_diags(&e, "review.failed@12/3 review.failed@15/3 review.mismatched-object@5/2 review.vacuous-hypothesis@19/2", 5000),
       "the dismissed finding is gone, the other stays");
    is_str(dag_review(&e, "thm_weak"), "findings", "DAG: still findings");
    snprintf(arg, sizeof arg,
             "{\"uri\":\"%s\",\"name\":\"thm_weak\",\"code\":\"review.mismatched-object\"}", URI);
    e2e_command(&e, "marathon.dismiss", arg);
    ok(wait_diags(&e, "review.failed@12/3 review.failed@15/3 review.vacuous-hypothesis@19/2", 5000), "both dismissed");
    is_str(dag_review(&e, "thm_weak"), "dismissed", "DAG: dismissed");
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"thm_ok\",\"code\":\"review.too-weak\"}", URI);
    r = e2e_command(&e, "marathon.dismiss", arg);
    ok(r && test_json_path(r, "error.message") != NULL, "dismissing a finding that is not there: an error");

    /* save without change: nothing asked again (failed ones neither) */
    snprintf(arg, sizeof arg, "{\"textDocument\":{\"uri\":\"%s\"}}", URI);
    lsp_client_notify(e.c, "textDocument/didSave", arg);
    e2e_command(&e, "marathon.status", "{}");
    is_int(requests_for(&llm, "thm_weak"), 1, "save, same text: no new request");

    /* a new statement: reviewed again, and the dismissals no longer apply */
    char *changed = strdup(TEXT);
    char *at = strstr(changed, "n ≤ n * n");
    memcpy(at, "n ≤ n + n", strlen("n ≤ n + n"));
    e2e_change_full(&e, URI, 2, changed);
    lsp_client_notify(e.c, "textDocument/didSave", arg);
    ok(wait_diags(&e, ALL_DIAGS, 10000), "changed statement: its findings are back");
    is_int(requests_for(&llm, "thm_weak"), 2, "one new request for the changed theorem");
    is_int(requests_for(&llm, "thm_ok"), 1, "none for the unchanged one");
    /* dismiss again on the new text (this one must survive the restart) */
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"thm_weak\",\"code\":\"review.too-weak\"}", URI);
    e2e_command(&e, "marathon.dismiss", arg);
    ok(wait_diags(&e, "review.failed@12/3 review.failed@15/3 review.mismatched-object@5/2 review.vacuous-hypothesis@19/2", 5000),
       "dismissed on the new text");
    char dpath[700];
    snprintf(dpath, sizeof dpath, "%s/dismissed.jsonl", state_dir);
    is_int(test_count_lines(dpath, "thm_weak"), 1,
           "the dismissals of the old statement were removed when the new one was reviewed");

    /* force: asks again */
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"thm_ok\",\"force\":true}", URI);
    r = e2e_command(&e, "marathon.review", arg);
    const char *jid = cJSON_GetStringValue(test_json_path(r, "result.jobId"));
    ok(jid != NULL, "marathon.review {force}: a job id");
    cJSON *job = jid ? e2e_job_wait(&e, jid, 10000) : NULL;
    is_str(e2e_job_str(job, "kind"), "review", "a review job");
    is_str(e2e_job_str(job, "state"), "succeeded", "it succeeded");
    cJSON_Delete(job);
    is_int(requests_for(&llm, "thm_ok"), 2, "a second request for thm_ok");
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"lem_nope\"}", URI);
    r = e2e_command(&e, "marathon.review", arg);
    ok(r && test_json_path(r, "error.message") != NULL, "marathon.review of no node: an error");
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);

    /* restart: the cache answers, the dismissal holds */
    if (e2e_start(&e, NULL, NULL) < 0) {
        ok(false, "the proxy restarts");
        return done_testing();
    }
    session(&e, &llm, state_dir);
    e2e_open(&e, URI, changed);
    ok(wait_diags(&e, "review.failed@12/3 review.failed@15/3 review.mismatched-object@5/2 review.vacuous-hypothesis@19/2", 10000),
       "after a restart: the cached findings, the dismissal kept");
    is_int(requests_for(&llm, "thm_weak"), 2, "no request for a cached verdict");
    is_int(requests_for(&llm, "thm_ok"), 2, "nor for thm_ok");
    ok(requests_for(&llm, "thm_bad") >= 2, "a failed review is asked again (never cached)");
    is_str(dag_review(&e, "thm_ok"), "faithful", "DAG after restart: faithful from the cache");
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);

    /* a problem file: coverage both ways, and the target reaches the reviewer */
    char problem[700];
    snprintf(problem, sizeof problem, "%s.problem.tex", state_dir);
    test_write_file(problem, PROBLEM);
    if (e2e_start(&e, NULL, NULL) < 0) {
        ok(false, "the proxy restarts");
        return done_testing();
    }
    session_with(&e, &llm, state_dir, problem);
    e2e_open(&e, URI, changed);
    ok(wait_diags(&e,
                  "review.coverage@0/2 review.extra-target@12/2 review.extra-target@15/2 "
                  "review.extra-target@19/2 review.failed@12/3 review.failed@15/3 "
                  "review.mismatched-object@5/2 review.vacuous-hypothesis@19/2",
                  10000),
       "problem file: thm:missing uncovered, thm_bad and thm_slow match no target");
    is_int(requests_for(&llm, "thm_weak"), 3, "a target text changes the cache key: asked again");
    rec = test_read_file(llm.record);
    ok(rec && strstr(rec, "For every $n$, $\\\\sum_{i<n} (2i+1) = n^2$."),
       "the canonical target is in the request");
    ok(rec && !strstr(rec, "A remark."), "a remark is not a target");
    free(rec);
    is_int(e2e_stop(&e), 0, "clean exit");
    free(changed);
    llm_peer_stop(&llm);
    e2e_free(&e);
    return done_testing();
}
