/* test_decls: declarations and commands through decls.h: names, scopes, spans, placeholders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decls.h"
#include "tap.h"

static struct lean_lex *lx;
static struct decls *ds;
static const char *src;

static void
parse(const char *text)
{
    decls_free(ds);
    lean_lex_free(lx);
    src = text;
    lx = lean_lex_new(text, strlen(text));
    ds = decls_new(lx);
}

/* The source text of a span (static buffers, rotating). */
static const char *
span_text(struct lean_span s)
{
    static char out[4][512];
    static int k;
    size_t n = s.end - s.start;
    char *o = out[k++ & 3];
    if (n >= 512)
        n = 511;
    memcpy(o, src + s.start, n);
    o[n] = '\0';
    return o;
}

static const char *
ref_text(const struct decl_ref *r, bool last)
{
    static char out[4][256];
    static int k;
    size_t n;
    const char *p = decls_ref_text(ds, r, last, &n);
    char *o = out[k++ & 3];
    if (n >= 256)
        n = 255;
    memcpy(o, p, n);
    o[n] = '\0';
    return o;
}

static const struct decl *
by_name(const char *name)
{
    for (size_t i = 0; i < decls_count(ds); i++)
        if (strcmp(decls_get(ds, i)->name, name) == 0)
            return decls_get(ds, i);
    return NULL;
}

static void
test_scopes(void)
{
    const struct decl_cmd *c;
    parse("namespace A.B\n"
          "theorem t1 : True := trivial\n"
          "end B\n"
          "theorem t2 : True := trivial\n"
          "namespace C\n"
          "section S\n"
          "def d : Nat := 1\n"
          "end S\n"
          "protected def Foo.bar : Nat := 2\n"
          "theorem _root_.top : True := trivial\n"
          "end C\n"
          "end A\n"
          "theorem t3 : True := trivial\n");
    is_int(decls_count(ds), 6, "six declarations");
    is_str(by_name("t1")->full_name, "A.B.t1", "namespace A.B");
    is_str(by_name("t2")->full_name, "A.t2", "end B closes one component");
    is_str(by_name("d")->full_name, "A.C.d", "sections add nothing");
    is_str(by_name("Foo.bar")->full_name, "A.C.Foo.bar", "dotted name in a namespace");
    is_str(by_name("_root_.top")->full_name, "top", "_root_ escapes namespaces");
    is_str(by_name("t3")->full_name, "t3", "all scopes closed");
    ok(by_name("t1")->in_namespace, "t1 in a namespace");
    ok(!by_name("t3")->in_namespace, "t3 not in a namespace");
    ok(by_name("Foo.bar")->modifiers & DECL_MOD_PROTECTED, "protected modifier");

    c = decls_cmd(ds, 0);
    is_int(c->kind, DECL_CMD_NAMESPACE, "first command is namespace");
    is_str(span_text(c->keyword), "namespace", "namespace keyword span");
    is_int(c->keyword.range.start.line, 0, "namespace keyword line");
    is_str(c->name, "A.B", "namespace name");
    is_str(span_text(c->name_span), "A.B", "namespace name span");
    c = decls_cmd(ds, 1);
    is_int(c->kind, DECL_CMD_END, "end command");
    is_str(c->name, "B", "end name");
    is_int(decls_cmd_count(ds), 7, "namespace, end, namespace, section, end, end, end");
    ok(decls_cmd(ds, 99) == NULL, "cmd out of range");
    ok(decls_get(ds, 99) == NULL, "decl out of range");

    parse("noncomputable section\n"
          "def a : Nat := 1\n"
          "end\n"
          "mutual\n"
          "def b : Nat := 1\n"
          "def e : Nat := 2\n"
          "end\n"
          "def f : Nat := 3\n");
    c = decls_cmd(ds, 0);
    is_int(c->kind, DECL_CMD_SECTION, "noncomputable section is a section");
    is_str(span_text(c->keyword), "noncomputable section", "both words");
    ok(!(by_name("a")->modifiers & DECL_MOD_NONCOMPUTABLE), "not a modifier of the next decl");
    c = decls_cmd(ds, 2);
    is_int(c->kind, DECL_CMD_MUTUAL, "mutual command");
    is_str(span_text(c->keyword), "mutual", "mutual keyword span");
    is_int(c->keyword.range.start.line, 3, "mutual keyword line");
    ok(by_name("b")->in_mutual && by_name("e")->in_mutual, "decls inside mutual");
    ok(!by_name("f")->in_mutual, "mutual closed by end");
    ok(!by_name("a")->in_mutual, "before mutual");
}

