/*
 * End to end: the prove agent's tactic portfolio, verified by the fake Lean in shadow
 * documents (judge mode, tests/fake_lean/fl_judge.c). Plays the editor: marathon.prove,
 * window/workDoneProgress, marathon.status, the marathon-agent diagnostics, the "Apply
 * proof found" code action and its re-basing, autoApply through workspace/applyEdit,
 * cancellation, and that nothing about a shadow URI reaches the editor.
 */
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "tap.h"

static const char *URI = "file:///tmp/ag/Agents.lean";
static const char *TEXT = "theorem base : 1 = 1 := by\n"
                          "  rfl\n"
                          "\n"
                          "-- @fake proof: simp\n"
                          "theorem easy (n : Nat) : n + 0 = n := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: exact Nat.le_refl n\n"
                          "-- @fake try-this: exact Nat.le_refl n\n"
                          "theorem search (n : Nat) : n ≤ n := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: omega\n"
                          "-- @fake reject: omega could not prove the goal\n"
                          "theorem hard : 2 + 2 = 4 := by\n"
                          "  sorry\n";

static const char *CAPS = "{\"workspace\":{\"workspaceEdit\":{\"documentChanges\":true}},"
                          "\"window\":{\"workDoneProgress\":true},"
                          "\"lean\":{\"silentDiagnosticSupport\":true}}";
static const char *OPTS = "{\"marathon\":{\"agents\":{\"tactics\":[\"rfl\",\"simp\",\"exact?\"]},"
                          "\"onSave\":\"off\"}}";

static cJSON *
job_status(struct e2e *e, const char *id)
{
    return e2e_job(e, id);
}

static cJSON *
job_wait(struct e2e *e, const char *id)
{
    return e2e_job_wait(e, id, 10000);
}

static char *
prove(struct e2e *e, const char *command, const char *name)
{
    char arg[256];
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"%s\"}", URI, name);
    const cJSON *r = e2e_command(e, command, arg);
    const char *id = cJSON_GetStringValue(test_json_path(r, "result.jobId"));
    return id ? strdup(id) : NULL;
}

static const cJSON *
code_actions(struct e2e *e, int line)
{
    char params[512];
    snprintf(params, sizeof params,
             "{\"textDocument\":{\"uri\":\"%s\"},\"range\":{\"start\":{\"line\":%d,\"character\":2},"
             "\"end\":{\"line\":%d,\"character\":2}},\"context\":{\"diagnostics\":[]}}",
             URI, line, line);
    return test_json_path(e2e_call(e, "textDocument/codeAction", params, 5000), "result");
}

static const cJSON *
find_title(const cJSON *arr, const char *title)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "title"));
        if (t && strcmp(t, title) == 0)
            return it;
    }
    return NULL;
}

struct agent_diag {
    const char *code;
};

/* A publish for URI carrying a marathon-agent diagnostic with this code. */
static bool
has_agent_diag(const cJSON *msg, void *arg)
{
    struct agent_diag *want = arg;
    const cJSON *d;
    cJSON_ArrayForEach(d, test_json_path(msg, "params.diagnostics"))
    {
        const char *src = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "source"));
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "code"));
        if (src && strcmp(src, "marathon-agent") == 0 && code && strcmp(code, want->code) == 0)
            return true;
    }
    return false;
}

static bool
is_method(const cJSON *msg, void *arg)
{
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    return m && strcmp(m, arg) == 0;
}

/* A message with this method, received already or to come. */
static const cJSON *
seen_method(struct e2e *e, const char *method, int timeout_ms)
{
    return lsp_client_seen(e->c, 0, timeout_ms, is_method, (void *)method);
}

/* A publish for URI with a marathon-agent diagnostic of this code, received or to come. */
static const cJSON *
seen_agent_diag(struct e2e *e, struct agent_diag *want)
{
    return lsp_client_seen(e->c, 0, 5000, has_agent_diag, want);
}

/* Any message to the editor that mentions a shadow URI. */
static int
shadow_leaks(struct e2e *e)
{
    int n = 0;
    for (size_t i = 0; i < lsp_client_history_len(e->c); i++) {
        char *s = cJSON_PrintUnformatted(lsp_client_history(e->c, i));
        if (s && strstr(s, ".shadow") && strstr(s, "publishDiagnostics"))
            n++;
        if (s && strstr(s, ".shadow") && strstr(s, "fileProgress"))
            n++;
        free(s);
    }
    return n;
}

