/* test_blueprint: @[blueprint] attributes through blueprint.h: labels, fields, uses, crefs,
 * brace balance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blueprint.h"
#include "decls.h"
#include "tap.h"

static struct lean_lex *lx;
static struct decls *ds;
static struct blueprint *bp;
static const char *src;

static void
parse(const char *text)
{
    blueprint_free(bp);
    decls_free(ds);
    lean_lex_free(lx);
    src = text;
    lx = lean_lex_new(text, strlen(text));
    ds = decls_new(lx);
    bp = blueprint_new(lx, ds);
}

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

/* The column of the first occurrence of needle on its line (ASCII lines only). */
static unsigned
col_of(const char *needle)
{
    const char *p = strstr(src, needle), *l = p;
    while (l > src && l[-1] != '\n')
        l--;
    return (unsigned)(p - l);
}

static void
test_node(void)
{
    const struct blueprint_attr *a;
    const struct blueprint_field *f;
    parse("@[simp, blueprint \"lem:weighted-tail\"\n"
          "  (statement := /--   If $x \\in \\{a\\}$ then \\cref{lem:a, lem:b } and "
          "\\Cref{thm:c}.\n"
          "    Second line. -/)\n"
          "  (proof := /-- By \\cref{lem:a,lem:b}. -/)\n"
          "  (title := \"A \\\"quoted\\\" \\\\cref{lem:d} title\")\n"
          "  (latexEnv := \"lemma\") (latexLabel := \"lem:other\")\n"
          "  (uses := [a, \"lem:label\", -b, -\"lem:x\", Nat.succ])\n"
          "  (proofUses := [])\n"
          "  (hasProof := true) (notReady := false) (discussion := 12)\n"
          "  (mystery := foo bar)]\n"
          "lemma weighted_tail : True := by\n"
          "  sorry\n"
          "\n"
          "theorem plain : True := trivial\n");
    is_int(blueprint_count(bp), 1, "one blueprint attribute");
    a = blueprint_get(bp, 0);
    ok(blueprint_get(bp, 1) == NULL, "get out of range");
    is_int(a->decl, 0, "on declaration 0");
    is_int(a->attr, 1, "second attribute of the bracket");
    ok(blueprint_for_decl(bp, 0) == a, "for_decl finds it");
    ok(blueprint_for_decl(bp, 1) == NULL, "plain theorem has none");
    ok(blueprint_for_decl(bp, 99) == NULL, "for_decl out of range");
    is_str(span_text(a->keyword), "blueprint", "keyword span");
    ok(!a->trace && !a->via_to_additive && !a->has_junk, "plain attribute");
    ok(a->has_label, "positional label");
    is_str(a->label, "lem:weighted-tail", "label text");
    is_str(span_text(a->label_span), "\"lem:weighted-tail\"", "label span with quotes");
    is_int(a->span.range.end.line, 9, "attribute ends on the last field line");
    is_int(a->nfields, 11, "eleven fields");

    f = blueprint_attr_field(a, BLUEPRINT_FIELD_STATEMENT);
    ok(f != NULL, "statement field");
    is_str(f->name, "statement", "field name");
    is_str(span_text(f->name_span), "statement", "field name span");
    is_int(f->name_span.range.start.line, 1, "statement name line");
    is_int(f->name_span.range.start.character, 3, "statement name column");
    is_int(f->value_kind, BLUEPRINT_VALUE_DOC, "doc value");
    is_str(f->text,
           "If $x \\in \\{a\\}$ then \\cref{lem:a, lem:b } and \\Cref{thm:c}.\n    Second line.",
           "statement text trimmed");
    is_int(f->text_span.range.start.character, col_of("If $x"), "text span starts at the text");
    is_int(f->text_span.range.end.line, 2, "text span ends on line 2");
    ok(f->braces_balanced, "escaped braces do not count");
    is_int(f->ncrefs, 3, "three cref labels (comma list split)");
    is_str(f->crefs[0].label, "lem:a", "cref 1");
    is_str(f->crefs[1].label, "lem:b", "cref 2 trimmed");
    is_str(span_text(f->crefs[1].span), "lem:b", "cref 2 span");
    is_str(f->crefs[2].label, "thm:c", "Cref label");
    ok(f->crefs[2].capital && !f->crefs[0].capital, "Cref is capital");
    is_int(f->crefs[0].span.range.start.character, col_of("lem:a"), "cref column");

    f = blueprint_attr_field(a, BLUEPRINT_FIELD_PROOF);
    is_int(f->ncrefs, 2, "comma list without spaces");
    is_str(f->crefs[1].label, "lem:b", "second label");

    f = blueprint_attr_field(a, BLUEPRINT_FIELD_TITLE);
    is_int(f->value_kind, BLUEPRINT_VALUE_STRING, "string title");
    is_str(f->text, "A \"quoted\" \\cref{lem:d} title", "decoded title");
    is_int(f->ncrefs, 1, "cref in a string (after decoding \\\\)");
    is_str(span_text(f->crefs[0].span), "lem:d", "cref span maps back to the source");
    is_str(span_text(f->text_span), "A \\\"quoted\\\" \\\\cref{lem:d} title", "title text span");

    f = blueprint_attr_field(a, BLUEPRINT_FIELD_LATEX_ENV);
    is_str(f->text, "lemma", "latexEnv");
    is_str(span_text(f->value_span), "\"lemma\"", "latexEnv value span");
    f = blueprint_attr_field(a, BLUEPRINT_FIELD_LATEX_LABEL);
    is_str(f->text, "lem:other", "latexLabel");

    f = blueprint_attr_field(a, BLUEPRINT_FIELD_USES);
    is_int(f->value_kind, BLUEPRINT_VALUE_LIST, "uses is a list");
    is_int(f->nuses, 5, "five entries");
    is_str(f->uses[0].text, "a", "name entry");
    ok(!f->uses[0].is_label && !f->uses[0].exclude, "plain name");
    is_str(f->uses[1].text, "lem:label", "label entry decoded");
    ok(f->uses[1].is_label && !f->uses[1].exclude, "label");
    is_str(f->uses[2].text, "b", "excluded name");
    ok(f->uses[2].exclude && !f->uses[2].is_label, "-b excludes");
    is_str(span_text(f->uses[2].span), "-b", "entry span with minus");
    is_str(span_text(f->uses[2].value), "b", "value span without minus");
    ok(f->uses[3].exclude && f->uses[3].is_label, "-\"x\" excludes a label");
    is_str(f->uses[3].text, "lem:x", "excluded label text");
    is_str(f->uses[4].text, "Nat.succ", "dotted name");
    f = blueprint_attr_field(a, BLUEPRINT_FIELD_PROOF_USES);
    is_int(f->nuses, 0, "empty proofUses");
    is_str(f->text, "[]", "list text as written");

    f = blueprint_attr_field(a, BLUEPRINT_FIELD_HAS_PROOF);
    ok(f->value_kind == BLUEPRINT_VALUE_BOOL && f->bool_value, "hasProof true");
    f = blueprint_attr_field(a, BLUEPRINT_FIELD_NOT_READY);
    ok(f->value_kind == BLUEPRINT_VALUE_BOOL && !f->bool_value, "notReady false");
    f = blueprint_attr_field(a, BLUEPRINT_FIELD_DISCUSSION);
    ok(f->value_kind == BLUEPRINT_VALUE_NUMBER && f->number == 12, "discussion 12");
    f = blueprint_attr_field(a, BLUEPRINT_FIELD_UNKNOWN);
    is_str(f->name, "mystery", "unknown field kept");
    is_int(f->value_kind, BLUEPRINT_VALUE_OTHER, "other value");
    is_str(f->text, "foo bar", "other value text");
    is_str(blueprint_field_name(BLUEPRINT_FIELD_PROOF_USES), "proofUses", "field name");
    is_str(blueprint_field_name(BLUEPRINT_FIELD_UNKNOWN), "?", "unknown field name");
}

