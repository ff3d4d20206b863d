/*
 * End to end: the LLM prover and repairer. The proxy talks to the fake LLM endpoint
 * (tests/fake_llm) on 127.0.0.1 through its real libcurl code, and the fake Lean judges the
 * candidates in shadow documents. Checks: a refused candidate (sorry) and a rejected one
 * are fed back, Lean's message and the goal verbatim; the accepted reply's fenced block is
 * the proof; the key goes only in the Authorization header and never into the log; token
 * usage is counted; an HTTP error fails the job with the status; the repairer is told the
 * broken proof. Skips when the fake LLM is not built.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "llm_peer.h"
#include "tap.h"

static const char *URI = "file:///tmp/agl/Llm.lean";
static const char *TEXT = "-- @fake proof: omega\n"
                          "-- @fake reject: omega could not prove the goal\n"
                          "-- @fake goal: n : Nat\\n⊢ n + 1 > n\n"
                          "theorem hard (n : Nat) : n + 1 > n := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: exact h\n"
                          "theorem broken (h : 1 = 1) : 1 = 1 := by\n"
                          "  exact nope\n"
                          "\n"
                          "-- @fake proof: rfl\n"
                          "theorem other : 2 = 2 := by\n"
                          "  sorry\n"
                          "\n"
                          "def four : Nat := 4\n"
                          "\n"
                          "-- @fake proof: rfl\n"
                          "@[blueprint \"thm:four\"\n"
                          "  (statement := /-- Four is four, as \\cref{thm:hard} shows. -/)\n"
                          "  (proof := /-- Unfold `four`. -/)]\n"
                          "theorem four_eq : four = 4 := by\n"
                          "  sorry_using [hard]\n";

static const char *SCRIPT =
    "{\"match\":\"`hard`\",\"content\":\"I will cheat.\\n```lean\\nsorry\\n```\"}\n"
    "{\"match\":\"`hard`\",\"content\":\"Try this:\\n```lean\\nnorm_num\\n```\",\"usage\":{\"in\":100,\"out\":7}}\n"
    "{\"match\":\"`hard`\",\"content\":\"The bound is linear.\\n\\n```lean\\nomega\\n```\\nDone.\"}\n"
    "{\"match\":\"`broken`\",\"content\":\"```lean\\nexact h\\n```\"}\n"
    "{\"match\":\"`four_eq`\",\"content\":\"```lean\\nrfl\\n```\"}\n"
    "{\"match\":\"`other`\",\"status\":401,\"message\":\"invalid api key\",\"error_type\":\"invalid_request_error\"}\n"
    "{\"match\":\"`other`\",\"content\":\"```lean\\nrfl\\n```\"}\n";

static char *
start_job(struct e2e *e, const char *command, const char *name)
{
    char arg[256];
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"%s\"}", URI, name);
    const cJSON *r = e2e_command(e, command, arg);
    const char *id = cJSON_GetStringValue(test_json_path(r, "result.jobId"));
    return id ? strdup(id) : NULL;
}

/* The n-th request (1-based) of the record, as text. */
static char *
request_line(const struct llm_peer *l, int n)
{
    char *all = test_read_file(l->record);
    char *out = NULL;
    int seen = 0;
    for (char *line = all ? strtok(all, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (strstr(line, "\"path\"") && ++seen == n) {
            out = strdup(line);
            break;
        }
    }
    free(all);
    return out;
}

/* Lines of path containing both needles. */
static int
count_both(const char *path, const char *a, const char *b)
{
    char *all = test_read_file(path);
    int n = 0;
    for (char *line = all ? strtok(all, "\n") : NULL; line; line = strtok(NULL, "\n"))
        n += strstr(line, a) && strstr(line, b);
    free(all);
    return n;
}

/* A window/showMessage whose text contains arg. */
static bool
is_message_with(const cJSON *m, void *arg)
{
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "method"));
    const char *text = cJSON_GetStringValue(test_json_path(m, "params.message"));
    return method && strcmp(method, "window/showMessage") == 0 && text && strstr(text, arg);
}

/* libcurl is loaded when the first LLM client is made (src/curlload.h): when it cannot be,
 * the proxy says so once, keeps serving, and the tactic portfolio still proves. */
