/*
 * citations_gate (src/citations.h): the node's `proof` citations follow what the new proof
 * uses, and an edit that adds a contract finding at error severity is refused.
 */
#include <stdlib.h>
#include <string.h>

#include "citations.h"
#include "tap.h"
#include "xalloc.h"

#define NODE(label, name, proof, body)                                                            \
    "@[blueprint \"" label "\"\n  (statement := /-- S. -/)\n  (proof := /-- " proof " -/)\n"        \
    "  (title := /-- T -/)\n  (latexEnv := \"lemma\")]\nlemma " name " : 1 = 1 := by\n  " body "\n\n"

#define THM(label, name, proof, body)                                                             \
    "@[blueprint \"" label "\"\n  (statement := /-- S. -/)\n  (proof := /-- " proof " -/)\n"        \
    "  (title := /-- T -/)\n  (latexEnv := \"theorem\")]\ntheorem " name " : 1 = 1 := by\n  " body "\n"

/* Runs the gate on old -> new for `name` (the node at the last "@[blueprint" of new). */
static int
gate(const char *old, const char *new_text, const char *name, struct citations_result *r)
{
    const char *at = strstr(new_text, "@[blueprint \"thm:");
    const char *by = strstr(at, ":= by\n") + 5;
    return citations_gate(old, strlen(old), (size_t)(by - at), new_text, strlen(new_text),
                          (size_t)(at - new_text), name, BP_PROFILE_STRICT, r);
}

int
main(void)
{
    struct citations_result r;
    const char *a = NODE("lem:one", "one", "Trivial.", "rfl") NODE("lem:two", "two", "Trivial.", "rfl");

    /* a dependency added: its citation appended */
    char *old = xasprintf("%s%s%s", a, THM("thm:main", "main", "Easy.", "sorry_using [one]"), "\n");
    char *nw = xasprintf("%s%s%s", a, THM("thm:main", "main", "Easy.", "exact one"), "\n");
    is_int(gate(old, nw, "main", &r), 0, "accepted");
    is_str(r.proof_text, "Easy. It uses \\cref{lem:one}.", "the missing citation appended");
    ok(r.proof_start > 0 && r.proof_end > r.proof_start, "the span of the proof text");
    is_int((int)(r.proof_end - r.proof_start), 5, "it replaces `Easy.`");
    citations_result_release(&r);
    free(old);
    free(nw);

    /* a stale label dropped from a comma list; a \Cref kept; two added with "and" */
    const char *b = NODE("lem:one", "one", "T.", "rfl") NODE("lem:two", "two", "T.", "rfl")
        NODE("lem:three", "three", "T.", "rfl") NODE("lem:four", "four", "T.", "rfl");
    old = xasprintf("%s%s", b,
                    THM("thm:main", "main", "By \\cref{lem:one, lem:two} and \\Cref{lem:three}.",
                        "sorry_using [one, two, three, four]"));
    nw = xasprintf("%s%s", b,
                    THM("thm:main", "main", "By \\cref{lem:one, lem:two} and \\Cref{lem:three}.",
                        "have := four\n  have := three\n  exact one"));
    /* two is now used by nobody: a closeness warning, not a refusal */
    is_int(gate(old, nw, "main", &r), 0, "accepted though `two` becomes unused");
    is_str(r.proof_text, "By \\cref{lem:one} and \\Cref{lem:three}. It uses \\cref{lem:four}.",
           "lem:two dropped from the list, lem:four added");
    is_contains(r.warnings, "blueprint.closeness", "the new warning is reported");
    ok(r.problems == NULL, "no error");
    citations_result_release(&r);
    free(old);
    free(nw);

    /* the only label of a \cref dropped, with the space before it */
    old = xasprintf("%s%s", a, THM("thm:main", "main", "Use \\cref{lem:two}.", "sorry_using [one, two]"));
    nw = xasprintf("%s%s", a, THM("thm:main", "main", "Use \\cref{lem:two}.", "have := two\n  exact one"));
    is_int(gate(old, nw, "main", &r), 0, "accepted");
    is_str(r.proof_text, "Use \\cref{lem:two}. It uses \\cref{lem:one}.", "nothing dropped while used");
    citations_result_release(&r);
    free(nw);
    nw = xasprintf("%s%s", a, THM("thm:main", "main", "Use \\cref{lem:two}.", "exact one"));
    is_int(gate(old, nw, "main", &r), 0, "accepted (two unused: a warning)");
    is_str(r.proof_text, "Use. It uses \\cref{lem:one}.", "the whole \\cref goes when its only label does");
    citations_result_release(&r);
    free(old);
    free(nw);

    /* citations already right: nothing to change */
    old = xasprintf("%s%s", a, THM("thm:main", "main", "By \\cref{lem:one, lem:two}.", "sorry_using [one, two]"));
    nw = xasprintf("%s%s", a, THM("thm:main", "main", "By \\cref{lem:one, lem:two}.", "have := two\n  exact one"));
    is_int(gate(old, nw, "main", &r), 0, "accepted");
    ok(r.proof_text == NULL && r.warnings == NULL, "nothing changes, nothing to report");
    citations_result_release(&r);
    free(nw);

    /* a bare helper: refused, the finding named */
    nw = xasprintf("%slemma helper : 1 = 1 := rfl\n\n%s", a,
                    THM("thm:main", "main", "By \\cref{lem:one, lem:two}.", "have := two\n  have := helper\n  exact one"));
    is_int(gate(old, nw, "main", &r), -1, "a bare helper in a strict blueprint: refused");
    is_contains(r.problems, "blueprint.bare-declaration", "the finding it would add");
    ok(r.proof_text == NULL, "no citation change offered");
    citations_result_release(&r);
    free(old);
    free(nw);

    /* not a blueprint: always accepted, nothing changed */
    is_int(citations_gate("theorem x : 1 = 1 := by\n  sorry\n", 33, 26, "theorem x : 1 = 1 := by\n  rfl\n", 31,
                          0, "x", BP_PROFILE_STRICT, &r),
           0, "a plain file: accepted");
    ok(r.proof_text == NULL && r.problems == NULL, "untouched");
    citations_result_release(&r);
    return done_testing();
}