static void
test_placeholders(void)
{
    const struct decl *x;
    parse("theorem ok1 : True := by\n  sorry\n\n"
          "theorem ok2 : True := by\n  sorry_using [foo, Bar.baz]\n\n"
          "theorem done : True := by\n  -- sorry in a comment\n  exact «sorry».x \"sorry\"\n\n"
          "theorem same : True := by sorry\n\n"
          "theorem same2 : True := by sorry_using [a]\n\n"
          "theorem mixed : True := by\n  intro; sorry\n\n"
          "theorem several : True := by\n  sorry_using [a]\n  sorry_using [b]\n\n"
          "theorem term : True := sorry\n\n"
          "theorem adm : True := by\n  admit\n\n"
          "theorem badlist : True := by\n  sorry_using\n\n"
          "theorem commented : True := by\n  sorry_using [a, /- why -/ b]\n\n"
          "theorem nested : True := by\n  exact (by sorry)\n");

    x = by_name("ok1");
    is_int(x->proof, DECL_PROOF_SORRY, "by + newline + sorry");
    is_int(x->body_kind, DECL_BODY_TACTIC, "tactic body");
    is_str(span_text(x->placeholder), "sorry", "placeholder is the sorry token");
    is_int(x->placeholder.range.start.line, 1, "sorry line");
    is_int(x->placeholder.range.start.character, 2, "sorry column");
    is_str(span_text(x->by), "by", "by span");
    is_str(span_text(x->assign), ":=", "assign span");
    is_str(span_text(x->body), "sorry", "body after by");
    is_int(x->nsorries, 1, "one sorry token");
    ok(x->sorries[0].in_body, "sorry in body");

    x = by_name("ok2");
    is_int(x->proof, DECL_PROOF_SORRY_USING, "by + newline + sorry_using");
    is_int(x->nusings, 1, "one sorry_using");
    is_int(x->usings[0].nnames, 2, "two names");
    is_str(ref_text(&x->usings[0].names[0], false), "foo", "first name");
    is_str(ref_text(&x->usings[0].names[1], false), "Bar.baz", "dotted name");
    is_str(ref_text(&x->usings[0].names[1], true), "baz", "last component");
    is_int(decls_ref_span(ds, &x->usings[0].names[1]).range.start.character, 20, "name column");
    is_str(span_text(x->usings[0].list), "[foo, Bar.baz]", "list span");
    ok(!x->usings[0].has_comment, "no comment in list");

    x = by_name("done");
    is_int(x->proof, DECL_PROOF_COMPLETE, "sorry in comment, «», string is not a sorry");
    is_int(x->nsorries, 0, "no sorry tokens");
    is_int(x->malformed, DECL_MALFORMED_NONE, "not malformed");

    x = by_name("same");
    is_int(x->proof, DECL_PROOF_MALFORMED, "same-line by sorry");
    is_int(x->malformed, DECL_MALFORMED_SAME_LINE, "reason same line");
    is_str(span_text(x->placeholder), "sorry", "offending sorry");
    is_int(x->placeholder.range.start.character, 26, "offending column");

    x = by_name("same2");
    is_int(x->malformed, DECL_MALFORMED_SAME_LINE, "same-line sorry_using");
    is_str(span_text(x->placeholder), "sorry_using", "offending sorry_using");

    x = by_name("mixed");
    is_int(x->malformed, DECL_MALFORMED_MIXED, "intro; sorry is mixed");
    is_int(x->placeholder.range.start.character, 9, "the sorry after intro;");

    x = by_name("several");
    is_int(x->malformed, DECL_MALFORMED_SEVERAL, "two sorry_using");
    is_int(x->placeholder.range.start.line, x->range.range.start.line + 2, "second one flagged");
    is_int(x->nusings, 2, "both usings reported");

    x = by_name("term");
    is_int(x->body_kind, DECL_BODY_TERM, "term body");
    is_int(x->malformed, DECL_MALFORMED_TERM_SORRY, ":= sorry");

    x = by_name("adm");
    is_int(x->malformed, DECL_MALFORMED_ADMIT, "admit");
    is_int(x->sorries[0].kind, DECL_SORRY_ADMIT, "admit token kind");

    x = by_name("badlist");
    is_int(x->malformed, DECL_MALFORMED_BAD_LIST, "sorry_using without a list");
    ok(!x->usings[0].has_list, "no list");

    x = by_name("commented");
    is_int(x->proof, DECL_PROOF_SORRY_USING, "comment in list: still sorry_using");
    ok(x->usings[0].has_comment, "comment inside brackets");
    is_str(span_text(x->usings[0].comment), "/- why -/", "comment span");
    is_int(x->usings[0].nnames, 2, "names around the comment");

    x = by_name("nested");
    is_int(x->malformed, DECL_MALFORMED_MIXED, "sorry nested in a term");
}