static void
test_portfolio(void)
{
    struct e2e e;
    if (e2e_start(&e, NULL, NULL) < 0) {
        skip("agents", "binaries not built");
        return;
    }
    e2e_initialize(&e, CAPS, OPTS);
    e2e_open(&e, URI, TEXT);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/ag/Agents.lean\",\"version\":1}", 5000);

    /* simp proves `easy`: a tactics job, a proposal, no edit yet */
    char *id = prove(&e, "marathon.prove", "easy");
    ok(id != NULL, "marathon.prove answers a jobId at once");
    const cJSON *create = seen_method(&e, "window/workDoneProgress/create", 5000);
    const char *token = cJSON_GetStringValue(test_json_path(create, "params.token"));
    ok(token && strncmp(token, "marathon/", 9) == 0, "progress token in the proxy's namespace");
    char reply[256];
    cJSON *cid = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(create, "id"), true);
    char *cids = cJSON_PrintUnformatted(cid);
    snprintf(reply, sizeof reply, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":null}", cids ? cids : "null");
    lsp_client_send(e.c, reply);
    free(cids);
    cJSON_Delete(cid);
    cJSON *j = job_wait(&e, id ? id : "");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state")), "succeeded", "easy: job succeeded");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind")), "tactics", "proved by the portfolio: kind tactics");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "proof")), "simp", "the verified proof is simp");
    ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "pending")), "autoApply off: the proof waits");
    cJSON_Delete(j);
    struct agent_diag found = {"agent.proof-found"};
    ok(seen_agent_diag(&e, &found) != NULL,
       "a marathon-agent information diagnostic says a proof was found");

    /* the shadow document: opened once, later candidates as ranged tail changes */
    ok(e2e_wait_record(&e, ".Agents.shadow1.lean", 1, 2000) >= 1, "Lean saw the shadow URI next to the file");
    ok(test_count_lines(e.record, "#print axioms easy") >= 1, "the shadow text ends with #print axioms");
    int opens = test_count_lines(e.record, "\"method\":\"textDocument/didOpen\"");
    is_int(opens, 2, "two didOpens: the file and one shadow document");
    ok(test_count_lines(e.record, "shadow1.lean\",\"version\":2},\"contentChanges\":[{\"range\"") >= 1 ||
           test_count_lines(e.record, "\"version\":2},\"contentChanges\":[{\"range\"") >= 1,
       "the second candidate is a ranged didChange");
    ok(test_count_lines(e.record, "didClose") >= 1, "the shadow document is closed when the job ends");
    is_int(shadow_leaks(&e), 0, "nothing about a shadow URI reached the editor");

    /* progress: begin, reports, end */
    int begins = 0, ends = 0, reports = 0;
    for (size_t i = 0; i < lsp_client_history_len(e.c); i++) {
        const cJSON *m = lsp_client_history(e.c, i);
        const char *meth = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "method"));
        if (!meth || strcmp(meth, "$/progress") != 0)
            continue;
        const char *k = cJSON_GetStringValue(test_json_path(m, "params.value.kind"));
        begins += k && strcmp(k, "begin") == 0;
        reports += k && strcmp(k, "report") == 0;
        ends += k && strcmp(k, "end") == 0;
    }
    is_int(begins, 1, "one progress begin");
    (void)reports; /* the job may end before the editor answers: reports are tested below */
    is_int(ends, 1, "one progress end");

    /* the code action carries the edit: only the body, against the version seen */
    const cJSON *acts = code_actions(&e, 5);
    const cJSON *apply = find_title(acts, "Apply proof found for `easy`");
    ok(apply != NULL, "\"Apply proof found for `easy`\" offered");
    const cJSON *ed = test_json_path(apply, "edit.documentChanges.0");
    is_int((int)cJSON_GetNumberValue(test_json_path(ed, "textDocument.version")), 1, "edit against version 1");
    is_str(cJSON_GetStringValue(test_json_path(ed, "edits.0.newText")), "\n  simp", "new body: the proof, indented");
    is_int((int)cJSON_GetNumberValue(test_json_path(ed, "edits.0.range.start.line")), 4, "edit starts on the statement's line (after `by`)");
    is_int((int)cJSON_GetNumberValue(test_json_path(ed, "edits.0.range.start.character")), 40, "right after `by`");
    is_int((int)cJSON_GetNumberValue(test_json_path(ed, "edits.0.range.end.line")), 5, "edit ends on the sorry line");
    is_int((int)cJSON_GetNumberValue(test_json_path(ed, "edits.0.range.end.character")), 7, "after `sorry`");
    is_int(cJSON_GetArraySize(test_json_path(ed, "edits")), 1, "one edit: nothing else touched");
    free(id);

    /* exact? -> Try this -> the suggestion is verified and becomes the proof */
    id = prove(&e, "marathon.prove", "search");
    j = job_wait(&e, id ? id : "");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state")), "succeeded", "search: succeeded");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "proof")), "exact Nat.le_refl n",
           "the Try this suggestion, never exact? itself");
    cJSON_Delete(j);
    free(id);

    /* nothing in the portfolio proves `hard`, and no LLM: failed, with Lean's words */
    id = prove(&e, "marathon.prove", "hard");
    j = job_wait(&e, id ? id : "");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state")), "failed", "hard: failed");
    is_contains(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message")), "no LLM is configured", "says why");
    cJSON_Delete(j);
    struct agent_diag failed = {"agent.failed"};
    ok(seen_agent_diag(&e, &failed) != NULL,
       "a marathon-agent warning for the failed job");
    ok(seen_method(&e, "window/showMessage", 2000) != NULL, "the user who asked is told");
    free(id);

    /* a proved node and an unknown node are refused with a message */
    char arg[256];
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"base\"}", URI);
    const cJSON *r = e2e_command(&e, "marathon.prove", arg);
    is_contains(cJSON_GetStringValue(test_json_path(r, "error.message")), "proved already", "proving a proved node: error");
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\",\"name\":\"easy\"}", URI);
    r = e2e_command(&e, "marathon.repair", arg);
    is_contains(cJSON_GetStringValue(test_json_path(r, "error.message")), "no Lean error", "repairing a sorry node: error");

    /* re-basing: a line inserted above moves the edit; a changed statement drops it */
    char *t2 = malloc(strlen(TEXT) + 32);
    snprintf(t2, strlen(TEXT) + 32, "-- a new first line\n%s", TEXT);
    e2e_change_full(&e, URI, 2, t2);
    acts = code_actions(&e, 6);
    apply = find_title(acts, "Apply proof found for `easy`");
    ed = test_json_path(apply, "edit.documentChanges.0");
    is_int((int)cJSON_GetNumberValue(test_json_path(ed, "textDocument.version")), 2, "re-based onto version 2");
    is_int((int)cJSON_GetNumberValue(test_json_path(ed, "edits.0.range.start.line")), 5, "one line lower");
    char *t3 = strdup(t2);
    char *at = strstr(t3, "n + 0 = n");
    memcpy(at, "0 + n = n", 9);
    e2e_change_full(&e, URI, 3, t3);
    acts = code_actions(&e, 6);
    ok(find_title(acts, "Apply proof found for `easy`") == NULL, "statement changed: the proposal is gone");
    free(t2);
    free(t3);

    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);
}