static void
test_no_libcurl(const struct llm_peer *llm)
{
    struct e2e e;
    setenv("LSP_PROXY_LIBCURL", "/nonexistent/libcurl.so.4", 1);
    int rc = e2e_start(&e, NULL, NULL);
    unsetenv("LSP_PROXY_LIBCURL");
    if (rc < 0) {
        skip("without libcurl", "the proxy did not start");
        return;
    }
    int before = llm_peer_requests(llm);
    char opts[2048];
    snprintf(opts, sizeof opts,
             "{\"marathon\":{\"llm\":{\"provider\":\"openai\",\"baseUrl\":\"http://127.0.0.1:%d/v1\","
             "\"apiKeyEnv\":\"LSP_PROXY_TEST_KEY\",\"retries\":0},"
             "\"agents\":{\"tactics\":[\"rfl\"],\"maxAttempts\":2},\"onSave\":\"off\","
             "\"review\":{\"enabled\":false},\"stateDir\":\"%s/state\"}}",
             llm->port, e.dir);
    e2e_initialize(&e, NULL, opts);
    e2e_open(&e, URI, TEXT);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/agl/Llm.lean\",\"version\":1}", 5000);

    char *id = start_job(&e, "marathon.prove", "hard");
    cJSON *j = id ? e2e_job_wait(&e, id, 10000) : NULL;
    is_str(e2e_job_str(j, "state"), "failed", "no libcurl: the LLM round cannot run, the job fails");
    cJSON_Delete(j);
    free(id);
    const cJSON *m = lsp_client_seen(e.c, 0, 3000, is_message_with, (void *)"cannot load libcurl");
    ok(m != NULL, "the editor is told libcurl cannot be loaded");
    is_contains(cJSON_GetStringValue(test_json_path(m, "params.message")), "/nonexistent/libcurl.so.4",
                "the message names the library it tried");
    is_int(llm_peer_requests(llm), before, "no request reached the endpoint");

    id = start_job(&e, "marathon.prove", "other");
    j = id ? e2e_job_wait(&e, id, 10000) : NULL;
    is_str(e2e_job_str(j, "state"), "succeeded", "the tactic portfolio still proves without libcurl");
    is_str(e2e_job_str(j, "kind"), "tactics", "by the portfolio");
    cJSON_Delete(j);
    free(id);
    const cJSON *st = e2e_command(&e, "marathon.status", "{}");
    ok(test_json_path(st, "result.jobs") != NULL, "the proxy keeps answering");
    char *log = test_read_file(e.log);
    is_contains(log, "cannot load libcurl", "the log says why the LLM agents are off");
    free(log);
    is_int(e2e_stop(&e), 0, "clean exit without libcurl");
    e2e_free(&e);
}

