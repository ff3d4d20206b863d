/* edits: a node's new body as text edits; shadow's pure helpers (URI, axioms line). */
#include <stdlib.h>
#include <string.h>

#include "edits.h"
#include "shadow.h"
#include "tap.h"

static void
body(const char *text, const char *at, const char *script, unsigned indent, const char *want,
     const char *what)
{
    size_t start = (size_t)(strstr(text, at) - text);
    size_t anchor = edits_body_anchor(text, start);
    char *got = edits_body_text(text, anchor, script, indent);
    is_str(got, want, "%s", what);
    free(got);
}

int
main(void)
{
    const char *t1 = "theorem a : P := by\n  sorry\n";
    size_t s1 = (size_t)(strstr(t1, "sorry") - t1);
    is_int((int)edits_body_anchor(t1, s1), (int)(strstr(t1, "by") - t1 + 2), "anchor: right after `by`");
    body(t1, "sorry", "simp", 0, "\n  simp", "after `by`: a new line, indented");
    body(t1, "sorry", "intro n\ninduction n with\n| zero => simp\n\n| succ k ih => omega", 0,
         "\n  intro n\n  induction n with\n  | zero => simp\n\n  | succ k ih => omega",
         "several lines, blank lines kept without trailing blanks");
    body("theorem a : P := foo\n", "foo", "simp", 0, " by\n  simp", "after a bare `:=`: ` by` first");
    body("  theorem a : P := by sorry\n", "sorry", "rfl", 2, "\n    rfl", "indented node: indent + 2");
    body("theorem a : P\n", "\n", "rfl", 0, " := by\n  rfl", "no body at all: ` := by`");
    body("theorem abby : P := sorry\n", "sorry", "rfl", 0, " by\n  rfl", "`by` inside a name is not `by`");

    char *h = edits_helpers_text("lemma h : Q := by\n  simp\n\n\n");
    is_str(h, "lemma h : Q := by\n  simp\n\n", "helpers: one blank line before the node");
    free(h);

    struct edits_change ch = {{{1, 2}, {3, 4}}, "x\"y"};
    char *e = edits_workspace_edit("file:///a.lean", 7, true, &ch, 1);
    is_str(e, "{\"documentChanges\":[{\"textDocument\":{\"uri\":\"file:///a.lean\",\"version\":7},"
              "\"edits\":[{\"range\":{\"start\":{\"line\":1,\"character\":2},\"end\":{\"line\":3,"
              "\"character\":4}},\"newText\":\"x\\\"y\"}]}]}",
           "documentChanges with the version");
    free(e);
    e = edits_workspace_edit("file:///a.lean", 7, false, &ch, 1);
    ok(strncmp(e, "{\"changes\":{\"file:///a.lean\":[{\"range\"", 38) == 0, "changes without documentChanges: %s", e);
    free(e);

    char *u = shadow_uri_for("file:///p/src/Main.lean", 2);
    is_str(u, "file:///p/src/.Main.shadow2.lean", "shadow URI: hidden, next to the file");
    free(u);
    u = shadow_uri_for("untitled:Untitled-1", 1);
    is_str(u, ".untitled:Untitled-1.shadow1.lean", "a URI without a slash still gets a name");
    free(u);

    char *names[8];
    is_int(shadow_parse_axioms("'a' does not depend on any axioms", names, 8), 0, "no axioms");
    int n = shadow_parse_axioms("'Foo.a' depends on axioms: [propext,\n sorryAx,\n Classical.choice]", names, 8);
    is_int(n, 3, "three axioms over wrapped lines");
    if (n == 3) {
        is_str(names[0], "propext", "first");
        is_str(names[1], "sorryAx", "second");
        is_str(names[2], "Classical.choice", "third");
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    is_int(shadow_parse_axioms("unsolved goals", names, 8), -1, "not an axioms line");
    is_int(shadow_parse_axioms("'a' depends on axioms: [propext", names, 8), -1, "no closing bracket: not an axioms line");
    return done_testing();
}
