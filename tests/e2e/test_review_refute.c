/*
 * End to end: the review's refutation check. Before asking the reviewer, the proxy asks
 * Lean whether `decide` proves the negation of the statement over small instances
 * (`example : ¬ (∀ n < 8, …) := by decide` in a shadow document): when it does, the
 * statement is false and the review finds `review.too-strong` with no LLM request. Checks
 * the proposition built from each form of head (ℕ, Bool, Fin k, hypotheses, implicit
 * binders, a closed statement), the heads it is not tried on (real numbers, instances, too
 * many variables), that a statement `decide` does not refute goes on to the reviewer, and
 * that the finding is cached: a restarted proxy asks nothing again. And review on save is
 * debounced (review.debounceMs): three quick saves of new statements cost one request, for
 * the last text.
 */
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "llm_peer.h"
#include "tap.h"

static const char *URI = "file:///tmp/rr/Refute.lean";
/* the fake judge accepts `decide` on a negation only where a marker says so */
static const char *TEXT = "-- @fake proof: decide\n"
                          "theorem sq_gt (n : ℕ) (h : 0 < n) : n * n > n := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: decide\n"
                          "theorem all_true {b : Bool} : b = true := by\n"
                          "  sorry\n"
                          "\n"
                          "-- @fake proof: decide\n"
                          "theorem two_two : 2 + 2 = 5 := by\n"
                          "  sorry\n"
                          "\n"
                          "theorem fin_ok (i : Fin 3) (j k : Nat) : i.val + j + k ≥ 0 := by\n"
                          "  sorry\n"
                          "\n"
                          "theorem real_ok (x : ℝ) : x = x := by\n"
                          "  sorry\n"
                          "\n"
                          "theorem many (a b c d : ℕ) : a + b + c + d ≥ a := by\n"
                          "  sorry\n"
                          "\n"
                          "theorem inst_ok {α : Type} [Inhabited α] (n : ℕ) : n = n := by\n"
                          "  sorry\n";

static const char *SCRIPT = "{\"match\":\"Review the statement of\",\"content\":"
                            "\"{\\\"verdict\\\":\\\"faithful\\\",\\\"findings\\\":[]}\",\"times\":-1}\n";

/* "code@line" of the marathon-review diagnostics of the newest publish for URI. */
static void
last_review_diags(struct e2e *e, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = lsp_client_history_len(e->c); i-- > 0;) {
        const cJSON *msg = lsp_client_history(e->c, i);
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
        const char *u = cJSON_GetStringValue(test_json_path(msg, "params.uri"));
        if (!m || strcmp(m, "textDocument/publishDiagnostics") != 0 || !u || strcmp(u, URI) != 0)
            continue;
        char items[16][96];
        int n = 0;
        const cJSON *d;
        cJSON_ArrayForEach(d, test_json_path(msg, "params.diagnostics"))
        {
            const char *src = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "source"));
            const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "code"));
            if (!src || strcmp(src, "marathon-review") != 0 || !code || n == 16)
                continue;
            snprintf(items[n++], sizeof items[0], "%s@%d", code,
                     (int)cJSON_GetNumberValue(test_json_path(d, "range.start.line")));
        }
        qsort(items, (size_t)n, sizeof items[0], (int (*)(const void *, const void *))strcmp);
        for (int k = 0; k < n; k++) {
            size_t l = strlen(out), w = strlen(items[k]);
            if (l + w + 2 > cap)
                break;
            if (k)
                out[l++] = ' ';
            memcpy(out + l, items[k], w + 1);
        }
        return;
    }
}

static bool
any(const cJSON *msg, void *arg)
{
    (void)msg;
    (void)arg;
    return true;
}

static bool
wait_diags(struct e2e *e, const char *want, int timeout_ms)
{
    double end = test_now_ms() + timeout_ms * VALGRIND_SCALE;
    char got[1024];
    while (test_now_ms() < end) {
        last_review_diags(e, got, sizeof got);
        if (strcmp(got, want) == 0)
            return true;
        lsp_client_wait(e->c, 200, any, NULL);
    }
    diag("review diagnostics: got '%s', want '%s'", got, want);
    return false;
}