static void
test_declarations(void)
{
    const struct decl *x;
    parse("/-- Doc. -/\n"
          "@[simp,\n  blueprint \"lem:x\"\n    (statement := /-- s -/)]\n"
          "private noncomputable lemma x_lemma (n : ℕ) {m : ℕ} : n + m = m + n := by\n"
          "  /-- First step. -/\n"
          "  omega\n"
          "\n"
          "instance : Inhabited Nat := ⟨0⟩\n"
          "instance (priority := 10) instFoo : Inhabited Nat where\n"
          "  default := 0\n"
          "example : True := trivial\n"
          "@[local simp] theorem abs_le (x : ℝ) : |x| ≤ |x| := le_refl _\n"
          "def f : Nat → Nat\n  | 0 => 1\n  | n + 1 => f n\n"
          "class inductive C\n  | mk\n"
          "structure P where\n  x : Nat\n"
          "axiom ax : False\n"
          "  theorem indented : True := by\n    exact Nat.succ_le.trans h.1\n");
    is_int(decls_count(ds), 10, "ten declarations");

    x = decls_get(ds, 0);
    is_int(x->kind, DECL_KIND_LEMMA, "lemma kind");
    is_str(x->keyword, "lemma", "keyword text");
    is_str(x->name, "x_lemma", "name");
    is_int(x->range.range.start.line, 0, "range starts at the docstring");
    is_int(x->range.range.end.line, 6, "range ends at omega");
    ok(x->has_doc, "doc comment modifier");
    is_str(span_text(x->doc), "/-- Doc. -/", "doc span");
    is_int(x->nattrs, 2, "two attributes in one bracket");
    is_int(x->nbrackets, 1, "one bracket");
    is_str(span_text(x->attrs[0].span), "simp", "first attribute");
    is_str(span_text(x->attrs[1].name), "blueprint", "second attribute name");
    is_str(span_text(x->attrs[1].span), "blueprint \"lem:x\"\n    (statement := /-- s -/)",
           "multi-line attribute span");
    is_int(x->attrs_span.range.start.line, 1, "attrs span start");
    is_int(x->attrs_span.range.end.line, 3, "attrs span end");
    ok(x->modifiers == (DECL_MOD_PRIVATE | DECL_MOD_NONCOMPUTABLE), "modifier flags");
    is_int(x->nmods, 2, "two modifier keywords");
    is_str(span_text(x->mods[1].span), "noncomputable", "modifier span");
    is_str(span_text(x->name_span), "x_lemma", "name span");
    is_str(span_text(x->signature), "(n : ℕ) {m : ℕ} : n + m = m + n", "signature");
    is_str(span_text(x->type), "n + m = m + n", "type");
    is_str(span_text(x->header), "lemma x_lemma (n : ℕ) {m : ℕ} : n + m = m + n", "header");
    is_int(x->nproof_docs, 1, "a docstring inside the proof");
    is_int(lean_lex_tok(lx, x->proof_docs[0])->line, 5, "proof doc line");
    is_int(x->proof, DECL_PROOF_COMPLETE, "complete proof");
    ok(x->blank_line_before, "first declaration");

    x = decls_get(ds, 1);
    is_int(x->kind, DECL_KIND_INSTANCE, "instance");
    ok(!x->has_name, "anonymous instance");
    is_str(x->name, "", "empty name");
    ok(x->blank_line_before, "blank line before the instance");
    x = decls_get(ds, 2);
    ok(x->has_name, "instance with priority has a name");
    is_str(x->name, "instFoo", "instance name after priority");
    is_int(x->body_kind, DECL_BODY_WHERE, "where body");
    ok(!x->blank_line_before, "no blank line before instFoo");
    is_int(x->prev_cmd_end_line, 8, "previous command ends on line 8");
    x = decls_get(ds, 3);
    is_int(x->kind, DECL_KIND_EXAMPLE, "example");
    ok(!x->has_name, "example has no name");
    x = decls_get(ds, 4);
    is_str(x->name, "abs_le", "theorem after @[local simp]");
    is_str(span_text(x->attrs[0].name), "simp", "local simp: name is simp");
    is_int(x->body_kind, DECL_BODY_TERM, "|x| in the type is not an equation");
    is_str(span_text(x->type), "|x| ≤ |x|", "type with absolute values");
    x = decls_get(ds, 5);
    is_int(x->body_kind, DECL_BODY_EQUATIONS, "pattern-matching def");
    is_str(span_text(x->body), "| 0 => 1\n  | n + 1 => f n", "equations body");
    x = decls_get(ds, 6);
    is_int(x->kind, DECL_KIND_CLASS_INDUCTIVE, "class inductive");
    is_str(x->keyword, "class inductive", "class inductive keyword");
    is_str(span_text(x->keyword_span), "class inductive", "both words");
    is_str(x->name, "C", "class inductive name");
    x = decls_get(ds, 7);
    is_int(x->kind, DECL_KIND_STRUCTURE, "structure");
    is_int(x->body_kind, DECL_BODY_WHERE, "structure where");
    x = decls_get(ds, 8);
    is_int(x->kind, DECL_KIND_AXIOM, "axiom");
    is_int(x->body_kind, DECL_BODY_NONE, "axiom has no body");
    is_int(x->proof, DECL_PROOF_NONE, "no proof state");
    is_int(x->body.start, x->header.end, "empty body at the header's end");
    x = decls_get(ds, 9);
    is_str(x->name, "indented", "declaration in column 2");
    is_int(x->keyword_span.range.start.character, 2, "indented keyword column");
    {
        bool has_trans = false, has_h = false;
        for (size_t i = 0; i < x->nrefs; i++) {
            if (strcmp(ref_text(&x->refs[i], false), "Nat.succ_le.trans") == 0 &&
                strcmp(ref_text(&x->refs[i], true), "trans") == 0)
                has_trans = true;
            if (strcmp(ref_text(&x->refs[i], false), "h") == 0)
                has_h = true;
        }
        ok(has_trans, "dotted reference with its last component");
        ok(has_h, "h of h.1");
    }
    is_str(decls_kind_name(DECL_KIND_CLASS_INDUCTIVE), "class inductive", "kind name");
    is_str(decls_kind_name(DECL_KIND_IRREDUCIBLE_DEF), "irreducible_def", "kind name 2");
    ok(decls_lex(ds) == lx, "decls_lex");
}