int
main(void)
{
    struct e2e e;
    struct llm_peer llm;
    setenv("LSP_PROXY_TEST_KEY", "sk-test-secret-4242", 1);
    if (e2e_start(&e, NULL, NULL) < 0) {
        skip("LLM agents", "binaries not built");
        return done_testing();
    }
    if (llm_peer_start(&llm, e.dir, SCRIPT) < 0) {
        skip("LLM agents", "the fake LLM (tests/fake_llm) is not built");
        e2e_free(&e);
        return done_testing();
    }
    char opts[2048];
    snprintf(opts, sizeof opts,
             "{\"marathon\":{\"llm\":{\"provider\":\"openai\",\"baseUrl\":\"http://127.0.0.1:%d/v1\","
             "\"model\":\"test-model\",\"apiKeyEnv\":\"LSP_PROXY_TEST_KEY\",\"retries\":0},"
             "\"agents\":{\"tactics\":[],\"maxAttempts\":3},\"onSave\":\"off\",\"review\":{\"enabled\":false},"
             "\"stateDir\":\"%s/state\"}}",
             llm.port, e.dir);
    e2e_initialize(&e, NULL, opts);
    e2e_open(&e, URI, TEXT);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/agl/Llm.lean\",\"version\":1}", 5000);

    /* three rounds: refused, rejected, accepted */
    char *id = start_job(&e, "marathon.prove", "hard");
    ok(id != NULL, "prove: a job id");
    cJSON *j = e2e_job_wait(&e, id, 20000);
    is_str(e2e_job_str(j, "state"), "succeeded", "hard: proved by the LLM");
    is_str(e2e_job_str(j, "kind"), "prove", "kind prove (not tactics)");
    is_str(e2e_job_str(j, "proof"), "omega", "the proof is the last reply's fenced block");
    is_int((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(j, "attempts")), 3, "three LLM rounds");
    cJSON_Delete(j);
    free(id);
    is_int(llm_peer_requests(&llm), 3, "three requests reached the endpoint");
    char *r1 = request_line(&llm, 1), *r2 = request_line(&llm, 2), *r3 = request_line(&llm, 3);
    is_contains(r1, "\"path\":\"/v1/chat/completions\"", "OpenAI-compatible path under the base URL");
    is_contains(r1, "\"authorization\":\"Bearer sk-test-secret-4242\"", "the key as a bearer token");
    is_contains(r1, "theorem hard (n : Nat) : n + 1 > n", "the prompt carries the statement");
    is_contains(r1, "You are the Worker", "the prover's system prompt");
    is_contains(r1, "\"model\":\"test-model\"", "the configured model");
    is_contains(r2, "refused before Lean saw it", "round 2 is told why round 1 was refused");
    is_contains(r3, "omega could not prove the goal", "round 3 quotes Lean's error verbatim");
    is_contains(r3, "The goal at the error", "and the goal at the error");
    is_contains(r3, "n : Nat", "the goal from $/lean/plainGoal");
    ok(r3 && strstr(r3, "I will cheat.") != NULL, "earlier replies stay in the conversation");
    free(r1);
    free(r2);
    free(r3);
    ok(test_count_lines(e.record, "norm_num") >= 1, "Lean checked the rejected candidate");
    is_int(count_both(e.record, "Llm.shadow1.lean", "languageId") +
               count_both(e.record, "Llm.shadow1.lean", "contentChanges"),
           2,
           "Lean saw two candidates (norm_num, omega): the refused one never reached it");

    /* usage and the key */
    const cJSON *st = e2e_command(&e, "marathon.status", "{}");
    is_int((int)cJSON_GetNumberValue(test_json_path(st, "result.llm.requests")), 3, "status: 3 LLM requests");
    ok(cJSON_GetNumberValue(test_json_path(st, "result.llm.tokensOut")) >= 7, "status: output tokens counted");

    /* the repairer gets the broken proof */
    id = start_job(&e, "marathon.repair", "broken");
    j = e2e_job_wait(&e, id, 20000);
    is_str(e2e_job_str(j, "state"), "succeeded", "broken: repaired");
    is_str(e2e_job_str(j, "kind"), "repair", "kind repair");
    cJSON_Delete(j);
    free(id);
    char *r4 = request_line(&llm, 4);
    is_contains(r4, "You are the Refiner", "the repairer's system prompt");
    is_contains(r4, "exact nope", "the repairer is shown the current proof");
    free(r4);

    /* the DAG context: LaTeX texts, the deps' statements, the file with proofs elided */
    id = start_job(&e, "marathon.prove", "four_eq");
    j = e2e_job_wait(&e, id, 20000);
    is_str(e2e_job_str(j, "state"), "succeeded", "four_eq: proved by the LLM");
    cJSON_Delete(j);
    free(id);
    char *r5 = request_line(&llm, 5);
    is_contains(r5, "Four is four, as \\\\cref{thm:hard} shows.", "the node's LaTeX statement");
    is_contains(r5, "proof sketch (LaTeX):\\nUnfold `four`.", "its proof sketch");
    is_contains(r5, "-- hard (sorry)\\ntheorem hard (n : Nat) : n + 1 > n := by\\n  -- (proof omitted)",
                "its dependency's statement and status");
    is_contains(r5, "def four : Nat := 4\\n", "the file's definitions whole");
    ok(r5 && strstr(r5, "exact nope") == NULL, "earlier proofs left out of the context");
    free(r5);

    /* an HTTP error fails the job and says so */
    id = start_job(&e, "marathon.prove", "other");
    j = e2e_job_wait(&e, id, 20000);
    is_str(e2e_job_str(j, "state"), "failed", "401: the job failed");
    is_contains(e2e_job_str(j, "message"), "401", "the message names the status");
    cJSON_Delete(j);
    free(id);

    /* A settings change reaches the LLM client: the next request uses the new model, and
     * the usage counted so far stays in the status. */
    lsp_client_notify(e.c, "workspace/didChangeConfiguration",
                      "{\"settings\":{\"marathon\":{\"llm\":{\"model\":\"second-model\"}}}}");
    id = start_job(&e, "marathon.prove", "other");
    j = e2e_job_wait(&e, id, 20000);
    is_str(e2e_job_str(j, "state"), "succeeded", "other: proved after the settings change");
    cJSON_Delete(j);
    free(id);
    char *r7 = request_line(&llm, 7);
    is_contains(r7, "\"model\":\"second-model\"", "the changed model is used");
    is_contains(r7, "Bearer sk-test-secret-4242", "the rest of the settings kept (key, base URL)");
    free(r7);
    st = e2e_command(&e, "marathon.status", "{}");
    is_int((int)cJSON_GetNumberValue(test_json_path(st, "result.llm.requests")), 7,
           "status: requests of the old and the new client counted");

    is_int(e2e_stop(&e), 0, "clean exit");
    /* the audit log: what each job did, in order, and never the key */
    char audit_path[600];
    snprintf(audit_path, sizeof audit_path, "%s/state/audit.jsonl", e.dir);
    char *audit = test_read_file(audit_path);
    ok(audit && strstr(audit, "\"event\":\"job.start\",\"job\":\"job-1\",\"kind\":\"prove\""),
       "audit: the job's start");
    ok(audit && strstr(audit, "\"event\":\"job.llm\"") && strstr(audit, "I will cheat."),
       "audit: the LLM's replies verbatim");
    ok(audit && strstr(audit, "\"candidate\":\"norm_num\",\"verdict\":\"rejected\""),
       "audit: each candidate Lean checked, with its verdict");
    ok(audit && strstr(audit, "\"event\":\"job.end\",\"job\":\"job-1\"") &&
           strstr(audit, "\"state\":\"succeeded\""),
       "audit: the outcome");
    ok(audit && strstr(audit, "sk-test-secret-4242") == NULL, "audit: never the key");
    is_int(test_count_lines(audit_path, "\"event\":\"job.end\""), 5, "one end per job (five jobs)");
    free(audit);
    char *log = test_read_file(e.log);
    ok(log != NULL && strstr(log, "sk-test-secret-4242") == NULL, "the key is not in the proxy's log");
    free(log);
    e2e_free(&e);
    test_no_libcurl(&llm);
    llm_peer_stop(&llm);
    return done_testing();
}
