/*
 * End to end: the proxy's HTTP client (src/http.c, libcurl's multi interface on the libev
 * loop) against the fake LLM endpoint, through LLM prove jobs. Checks: a 503 and a
 * connection closed before the head are retried with growing pauses and the job succeeds
 * with one prover round; a 429's Retry-After is honoured; retries are bounded by
 * llm.retries and the job says the status; llm.timeoutMs ends a stalled request; a reply
 * with native_decide is refused unless agents.allowNativeDecide; and while two replies
 * stream slowly, the editor's requests to Lean are answered at once.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "llm_peer.h"
#include "tap.h"

static const char *URI = "file:///tmp/hr/Retry.lean";
static const char *TEXT = "-- @fake proof: rfl\n"
                          "theorem alpha : 1 = 1 := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: rfl\n"
                          "theorem beta : 2 = 2 := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: rfl\n"
                          "theorem gamma : 3 = 3 := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: rfl\n"
                          "theorem delta : 4 = 4 := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: rfl\n"
                          "theorem stream_one : 5 = 5 := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: rfl\n"
                          "theorem stream_two : 6 = 6 := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: native_decide\n"
                          "theorem big : 10 < 100 := by\n"
                          "  sorry\n";

/* Entries are taken in order among those that match. */
static const char *SCRIPT =
    "{\"match\":\"`alpha`\",\"status\":503,\"message\":\"overloaded\"}\n"
    "{\"match\":\"`alpha`\",\"close\":\"before_headers\"}\n"
    "{\"match\":\"`alpha`\",\"close\":\"before_headers\"}\n"
    "{\"match\":\"`alpha`\",\"content\":\"```lean\\nrfl\\n```\"}\n"
    "{\"match\":\"`beta`\",\"status\":429,\"message\":\"slow down\",\"headers\":{\"Retry-After\":\"2\"}}\n"
    "{\"match\":\"`beta`\",\"content\":\"```lean\\nrfl\\n```\"}\n"
    "{\"match\":\"`gamma`\",\"status\":500,\"message\":\"boom\",\"times\":-1}\n"
    "{\"match\":\"`delta`\",\"delay_ms\":5000,\"content\":\"```lean\\nrfl\\n```\",\"times\":-1}\n"
    "{\"match\":\"`stream_one`\",\"stream\":true,\"chunks\":8,\"chunk_delay_ms\":120,"
    "\"content\":\"Thinking about it slowly, step by step.\\n```lean\\nrfl\\n```\"}\n"
    "{\"match\":\"`stream_two`\",\"stream\":true,\"chunks\":8,\"chunk_delay_ms\":120,"
    "\"content\":\"Thinking about it slowly, step by step.\\n```lean\\nrfl\\n```\"}\n"
    "{\"match\":\"`big`\",\"content\":\"```lean\\nnative_decide\\n```\",\"times\":-1}\n";

static char *
start_job(struct e2e *e, const char *name)
{
    char arg[256];
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"%s\"}", URI, name);
    const cJSON *r = e2e_command(e, "marathon.prove", arg);
    const char *id = cJSON_GetStringValue(test_json_path(r, "result.jobId"));
    return id ? strdup(id) : NULL;
}

/* The fake's record: t_ms of the requests whose body mentions `name`, in order. */
static int
request_times(const struct llm_peer *l, const char *name, double *t, int max)
{
    char needle[128];
    snprintf(needle, sizeof needle, "`%s`", name);
    char *all = test_read_file(l->record);
    int n = 0;
    for (char *line = all ? strtok(all, "\n") : NULL; line && n < max; line = strtok(NULL, "\n")) {
        if (!strstr(line, "\"path\"") || !strstr(line, needle))
            continue;
        cJSON *o = cJSON_Parse(line);
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "t_ms");
        if (cJSON_IsNumber(ms))
            t[n++] = ms->valuedouble;
        cJSON_Delete(o);
    }
    free(all);
    return n;
}