static void
test_duplicates_braces(void)
{
    const struct blueprint_attr *a;
    parse("@[blueprint \"def:d\"\n"
          "  (statement := /-- a } b { c -/)\n"
          "  (title := /-- T -/)\n"
          "  (statement := /-- {x {y} -/)\n"
          "  (proof := /-- \\\\{ -/)\n"
          "  (title := \"}\")]\n"
          "def d : Nat := 1\n");
    a = blueprint_get(bp, 0);
    is_int(a->nfields, 5, "duplicates kept");
    is_int(a->fields[0].kind, BLUEPRINT_FIELD_STATEMENT, "first statement");
    is_int(a->fields[2].kind, BLUEPRINT_FIELD_STATEMENT, "second statement kept in order");
    is_int(a->fields[2].name_span.range.start.line, 3, "duplicate's name line");
    ok(blueprint_attr_field(a, BLUEPRINT_FIELD_STATEMENT) == &a->fields[0], "field() is the first");
    ok(!a->fields[0].braces_balanced, "} before { is unbalanced");
    is_int(a->fields[0].brace_error.range.start.character, col_of("} b"), "first stray }");
    is_int(a->fields[0].brace_error.end - a->fields[0].brace_error.start, 1, "one character");
    ok(!a->fields[2].braces_balanced, "unclosed {");
    is_int(a->fields[2].brace_error.range.start.character, col_of("{x"), "first unclosed {");
    ok(!a->fields[3].braces_balanced, "\\\\{ : the brace is not escaped");
    ok(!a->fields[4].braces_balanced, "string title with }");
    is_str(span_text(a->fields[4].brace_error), "}", "error inside the string");
    ok(a->fields[1].braces_balanced, "balanced title");
}