static void
test_commands(void)
{
    const struct decl *x;
    struct lean_span at;
    parse("import Mathlib\n"
          "open Real in\n"
          "theorem a : True := by\n"
          "  set_option maxHeartbeats 100 in\n"
          "  open Nat in\n"
          "  /-- proof text -/\n"
          "  #adaptation_note /-- note -/\n"
          "  exact trivial\n"
          "attribute [local instance] foo\n"
          "\n"
          "-- a comment\n"
          "theorem b : True := trivial\n"
          "#check b\n"
          "theorem c (h : sorry) : True := trivial\n"
          "def withSorry : Nat := by\n  exact sorry\n"
          "#exit\n"
          "theorem gone : True := trivial\n");
    is_int(decls_count(ds), 4, "four declarations before #exit");
    ok(by_name("gone") == NULL, "nothing after #exit");
    ok(decls_exit(ds, &at), "#exit found");
    is_int(at.range.start.line, 16, "#exit line");
    x = by_name("a");
    is_int(x->range.range.end.line, 7, "tactic set_option/open/#cmd stay in the body");
    is_int(x->nproof_docs, 2, "two doc comments inside the proof");
    ok(!x->blank_line_before, "open … in prefix: no blank line before");
    {
        const struct decl_cmd *c = decls_cmd(ds, 1);
        is_int(c->kind, DECL_CMD_OPEN, "open command");
        ok(c->has_in, "open … in");
        c = decls_cmd(ds, 2);
        is_int(c->kind, DECL_CMD_ATTRIBUTE, "attribute command");
        is_str(span_text(c->range), "attribute [local instance] foo", "attribute range");
        c = decls_cmd(ds, 3);
        is_int(c->kind, DECL_CMD_HASH, "#check");
        c = decls_cmd(ds, 0);
        is_int(c->kind, DECL_CMD_IMPORT, "import");
    }
    x = by_name("b");
    ok(x->blank_line_before, "blank line (then a comment) before b");
    is_int(x->prev_cmd_end_line, 8, "previous command is the attribute line");
    x = by_name("c");
    ok(!x->blank_line_before, "no blank line before c");
    is_int(x->proof, DECL_PROOF_COMPLETE, "sorry only in the signature");
    is_int(x->nsorries, 1, "signature sorry recorded");
    ok(!x->sorries[0].in_body, "not in the body");
    x = by_name("withSorry");
    is_int(x->nsorries, 1, "definition sorry recorded");
    ok(x->sorries[0].in_body, "in the body");
    is_int(x->kind, DECL_KIND_DEF, "def kind");
}