/* The message of the marathon-review diagnostic on line ln of the newest publish. */
static char *
diag_message(struct e2e *e, int ln)
{
    for (size_t i = lsp_client_history_len(e->c); i-- > 0;) {
        const cJSON *msg = lsp_client_history(e->c, i);
        const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
        if (!m || strcmp(m, "textDocument/publishDiagnostics") != 0)
            continue;
        const cJSON *d;
        cJSON_ArrayForEach(d, test_json_path(msg, "params.diagnostics"))
        {
            const char *src = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "source"));
            if (src && strcmp(src, "marathon-review") == 0 &&
                (int)cJSON_GetNumberValue(test_json_path(d, "range.start.line")) == ln)
                return strdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "message")));
        }
        return NULL;
    }
    return NULL;
}

/* Waits until the DAG shows review state `want` for name. */
static bool
wait_review(struct e2e *e, const char *name, const char *want, int timeout_ms)
{
    double end = test_now_ms() + timeout_ms * VALGRIND_SCALE;
    char arg[256];
    snprintf(arg, sizeof arg, "{\"uri\":\"%s\"}", URI);
    while (test_now_ms() < end) {
        const cJSON *r = e2e_command(e, "marathon.dag", arg);
        const cJSON *n;
        cJSON_ArrayForEach(n, test_json_path(r, "result.nodes"))
        {
            const char *nm = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n, "name"));
            const char *rv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n, "review"));
            if (nm && rv && strcmp(nm, name) == 0 && strcmp(rv, want) == 0)
                return true;
        }
        lsp_client_wait(e->c, 100, any, NULL);
    }
    return false;
}

static int
requests_for(const struct llm_peer *l, const char *name)
{
    char needle[96];
    snprintf(needle, sizeof needle, "Review the statement of `%s`", name);
    return test_count_lines(l->record, needle);
}

static void
session(struct e2e *e, const struct llm_peer *llm, const char *state_dir)
{
    char opts[2048];
    snprintf(opts, sizeof opts,
             "{\"marathon\":{\"llm\":{\"provider\":\"openai\",\"baseUrl\":\"http://127.0.0.1:%d/v1\","
             "\"model\":\"m\",\"retries\":0},\"review\":{\"enabled\":true,\"debounceMs\":%d},"
             "\"stateDir\":\"%s\",\"agents\":{\"tactics\":[]},\"onSave\":\"off\"}}",
             llm->port, 600 * VALGRIND_SCALE, state_dir);
    e2e_initialize(e, NULL, opts);
    e2e_open(e, URI, TEXT);
}

#define WANT "review.too-strong@1 review.too-strong@5 review.too-strong@9"

