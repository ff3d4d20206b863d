/* context: what an agent is shown of a node's surroundings (LaTeX texts, deps, the file in
 * scope with earlier proofs elided, the cap). */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "context.h"
#include "documents.h"
#include "tap.h"

static const char *const FILE1 =
    "import Mathlib\n"
    "open Real\n"
    "variable (x : ℝ)\n"
    "\n"
    "def sq (n : ℕ) : ℕ := n * n\n"
    "\n"
    "@[blueprint \"lem:a\" (statement := /-- $a = a$ for all \\cref{def:sq}. -/)]\n"
    "lemma a_self (n : ℕ) : sq n = sq n := by\n"
    "  rfl\n"
    "\n"
    "@[blueprint \"lem:b\" (statement := /-- Zero is small. -/)]\n"
    "lemma b_zero : sq 0 = 0 := by\n"
    "  sorry\n"
    "\n"
    "@[blueprint \"thm:c\"\n"
    "  (statement := /-- The main claim: $|x| \\ge 0$. -/)\n"
    "  (proof := /-- Use \\cref{lem:a} and \\cref{lem:b}. -/)]\n"
    "theorem c_main : sq 0 = sq 0 ∧ sq 0 = 0 := by\n"
    "  sorry_using [a_self, b_zero]\n";

static struct analysis *
analyse(struct documents *ds, const char *uri, const char *text, struct document **doc)
{
    *doc = documents_open(ds, uri, "lean4", 1, text, strlen(text), NULL);
    return analysis_new(text, strlen(text), BP_PROFILE_AUTO);
}

int
main(void)
{
    struct documents *ds = documents_new();
    struct document *doc;
    struct analysis *a = analyse(ds, "file:///p/A.lean", FILE1, &doc);
    const struct analysis_node *c_main = analysis_node_by_name(a, "c_main");
    ok(c_main != NULL, "the theorem is a node");

    struct context *c = context_new(doc, a, c_main, 24000);
    is_str(c->latex_statement, "The main claim: $|x| \\ge 0$.", "its LaTeX statement");
    is_str(c->latex_proof, "Use \\cref{lem:a} and \\cref{lem:b}.", "its proof sketch");
    is_int((int)c->ndeps, 2, "two deps (the sorry_using list)");
    if (c->ndeps == 2) {
        is_str(c->deps[0].name, "a_self", "dep 1");
        is_str(c->deps[0].status, "proved", "dep 1 is proved");
        ok(c->deps[0].statement && strstr(c->deps[0].statement, "@[blueprint \"lem:a\"") &&
               strstr(c->deps[0].statement, "sq n = sq n := by"),
           "dep 1's statement: attribute through `:= by`");
        ok(c->deps[0].statement && !strstr(c->deps[0].statement, "rfl"), "but not its proof");
        is_str(c->deps[1].status, "sorry", "dep 2 is a placeholder");
    }
    is_contains(c->file, "import Mathlib\nopen Real\nvariable (x : ℝ)\n", "the preamble verbatim");
    is_contains(c->file, "def sq (n : ℕ) : ℕ := n * n\n", "definitions whole");
    is_contains(c->file, "lemma a_self (n : ℕ) : sq n = sq n := by\n  -- (proof omitted)\n\n@[",
                "an earlier proof elided, one blank line kept");
    ok(strstr(c->file, "rfl") == NULL, "no earlier proof text");
    ok(strstr(c->file, "sorry\n") == NULL, "nor an earlier placeholder");
    ok(strstr(c->file, "c_main") == NULL, "the node itself is not in the file part");
    is_int((int)c->file_omitted, 0, "nothing cut under the cap");
    context_free(c);

    char *st = context_statement(doc, c_main);
    ok(st && strncmp(st, "@[blueprint \"thm:c\"", 19) == 0, "statement: from the attribute");
    ok(st && strlen(st) > 5 && strcmp(st + strlen(st) - 5, ":= by") == 0,
       "statement: to `:= by`, no trailing space");
    free(st);

    /* a node without blueprint fields, no deps */
    const struct analysis_node *b = analysis_node_by_name(a, "b_zero");
    c = context_new(doc, a, b, 24000);
    ok(c->latex_proof == NULL, "no proof sketch when the attribute has none");
    is_str(c->latex_statement, "Zero is small.", "b's statement");
    is_int((int)c->ndeps, 0, "no deps");
    is_contains(c->file, "-- (proof omitted)", "a_self elided before b");
    context_free(c);

    /* the cap: a long file keeps its preamble and its end */
    size_t n = 400;
    size_t cap = 64 * n + 400;
    char *big = malloc(cap);
    size_t at = (size_t)sprintf(big, "import Mathlib\nopen Nat\n\n");
    for (size_t i = 0; i < n; i++)
        at += (size_t)sprintf(big + at, "def d%zu : ℕ := %zu\n", i, i);
    at += (size_t)sprintf(big + at, "\ntheorem last : d0 = 0 := by\n  sorry\n");
    struct document *bd;
    struct analysis *ba = analyse(ds, "file:///p/B.lean", big, &bd);
    c = context_new(bd, ba, analysis_node_by_name(ba, "last"), 2000);
    ok(strlen(c->file) <= 2000 + 64, "the file part stays near the cap (%zu bytes)",
       strlen(c->file));
    ok(strncmp(c->file, "import Mathlib\nopen Nat\n", 24) == 0, "the preamble kept");
    is_contains(c->file, "-- … (part of the file left out) …", "a marker where text is cut");
    is_contains(c->file, "def d399 : ℕ := 399\n", "the last definition kept");
    ok(strstr(c->file, "def d0 :") == NULL, "the first definitions cut");
    ok(c->file_omitted > 0, "the cut is reported (%zu bytes)", c->file_omitted);
    const char *mark = strstr(c->file, "-- …");
    ok(mark && mark[-1] == '\n', "the cut falls at a line start");
    context_free(c);
    analysis_free(ba);
    free(big);

    analysis_free(a);
    documents_free(ds);
    return done_testing();
}