static void
test_robust(void)
{
    const struct decl *x;
    /* typing in progress: unclosed attribute, unclosed bracket, lone modifiers */
    parse("@[blueprint \"lem:a\"\n  (statement := /-- s -/)\n"
          "theorem a (x : Nat : True := by\n  sorry\n"
          "theorem b : True := by\n  sorry\n"
          "@[simp]\n");
    is_int(decls_count(ds), 3, "three declarations");
    x = decls_get(ds, 0);
    ok(x->attrs_unclosed, "unclosed attribute bracket");
    is_str(x->name, "a", "name after unclosed attribute");
    is_str(decls_get(ds, 1)->name, "b", "b still found after an unclosed (");
    is_int(decls_get(ds, 1)->proof, DECL_PROOF_SORRY, "b's sorry");
    x = decls_get(ds, 2);
    is_int(x->kind, DECL_KIND_OTHER, "modifiers alone");
    is_int(x->nattrs, 1, "its attribute");

    parse("theorem t : True := by\n  exact foo.end\n.end x\n");
    is_int(decls_count(ds), 1, "foo.end / .end are not the end command");
    is_int(decls_cmd_count(ds), 0, "no commands");

    parse("section\nlocal notation \"|\" x \"|\" => abs x\n"
          "scoped[Foo] infix:50 \" ~ \" => f\n"
          "local instance : Inhabited Nat := ⟨0⟩\n"
          "theorem t : True := trivial\nend\n");
    is_int(decls_count(ds), 2, "local notation and scoped infix are not declarations");
    is_int(decls_get(ds, 0)->kind, DECL_KIND_INSTANCE, "local instance is");
    ok(decls_get(ds, 0)->modifiers & DECL_MOD_LOCAL, "local modifier");
    is_int(decls_cmd(ds, 1)->kind, DECL_CMD_OTHER, "local notation command");
    is_str(span_text(decls_cmd(ds, 1)->range), "local notation \"|\" x \"|\" => abs x",
           "local notation range");
    is_str(span_text(decls_cmd(ds, 2)->range), "scoped[Foo] infix:50 \" ~ \" => f",
           "scoped infix range");

    parse("lemma withLet (q : ℕ) :\n    let S : ℕ := q + 1\n    S = q + 1 := by\n  sorry\n");
    x = decls_get(ds, 0);
    is_int(x->body_kind, DECL_BODY_TACTIC, "let … := inside the statement is not the body");
    is_int(x->proof, DECL_PROOF_SORRY, "the real body is a sorry");
    is_str(span_text(x->type), "let S : ℕ := q + 1\n    S = q + 1", "type includes the let");

    parse("namespace N\r\n\r\n@[blueprint \"lem:c\"]\r\ntheorem crlf : True := by\r\n  sorry\r\n"
          "\r\ntheorem crlf2 : True := by sorry\r\nend N\r\n");
    x = decls_get(ds, 0);
    is_int(x->proof, DECL_PROOF_SORRY, "CRLF: by + newline + sorry");
    is_int(x->placeholder.range.start.line, 4, "CRLF: sorry line");
    ok(x->blank_line_before, "CRLF: blank line (\\r only) before the node");
    is_str(x->full_name, "N.crlf", "CRLF: namespace");
    is_int(decls_get(ds, 1)->malformed, DECL_MALFORMED_SAME_LINE, "CRLF: same line");
    is_str(span_text(decls_cmd(ds, 1)->name_span), "N", "CRLF: end name without \\r");

    parse("");
    is_int(decls_count(ds), 0, "empty file");
    ok(!decls_exit(ds, NULL), "no #exit");
}