static void
test_forms(void)
{
    const struct blueprint_attr *a;
    parse("@[blueprint] theorem t1 : True := trivial\n"
          "@[blueprint? \"thm:t2\"] theorem t2 : True := trivial\n"
          "@[to_additive (attr := blueprint \"thm:b\" (title := /-- T -/)) foo_add]\n"
          "theorem t3 : True := trivial\n"
          "@[blueprint \"x\" junk (statement := /-- s -/) (broken)] theorem t4 : True := trivial\n"
          "@[simp] theorem t5 : True := trivial\n"
          "@[blueprint \"lem:u\"\n  (statement := /-- open ( -/]\n"
          "lemma t6 : True := by\n  sorry\n");
    is_int(blueprint_count(bp), 5, "five blueprint attributes");
    a = blueprint_get(bp, 0);
    ok(!a->has_label, "@[blueprint] has no label");
    is_str(a->label, "", "empty label");
    is_int(a->nfields, 0, "no fields");
    a = blueprint_get(bp, 1);
    ok(a->trace, "blueprint? traces");
    is_str(a->label, "thm:t2", "blueprint? label");
    a = blueprint_get(bp, 2);
    ok(a->via_to_additive, "inside to_additive");
    is_str(a->label, "thm:b", "to_additive label");
    is_int(a->nfields, 1, "to_additive field");
    is_str(a->fields[0].text, "T", "to_additive title");
    ok(!a->has_junk, "foo_add is outside the attr group");
    is_int(a->decl, 2, "on t3");
    a = blueprint_get(bp, 3);
    ok(a->has_junk, "junk token");
    is_str(span_text(a->junk), "junk", "first junk token");
    is_int(a->nfields, 1, "(broken) is not a field");
    ok(blueprint_for_decl(bp, 4) == NULL, "@[simp] only");
    a = blueprint_get(bp, 4);
    is_int(a->decl, 5, "unclosed field paren");
    is_int(a->nfields, 1, "its field is read");
    is_str(a->fields[0].text, "open (", "doc with a paren");
}

/* `attribute [blueprint …] name` (FLT, Sphere-Packing: blueprints for Mathlib's constants):
 * attributes of no declaration, in text order among the declarations' ones. */