int
main(void)
{
    struct e2e e;
    struct llm_peer llm;
    if (e2e_start(&e, NULL, NULL) < 0) {
        skip("refutation", "binaries not built");
        return done_testing();
    }
    if (llm_peer_start(&llm, e.dir, SCRIPT) < 0) {
        skip("refutation", "the fake LLM is not built");
        e2e_free(&e);
        return done_testing();
    }
    char state_dir[600];
    snprintf(state_dir, sizeof state_dir, "%s/state", e.dir);
    session(&e, &llm, state_dir);
    ok(wait_diags(&e, WANT, 10000), "the three false statements are found false, the rest pass");
    ok(wait_review(&e, "fin_ok", "faithful", 10000) && wait_review(&e, "real_ok", "faithful", 10000) &&
           wait_review(&e, "many", "faithful", 10000) && wait_review(&e, "inst_ok", "faithful", 10000),
       "the others reviewed faithful");

    /* what Lean was asked */
    ok(test_count_lines(e.record, "example : ¬ (∀ n < 8, ∀ h : (0 < n), (n * n > n))") >= 1,
       "ℕ bounded below 8, the hypothesis an implication");
    ok(test_count_lines(e.record, "example : ¬ (∀ b : Bool, (b = true)) := by decide") >= 1,
       "an implicit Bool over its two values");
    ok(test_count_lines(e.record, "example : ¬ ((2 + 2 = 5)) := by decide") >= 1,
       "a closed statement as it is");
    ok(test_count_lines(e.record, "example : ¬ (∀ i : Fin 3, ∀ j < 8, ∀ k < 8, (i.val + j + k ≥ 0))") >= 1,
       "Fin 3 over its values, two ℕ variables bounded");
    is_int(test_count_lines(e.record, "example : ¬ (∀ x"), 0, "not tried over ℝ");
    is_int(test_count_lines(e.record, "example : ¬ (∀ a < 8, ∀ b < 8, ∀ c < 8, ∀ d"), 0,
           "not tried on four ℕ variables (not cheap)");
    is_int(test_count_lines(e.record, "Inhabited α] (n : ℕ) : n = n := by decide"), 0,
           "not tried with an instance binder");

    /* no LLM for the refuted ones; the reviewer for the others */
    is_int(requests_for(&llm, "sq_gt"), 0, "sq_gt: no LLM request");
    is_int(requests_for(&llm, "all_true"), 0, "all_true: no LLM request");
    is_int(requests_for(&llm, "two_two"), 0, "two_two: no LLM request");
    is_int(requests_for(&llm, "fin_ok"), 1, "fin_ok: not refuted, so reviewed");
    is_int(requests_for(&llm, "real_ok"), 1, "real_ok: reviewed");
    is_int(requests_for(&llm, "many"), 1, "many: reviewed");
    char *m = diag_message(&e, 1);
    is_contains(m, "Lean refutes the statement", "the message says Lean refutes it");
    is_contains(m, "¬ (∀ n < 8, ∀ h : (0 < n), (n * n > n))", "and shows the proposition");
    free(m);
    is_int(e2e_stop(&e), 0, "clean exit");
    e2e_free(&e);

    /* the findings are cached: a new proxy on the same state asks neither Lean nor the LLM */
    int before = llm_peer_requests(&llm);
    if (e2e_start(&e, NULL, NULL) == 0) {
        session(&e, &llm, state_dir);
        ok(wait_diags(&e, WANT, 10000), "after a restart: the same findings");
        is_int(test_count_lines(e.record, "example : ¬ ("), 0, "from the cache: no refutation check");
        is_int(llm_peer_requests(&llm), before, "and no LLM request");

        /* three saves 150 ms apart, each with a new statement of real_ok: one review */
        const char *texts[] = {"x + 0 = x", "x * 1 = x", "x - 0 = x"};
        char save[256];
        snprintf(save, sizeof save, "{\"textDocument\":{\"uri\":\"%s\"}}", URI);
        for (int k = 0; k < 3; k++) {
            char *t = malloc(strlen(TEXT) + 32);
            const char *at = strstr(TEXT, "x = x");
            sprintf(t, "%.*s%s%s", (int)(at - TEXT), TEXT, texts[k], at + strlen("x = x"));
            e2e_change_full(&e, URI, 2 + k, t);
            lsp_client_notify(e.c, "textDocument/didSave", save);
            free(t);
            lsp_client_wait(e.c, 150, any, NULL);
            lsp_client_wait(e.c, 150, any, NULL);
        }
        is_int(requests_for(&llm, "real_ok"), 1, "no review while the saves come");
        double end = test_now_ms() + 2000 * VALGRIND_SCALE;
        while (requests_for(&llm, "real_ok") < 2 && test_now_ms() < end)
            lsp_client_wait(e.c, 100, any, NULL);
        is_int(requests_for(&llm, "real_ok"), 2, "one request for the three saves");
        ok(test_count_lines(llm.record, "(x : ℝ) : x - 0 = x") >= 1, "for the last text");
        is_int(test_count_lines(llm.record, "(x : ℝ) : x + 0 = x") + test_count_lines(llm.record, "(x : ℝ) : x * 1 = x"),
               0, "never the texts in between");
        is_int(e2e_stop(&e), 0, "clean exit");
        e2e_free(&e);
    }
    llm_peer_stop(&llm);
    return done_testing();
}