/* `|` is an alternative only where Lean's parser takes one: not |x| in a signature. */
static void
test_bars(void)
{
    const struct decl *x;
    parse("lemma abs_mean_le (a : ℕ → ℝ) (n : ℕ) :\n"
          "    |mean a n| ≤ mean (fun i => |a i|) n := by\n"
          "  sorry\n\n"
          "theorem abs_first : |x| ≤ 1 := by\n  sorry\n\n"
          "theorem abs_pow (x : ℝ) :\n    |x|^2 = x^2 := by\n  sorry\n\n"
          "theorem norm_line (x : E) :\n    ‖x‖ ≤ ‖x‖ + 1 := by\n  sorry\n\n"
          "theorem set_builder :\n    {x : ℕ\n    | x < 3} = {0, 1, 2} := by\n  sorry\n\n"
          "def f : Nat → Nat\n  | 0 =>\n    1\n  | n + 1 => f n\n\n"
          "def g : Nat → Nat | 0 => 1 | _ => 2\n\n"
          "def h (n : Nat) : Nat :=\n  match n with\n  | 0 => 1\n  | _ => 2\n\n"
          "theorem in_match (n : Nat) : (match n with\n    | 0 => True\n    | _ => True) := by\n"
          "  sorry\n\n"
          "theorem bare_match (n : Nat) : match n with\n    | 0 => True\n    | _ => True := by\n"
          "  sorry\n\n"
          "inductive T\n  |zero : T\n  | succ (h : |x| < 1) : T\n");
    x = by_name("abs_mean_le");
    is_int(x->body_kind, DECL_BODY_TACTIC, "|mean a n| at a line start is an absolute value");
    is_int(x->proof, DECL_PROOF_SORRY, "so the sorry is a plain placeholder");
    is_str(span_text(x->type), "|mean a n| ≤ mean (fun i => |a i|) n", "type with the bars");
    is_int(by_name("abs_first")->proof, DECL_PROOF_SORRY, "|x| right after the colon");
    is_int(by_name("abs_pow")->proof, DECL_PROOF_SORRY, "|x|^2: closing bar glued");
    is_int(by_name("norm_line")->proof, DECL_PROOF_SORRY, "‖x‖ norm bars");
    is_int(by_name("set_builder")->proof, DECL_PROOF_SORRY, "set-builder bar inside braces");
    x = by_name("f");
    is_int(x->body_kind, DECL_BODY_EQUATIONS, "equations split across lines");
    is_str(span_text(x->type), "Nat → Nat", "type before the first alternative");
    is_int(x->body.range.start.line, x->range.range.start.line + 1, "body starts at the bar");
    x = by_name("g");
    is_int(x->body_kind, DECL_BODY_EQUATIONS, "one-line equations");
    is_str(span_text(x->type), "Nat → Nat", "one-line equations: type");
    is_int(by_name("h")->body_kind, DECL_BODY_TERM, "match after := is a term body");
    is_int(by_name("in_match")->proof, DECL_PROOF_SORRY, "match alternatives in parentheses");
    x = by_name("bare_match");
    is_int(x->body_kind, DECL_BODY_TACTIC, "alternatives of a match in the type");
    is_int(x->proof, DECL_PROOF_SORRY, "bare match in the type: sorry found");
    x = by_name("T");
    is_int(x->body_kind, DECL_BODY_EQUATIONS, "constructors, even a glued |zero");
    is_int(decls_count(ds), 11, "eleven declarations, none split");
}