/* autoApply: the proof arrives as workspace/applyEdit; cancel stops a slow job. */
static void
test_auto_apply_and_cancel(void)
{
    struct e2e e;
    const char *fake_args[] = {"--report-delay-ms", "300", NULL};
    if (e2e_start(&e, NULL, fake_args) < 0) {
        skip("agents", "binaries not built");
        return;
    }
    e2e_initialize(&e, CAPS,
                   "{\"marathon\":{\"agents\":{\"tactics\":[\"rfl\",\"simp\"],\"autoApply\":true},"
                   "\"onSave\":\"off\"}}");
    e2e_open(&e, URI, TEXT);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/ag/Agents.lean\",\"version\":1}", 5000);
    size_t mark = lsp_client_history_len(e.c);
    char *id = prove(&e, "marathon.prove", "easy");
    const cJSON *create = lsp_client_seen(e.c, mark, 5000, is_method, (void *)"window/workDoneProgress/create");
    char *cid = create ? cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(create, "id")) : NULL;
    char creply[128];
    snprintf(creply, sizeof creply, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":null}", cid ? cid : "null");
    lsp_client_send(e.c, creply);
    free(cid);
    const cJSON *req = seen_method(&e, "workspace/applyEdit", 10000 * VALGRIND_SCALE);
    ok(req != NULL, "autoApply: workspace/applyEdit sent");
    const cJSON *ed = test_json_path(req, "params.edit.documentChanges.0");
    is_int((int)cJSON_GetNumberValue(test_json_path(ed, "textDocument.version")), 1, "against the version the job started from");
    is_str(cJSON_GetStringValue(test_json_path(ed, "edits.0.newText")), "\n  simp", "the body only");
    const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "id"));
    ok(rid && strncmp(rid, "marathon:", 9) == 0, "request id in the proxy's namespace");
    char reply[128];
    snprintf(reply, sizeof reply, "{\"jsonrpc\":\"2.0\",\"id\":\"%s\",\"result\":{\"applied\":true}}", rid ? rid : "");
    lsp_client_send(e.c, reply);
    cJSON *j = job_wait(&e, id ? id : "");
    is_contains(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message")), "applied", "job says applied");
    ok(!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "pending")), "nothing left pending");
    cJSON_Delete(j);
    free(id);
    int begins = 0, reports = 0, ends = 0;
    for (size_t i = mark; i < lsp_client_history_len(e.c); i++) {
        const cJSON *m = lsp_client_history(e.c, i);
        if (!is_method(m, (void *)"$/progress"))
            continue;
        const char *k = cJSON_GetStringValue(test_json_path(m, "params.value.kind"));
        const char *msg = cJSON_GetStringValue(test_json_path(m, "params.value.message"));
        begins += k && strcmp(k, "begin") == 0 && cJSON_IsTrue(test_json_path(m, "params.value.cancellable"));
        reports += k && strcmp(k, "report") == 0 && msg && strstr(msg, "`rfl`") &&
                   cJSON_IsNumber(test_json_path(m, "params.value.percentage"));
        ends += k && strcmp(k, "end") == 0 && msg && strstr(msg, "applied");
    }
    is_int(begins, 1, "progress begin, cancellable");
    is_int(reports, 1, "a report for the failed candidate rfl, with a percentage");
    is_int(ends, 1, "progress end says what happened");

    /* cancel while Lean (slow here) checks the first candidate */
    id = prove(&e, "marathon.prove", "hard");
    usleep(50000);
    const cJSON *r = e2e_command(&e, "marathon.cancel", "{}");
    is_int((int)cJSON_GetNumberValue(test_json_path(r, "result.cancelled")), 1, "one job cancelled");
    j = job_status(&e, id ? id : "");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state")), "cancelled", "state cancelled");
    cJSON_Delete(j);
    usleep(700000);
    j = job_status(&e, id ? id : "");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state")), "cancelled", "stays cancelled after Lean answers");
    cJSON_Delete(j);
    free(id);

    /* Lean crashes while it checks a candidate: the job waits for the restart and checks
     * the candidate again in a re-opened shadow document; a job started while Lean is
     * down waits too */
    id = prove(&e, "marathon.prove", "hard");
    usleep(50000);
    lsp_client_notify(e.c, "$/fake/crash", "{\"code\":3}");
    usleep(20000);
    char *id2 = prove(&e, "marathon.prove", "easy");
    j = job_wait(&e, id ? id : "");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state")), "failed", "hard: failed in the end");
    is_contains(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message")), "omega could not prove",
                "after the restart Lean judged the candidates (not: Lean exited)");
    cJSON_Delete(j);
    j = job_wait(&e, id2 ? id2 : "");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state")), "succeeded", "a job started during the restart succeeds");
    cJSON_Delete(j);
    ok(e2e_wait_record(&e, "fake_lean_start", 2, 1000) >= 2 || test_count_lines(e.record, "\"method\":\"initialize\"") >= 2,
       "Lean was restarted");
    free(id);
    free(id2);
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);
}