static void
test_attribute_command(void)
{
    const struct blueprint_attr *a;
    parse("@[blueprint \"first\"] theorem t1 : True := trivial\n"
          "attribute [simp, blueprint \"Nat.add_comm\"\n"
          "  (statement := /-- $a+b=b+a$, \\cref{first}. -/)\n"
          "  (proof := /-- Mathlib. -/) (latexEnv := \"lemma\")]\n"
          "  Nat.add_comm\n"
          "attribute [simp] Nat.mul_comm\n"
          "@[blueprint \"second\"] theorem t2 : True := trivial\n"
          "attribute [blueprint (statement := /-- The reals. -/)] Real\n"
          "attribute [blueprint \"orphan\"]\n");
    is_int(blueprint_count(bp), 5, "two declarations' and three commands' attributes");
    a = blueprint_get(bp, 0);
    is_int(a->decl, 0, "first: t1");
    is_int(a->cmd, SIZE_MAX, "a declaration's attribute has no command");
    ok(!a->has_target, "nor a target");
    a = blueprint_get(bp, 1);
    is_int(a->decl, SIZE_MAX, "second: no declaration");
    is_int(a->cmd, 0, "the first command");
    is_int(a->attr, 1, "second entry of its bracket");
    is_str(a->label, "Nat.add_comm", "its label");
    ok(a->has_target, "a target");
    is_str(a->target_name, "Nat.add_comm", "named after the bracket");
    is_str(span_text(a->target), "Nat.add_comm", "target span");
    is_int(a->nfields, 3, "its fields");
    is_int(a->fields[0].ncrefs, 1, "crefs in its statement");
    a = blueprint_get(bp, 2);
    is_int(a->decl, 1, "third: t2, after the commands before it");
    ok(blueprint_for_decl(bp, 1) == a, "for_decl follows the reordering");
    ok(blueprint_for_decl(bp, 0) == blueprint_get(bp, 0), "for_decl of t1");
    a = blueprint_get(bp, 3);
    is_str(a->target_name, "Real", "unlabelled command");
    is_int(a->cmd, 2, "the third command (the simp one has no blueprint)");
    a = blueprint_get(bp, 4);
    ok(!a->has_target && a->target_name == NULL, "a command without a name");
}

static void
test_helpers(void)
{
    size_t n = 0;
    struct blueprint_cref *c;
    struct lean_span err;
    const char *p;
    parse("/-- see \\cref{a, b} and \\Cref{c} and \\cref{unclosed -/");
    c = blueprint_scan_crefs(lx, 0, strlen(src), &n);
    is_int(n, 3, "scan_crefs: three labels");
    is_str(c[0].label, "a", "first");
    is_str(span_text(c[1].span), "b", "second span");
    ok(c[2].capital, "Cref");
    blueprint_crefs_free(c, n);
    c = blueprint_scan_crefs(lx, 0, 3, &n);
    is_int(n, 0, "nothing in a short range");
    ok(c == NULL, "NULL when none");
    ok(!blueprint_braces_balanced(lx, 0, strlen(src), &err), "unclosed brace");
    p = strstr(src, "{unclosed");
    is_int(err.start, (size_t)(p - src), "error at the unclosed brace");
    ok(blueprint_braces_balanced(lx, 0, (size_t)(p - src), NULL), "balanced prefix");
    ok(blueprint_braces_balanced(lx, 10, 5, NULL), "empty range is balanced");

    /* a backslash as the last byte of a range: the escape skip may not run past it (found
     * by fuzz_lean_lex; ASan catches a regression) */
    {
        static const char tail[] = "x \\cref{a} {y} \\";
        char *heap = malloc(sizeof tail - 1);
        memcpy(heap, tail, sizeof tail - 1);
        struct lean_lex *l2 = lean_lex_new(heap, sizeof tail - 1);
        c = blueprint_scan_crefs(l2, 0, sizeof tail - 1, &n);
        is_int(n, 1, "a trailing backslash: the cref before it found");
        blueprint_crefs_free(c, n);
        ok(blueprint_braces_balanced(l2, 0, sizeof tail - 1, NULL), "and the braces balance");
        ok(blueprint_braces_balanced(l2, 0, 1, NULL), "a one-byte range");
        lean_lex_free(l2);
        free(heap);
    }
}

int
main(void)
{
    test_node();
    test_duplicates_braces();
    test_forms();
    test_attribute_command();
    test_helpers();
    blueprint_free(bp);
    decls_free(ds);
    lean_lex_free(lx);
    blueprint_free(NULL);
    return done_testing();
}