static int
job_int(const cJSON *job, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(job, member);
    return cJSON_IsNumber(v) ? (int)v->valuedouble : -1;
}

static int
start(struct e2e *e, const struct llm_peer *llm, const char *extra)
{
    if (e2e_start(e, NULL, NULL) < 0)
        return -1;
    char opts[2048];
    snprintf(opts, sizeof opts,
             "{\"marathon\":{\"llm\":{\"provider\":\"openai\",\"baseUrl\":\"http://127.0.0.1:%d/v1\","
             "\"model\":\"m\",\"apiKeyEnv\":\"LSP_PROXY_TEST_KEY\",\"retries\":2,\"timeoutMs\":1500},"
             "\"agents\":{\"tactics\":[],\"maxAttempts\":1,\"maxParallel\":4%s},\"onSave\":\"off\","
             "\"review\":{\"enabled\":false},\"stateDir\":\"%s/state\"}}",
             llm->port, extra, e->dir);
    e2e_initialize(e, NULL, opts);
    e2e_open(e, URI, TEXT);
    e2e_call(e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/hr/Retry.lean\",\"version\":1}",
             5000);
    return 0;
}

int
main(void)
{
    struct e2e e;
    struct llm_peer llm;
    setenv("LSP_PROXY_TEST_KEY", "sk-retry-test", 1);
    char dir[] = "/tmp/lsp-proxy-hr-XXXXXX";
    if (mkdtemp(dir) == NULL || llm_peer_start(&llm, dir, SCRIPT) < 0) {
        skip("http retries", "the fake LLM (tests/fake_llm) is not built");
        return done_testing();
    }
    if (start(&e, &llm, "") < 0) {
        skip("http retries", "binaries not built");
        llm_peer_stop(&llm);
        return done_testing();
    }
    double t[8];

    /* 503, then the connection closed before any response twice, then the reply. libcurl
     * itself resends at once, on a new connection, a request whose reused connection died
     * before any byte came back; the fresh connection's close is ours to retry. */
    char *id = start_job(&e, "alpha");
    cJSON *j = id ? e2e_job_wait(&e, id, 20000) : NULL;
    is_str(e2e_job_str(j, "state"), "succeeded", "alpha: proved after a 503 and dropped connections");
    is_int(job_int(j, "attempts"), 1, "retries are not prover rounds (one round)");
    cJSON_Delete(j);
    free(id);
    int n = request_times(&llm, "alpha", t, 8);
    is_int(n, 4, "alpha: four requests reached the endpoint");
    if (n == 4) {
        /* backoff 500 ms, then 1000 ms, each with jitter 0.75..1.25 */
        ok(t[1] - t[0] >= 350 && t[1] - t[0] <= 900, "a pause of about 500 ms before the first retry (%.0f ms)",
           t[1] - t[0]);
        ok(t[2] - t[1] < 300, "libcurl's own immediate resend on a dead reused connection (%.0f ms)",
           t[2] - t[1]);
        ok(t[3] - t[2] >= 700 && t[3] - t[2] <= 1600, "about 1000 ms before our second retry (%.0f ms)",
           t[3] - t[2]);
    }

    /* 429 with Retry-After: 2 */
    id = start_job(&e, "beta");
    j = id ? e2e_job_wait(&e, id, 20000) : NULL;
    is_str(e2e_job_str(j, "state"), "succeeded", "beta: proved after a 429");
    cJSON_Delete(j);
    free(id);
    n = request_times(&llm, "beta", t, 8);
    is_int(n, 2, "beta: two requests");
    if (n == 2)
        ok(t[1] - t[0] >= 1900, "Retry-After: 2 honoured (%.0f ms between them)", t[1] - t[0]);

    /* 500 every time: llm.retries 2 means three requests, then the job fails saying why */
    id = start_job(&e, "gamma");
    j = id ? e2e_job_wait(&e, id, 20000) : NULL;
    is_str(e2e_job_str(j, "state"), "failed", "gamma: fails when the retries are spent");
    is_contains(e2e_job_str(j, "message"), "500", "the message gives the status");
    cJSON_Delete(j);
    free(id);
    is_int(request_times(&llm, "gamma", t, 8), 3, "gamma: one request and two retries");

    /* a reply that takes 5 s against llm.timeoutMs 1500 */
    double t0 = test_now_ms();
    id = start_job(&e, "delta");
    j = id ? e2e_job_wait(&e, id, 20000) : NULL;
    double took = test_now_ms() - t0;
    is_str(e2e_job_str(j, "state"), "failed", "delta: a stalled endpoint fails the job");
    is_contains(e2e_job_str(j, "message"), "timed out after 1500 ms", "the message says it timed out");
    is_contains(e2e_job_str(j, "message"), "after 3 attempts", "after the retries");
    is_int(request_times(&llm, "delta", t, 8), 3, "delta: three attempts, each cut at 1.5 s");
    ok(took >= 4500 && took < 8500, "three timeouts and two pauses (%.0f ms)", took);
    cJSON_Delete(j);
    free(id);

    /* two slow streams (8 events 120 ms apart each) while the editor keeps asking Lean */
    char *s1 = start_job(&e, "stream_one"), *s2 = start_job(&e, "stream_two");
    ok(s1 && s2, "two streaming jobs started");
    double worst = 0;
    int answered = 0;
    for (int i = 0; i < 10; i++) {
        double a = test_now_ms();
        const cJSON *r = e2e_call(&e, "textDocument/hover",
                                  "{\"textDocument\":{\"uri\":\"file:///tmp/hr/Retry.lean\"},"
                                  "\"position\":{\"line\":1,\"character\":9}}",
                                  3000);
        double dt = test_now_ms() - a;
        if (r && cJSON_GetObjectItemCaseSensitive(r, "id"))
            answered++;
        if (dt > worst)
            worst = dt;
        usleep(100 * 1000);
    }
    is_int(answered, 10, "every hover answered while the replies stream");
    ok(worst < 250, "the slowest hover took %.0f ms (streams do not hold up the editor)", worst);
    n = 0;
    j = s1 ? e2e_job_wait(&e, s1, 20000) : NULL;
    n += j && strcmp(e2e_job_str(j, "state"), "succeeded") == 0;
    cJSON_Delete(j);
    j = s2 ? e2e_job_wait(&e, s2, 20000) : NULL;
    n += j && strcmp(e2e_job_str(j, "state"), "succeeded") == 0;
    cJSON_Delete(j);
    is_int(n, 2, "both streamed proofs verified");
    free(s1);
    free(s2);

    /* native_decide is refused before Lean by default */
    id = start_job(&e, "big");
    j = id ? e2e_job_wait(&e, id, 20000) : NULL;
    is_str(e2e_job_str(j, "state"), "failed", "big: a native_decide reply is refused by default");
    is_contains(e2e_job_str(j, "message"), "native_decide", "the refusal names it");
    cJSON_Delete(j);
    free(id);
    is_int(test_count_lines(e.record, "native_decide\\n\\n#print axioms big"), 0,
           "the refused candidate never reached Lean");
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);

    /* ... and checked by Lean, its axioms admitted, when agents.allowNativeDecide */
    if (start(&e, &llm, ",\"allowNativeDecide\":true") == 0) {
        id = start_job(&e, "big");
        j = id ? e2e_job_wait(&e, id, 20000) : NULL;
        is_str(e2e_job_str(j, "state"), "succeeded", "allowNativeDecide: the native_decide proof is accepted");
        is_str(e2e_job_str(j, "proof"), "native_decide", "the proof");
        cJSON_Delete(j);
        free(id);
        is_int(e2e_stop(&e), 0, "clean exit");
        e2e_free(&e);
    }
    llm_peer_stop(&llm);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    return done_testing();
}