/* Command prefixes, trailing clauses, commands that look like declarations. */
static void
test_forms(void)
{
    const struct decl *x;
    const struct decl_cmd *c;
    parse("theorem t1 : True := by\n"
          "open Foo in\n"
          "exact trivial\n\n"
          "open Foo in\n"
          "theorem t2 : True := by\n  sorry\n\n"
          "set_option maxHeartbeats 400000 in\n"
          "open A in\n"
          "theorem t3 : True := by\n  sorry\n\n"
          "theorem t4 : True := by\n"
          "  set_option maxRecDepth 1000 in\n"
          "  simp\n"
          "set_option linter.unusedVariables false\n"
          "omit [Fintype α] in\n"
          "include h in\n"
          "theorem t5 : True := by\n  sorry\n");
    is_int(decls_count(ds), 5, "five theorems");
    x = by_name("t1");
    is_int(x->proof, DECL_PROOF_COMPLETE, "open … in as a column-0 tactic stays in the proof");
    is_int(x->range.range.end.line, 2, "t1 runs through exact");
    c = decls_cmd(ds, 0);
    is_int(c->kind, DECL_CMD_OPEN, "open … in before t2 is a command");
    ok(c->has_in, "open Foo in: has_in");
    ok(by_name("t2")->blank_line_before, "a prefix counts as part of the node (spacing)");
    is_int(by_name("t3")->proof, DECL_PROOF_SORRY, "set_option … in open … in theorem");
    x = by_name("t4");
    is_int(x->proof, DECL_PROOF_COMPLETE, "indented set_option … in tactic");
    is_int(x->range.range.end.line, 15, "t4 ends before the set_option command");
    c = decls_cmd(ds, decls_cmd_count(ds) - 1);
    is_int(c->kind, DECL_CMD_VARIABLE, "include h in");
    ok(c->has_in, "include … in prefixes");
    is_int(decls_cmd(ds, decls_cmd_count(ds) - 2)->kind, DECL_CMD_VARIABLE, "omit … in");
    is_int(by_name("t5")->proof, DECL_PROOF_SORRY, "omit/include prefixes");

    parse("theorem w : P := by\n  sorry\nwhere\n  aux : Nat := 1\n\n"
          "def fib : Nat → Nat\n  | 0 => 0\n  | n + 1 => fib n\ntermination_by n => n\n"
          "decreasing_by simp_wf\n\n"
          "theorem tb (n : Nat) : P n := by\n  sorry\ntermination_by n\n\n"
          "theorem tq (n : Nat) : P n := by\n  sorry_using [w]\ntermination_by? n\n\n"
          "structure Pt where\n  x : Nat\n  y : Nat := 3\n  h : x = x := by rfl\n"
          "deriving Repr, DecidableEq\n\n"
          "inductive C\n  | a\n  | b\n  deriving Repr\n\n"
          "deriving instance Repr for Pt\n\n"
          "instance : Inhabited Pt where\n  default := ⟨0, 0, rfl⟩\n\n"
          "instance instFoo : Foo Nat where\n  foo := 1\n\n"
          "class Cl (α : Type) extends Inhabited α where\n  op : α → α\n");
    x = by_name("w");
    is_int(x->proof, DECL_PROOF_SORRY, "where declarations after a sorry proof");
    is_str(span_text(x->body_main), "sorry", "body_main stops before where");
    is_int(x->range.range.end.line, 3, "the where clause belongs to the theorem");
    x = by_name("fib");
    is_int(x->body_kind, DECL_BODY_EQUATIONS, "fib: equations");
    is_int(x->range.range.end.line, 9, "termination_by and decreasing_by belong to fib");
    is_str(span_text(x->body_main), "| 0 => 0\n  | n + 1 => fib n", "fib: body_main");
    is_int(by_name("tb")->proof, DECL_PROOF_SORRY, "sorry then termination_by");
    is_int(by_name("tq")->proof, DECL_PROOF_SORRY_USING, "sorry_using then termination_by?");
    x = by_name("Pt");
    is_int(x->body_kind, DECL_BODY_WHERE, "structure fields");
    is_int(x->proof, DECL_PROOF_COMPLETE, "fields with defaults and proofs");
    is_int(x->range.range.end.line, 23, "deriving belongs to the structure");
    is_int(by_name("C")->range.range.end.line, 28, "indented deriving belongs to C");
    is_int(decls_count(ds), 9, "deriving instance is a command, not a declaration");
    x = decls_get(ds, 6);
    is_int(x->kind, DECL_KIND_INSTANCE, "anonymous instance … where");
    ok(!x->has_name, "anonymous");
    is_int(x->body_kind, DECL_BODY_WHERE, "instance … where");
    is_str(by_name("instFoo")->keyword, "instance", "named instance");
    is_int(by_name("Cl")->body_kind, DECL_BODY_WHERE, "class … extends … where");

    /* `where` declarations with attributes (lean-by-example's factorialTR): the `@[grind]`
     * before an auxiliary name is Lean's letRecDecl, not a new command */
    parse("def factTR (n : Nat) : Nat :=\n  aux n 1\nwhere\n"
          "  @[simp] aux (n acc : Nat) : Nat :=\n    match n with\n    | 0 => acc\n"
          "    | n + 1 => aux n (acc * (n + 1))\n"
          "  /-- doc -/ @[simp] aux2 : Nat := sorry\n\n"
          "def g : Nat := 1\nwhere\n  h : Nat := 2\n"
          "  @[simp] theorem g_eq : g = 1 := rfl\n"
          "@[simp] lemma top : True := trivial\n");
    is_int(decls_count(ds), 4, "factTR, g, g_eq, top");
    x = by_name("factTR");
    is_int(x->range.range.end.line, 7, "the attributed where declarations belong to factTR");
    is_int(x->nsorries, 1, "and so does the sorry of the second one");
    is_int(by_name("g")->range.range.end.line, 11, "an attribute before a keyword: a command");
    is_int(by_name("g_eq")->nattrs, 1, "g_eq keeps its attribute");
    is_int(by_name("top")->nattrs, 1, "top: column 0");

    parse("notation:50 a \" ≈ \" b => R a b\n"
          "macro \"my_tac\" : tactic => `(tactic| simp)\n"
          "syntax \"foo\" term : term\n"
          "macro_rules\n  | `(foo $t) => `($t)\n"
          "elab \"bar\" : tactic => do\n  pure ()\n"
          "variable {α : Type*} [Fintype α]\n  (hx : |x| < 1)\n"
          "theorem after : True := by\n  sorry\n");
    is_int(decls_count(ds), 1, "notation/macro/syntax/elab/variable are commands");
    is_int(by_name("after")->proof, DECL_PROOF_SORRY, "the theorem after them");
    is_int(decls_cmd_count(ds), 6, "six commands");
    is_int(decls_cmd(ds, 5)->kind, DECL_CMD_VARIABLE, "variable with |x| continuation");
    is_int(decls_cmd(ds, 5)->range.range.end.line, 8, "variable spans its lines");

    parse("namespace A\nsection S\nnamespace B\n"
          "theorem «my\nlemma» : True := by\n  sorry\n"
          "end B\nend S\nend A\n"
          "theorem «x».y : True := trivial\n");
    x = decls_get(ds, 0);
    is_str(x->name, "«my\nlemma»", "«…» name across lines");
    is_str(x->full_name, "A.B.«my\nlemma»", "…with its namespaces");
    is_int(x->proof, DECL_PROOF_SORRY, "and its sorry");
    is_int(x->name_span.range.end.line, 4, "name ends on the next line");
    is_int(x->name_span.range.end.character, 6, "at the right column");
    is_str(decls_get(ds, 1)->full_name, "«x».y", "scopes closed after «» name");
}

int
main(void)
{
    test_scopes();
    test_placeholders();
    test_declarations();
    test_commands();
    test_robust();
    test_bars();
    test_forms();
    decls_free(ds);
    lean_lex_free(lx);
    decls_free(NULL);
    return done_testing();
}