static int
count_jobs(struct e2e *e, const char *name)
{
    const cJSON *r = e2e_command(e, "marathon.status", "{}");
    const cJSON *it;
    int n = 0;
    cJSON_ArrayForEach(it, test_json_path(r, "result.jobs"))
    {
        const char *jn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "name"));
        n += jn && strcmp(jn, name) == 0;
    }
    return n;
}

/* proveLeaves runs the leaves in parallel, bounded by agents.maxParallel; a save tries the
 * portfolio on leaves whose text changed, and only on those. */
static void
test_leaves_and_save(void)
{
    struct e2e e;
    const char *fake_args[] = {"--report-delay-ms", "100", NULL};
    if (e2e_start(&e, NULL, fake_args) < 0) {
        skip("agents", "binaries not built");
        return;
    }
    e2e_initialize(&e, NULL,
                   "{\"marathon\":{\"agents\":{\"tactics\":[\"rfl\",\"simp\"],\"maxParallel\":2},"
                   "\"onSave\":\"tactics\"}}");
    e2e_open(&e, URI, TEXT);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/ag/Agents.lean\",\"version\":1}", 5000);
    char arg[256];
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\"}", URI);
    const cJSON *r = e2e_command(&e, "marathon.proveLeaves", arg);
    const cJSON *ids = test_json_path(r, "result.jobIds");
    is_int(cJSON_GetArraySize(ids), 3, "a job per dynamic leaf (easy, search, hard)");
    char *last = ids ? strdup(test_str(cJSON_GetStringValue(cJSON_GetArrayItem(ids, 2)))) : strdup("");
    cJSON *j = job_wait(&e, last);
    cJSON_Delete(j);
    for (int i = 0; i < 3; i++)
        cJSON_Delete(job_wait(&e, test_str(cJSON_GetStringValue(cJSON_GetArrayItem(ids, i)))));
    ok(test_count_lines(e.record, ".Agents.shadow2.lean") >= 1, "two shadow documents at once");
    is_int(test_count_lines(e.record, ".Agents.shadow3.lean"), 0, "never more than agents.maxParallel");
    free(last);

    /* a save with nothing changed tries nothing again */
    char save[256];
    snprintf(save, sizeof save, "{\"textDocument\":{\"uri\":\"%s\"}}", URI);
    lsp_client_notify(e.c, "textDocument/didSave", save);
    usleep(300000);
    is_int(count_jobs(&e, "hard"), 1, "unchanged node: no second job on save");
    ok(test_count_lines(e.record, "didSave") >= 1, "didSave still reaches Lean");

    /* hard's statement changes (and rfl now proves it): the save runs the portfolio on it alone */
    char *t2 = strdup(TEXT);
    char *at = strstr(t2, "proof: omega");
    memcpy(at, "proof: rfl  ", 12);
    char *t3 = malloc(strlen(t2) + 16);
    at = strstr(t2, "2 + 2 = 4");
    snprintf(t3, strlen(t2) + 16, "%.*s(2 + 2) = 4%s", (int)(at - t2), t2, at + 9);
    e2e_change_full(&e, URI, 2, t3);
    e2e_call(&e, "textDocument/waitForDiagnostics", "{\"uri\":\"file:///tmp/ag/Agents.lean\",\"version\":2}", 5000);
    lsp_client_notify(e.c, "textDocument/didSave", save);
    double until = test_now_ms() + 5000 * VALGRIND_SCALE;
    while (count_jobs(&e, "hard") < 2 && test_now_ms() < until)
        usleep(20000);
    is_int(count_jobs(&e, "hard"), 2, "changed node: a job on save");
    is_int(count_jobs(&e, "easy"), 1, "unchanged easy: none");
    const cJSON *st = e2e_command(&e, "marathon.status", "{}");
    const char *hid = cJSON_GetStringValue(test_json_path(st, "result.jobs.0.id"));
    j = job_wait(&e, test_str(hid));
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind")), "tactics", "on save: kind tactics");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "state")), "succeeded", "on save: proved by rfl");
    cJSON_Delete(j);
    free(t2);
    free(t3);
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);
}

int
main(void)
{
    test_portfolio();
    test_auto_apply_and_cancel();
    test_leaves_and_save();
    return done_testing();
}
