/* checks: the blueprint contract's rules as findings with ranges, severities and fixes. */
#include "checks.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blueprint.h"
#include "buf.h"
#include "dag.h"
#include "decls.h"
#include "lean_lex.h"
#include "xalloc.h"

#define SEV_ERROR 1
#define SEV_WARNING 2

struct ctx {
    const struct checks_input *in;
    struct checks_result *out;
    bool strict;
    const char *text;
};

/* ---- helpers ---- */

static bool
kind_allowed(enum decl_kind k)
{
    switch (k) {
    case DECL_KIND_DEF:
    case DECL_KIND_THEOREM:
    case DECL_KIND_LEMMA:
    case DECL_KIND_ABBREV:
    case DECL_KIND_INSTANCE:
    case DECL_KIND_STRUCTURE:
    case DECL_KIND_INDUCTIVE:
    case DECL_KIND_CLASS:
    case DECL_KIND_CLASS_INDUCTIVE:
        return true;
    default:
        return false;
    }
}

static bool
kind_proof(enum decl_kind k)
{
    return k == DECL_KIND_THEOREM || k == DECL_KIND_LEMMA;
}

static int
severity(const struct ctx *c, const char *code)
{
    if (c->strict)
        return strcmp(code, "blueprint.spacing") == 0 || strcmp(code, "blueprint.closeness") == 0 ||
                       strcmp(code, "blueprint.comment-hygiene") == 0
                   ? SEV_WARNING
                   : SEV_ERROR;
    return strcmp(code, "blueprint.unbalanced-braces") == 0 ||
                   strcmp(code, "blueprint.definition-sorry") == 0
               ? SEV_WARNING
               : SEV_ERROR;
}

static void add(struct ctx *c, const char *code, struct lsp_range r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
add(struct ctx *c, const char *code, struct lsp_range r, const char *fmt, ...)
{
    struct checks_result *o = c->out;
    if (o->n == o->alloc) {
        o->alloc = o->alloc ? o->alloc * 2 : 16;
        o->items = xreallocarray(o->items, o->alloc, sizeof *o->items);
    }
    struct buf b;
    buf_init(&b, 1 << 16);
    va_list ap;
    va_start(ap, fmt);
    (void)buf_vaddf(&b, fmt, ap);
    va_end(ap);
    o->items[o->n++] = (struct analysis_finding){
        .code = code, .severity = severity(c, code), .range = r, .message = buf_detach(&b, NULL)};
}

/* printf arguments for a span's text: "%.*s", SPAN(c, s); long texts are cut. */
static int
span_len(struct lean_span s)
{
    uint32_t n = s.end > s.start ? s.end - s.start : 0;
    return n > 200 ? 200 : (int)n;
}
#define SPAN(c, s) span_len(s), (c)->text + (s).start

static struct lsp_range
name_range(const struct decl *d)
{
    return d->has_name ? d->name_span.range : d->keyword_span.range;
}

static const char *
show_name(const struct decl *d)
{
    return d->has_name ? d->name : "(anonymous)";
}

/* The label of a blueprint attribute: the positional string, else latexLabel; NULL if none. */
static const char *
attr_label(const struct blueprint_attr *a, struct lean_span *span)
{
    if (a->has_label) {
        *span = a->label_span;
        return a->label;
    }
    const struct blueprint_field *f = blueprint_attr_field(a, BLUEPRINT_FIELD_LATEX_LABEL);
    if (f && f->text && *f->text) {
        *span = f->value_span;
        return f->text;
    }
    return NULL;
}

static const char *
expected_env(enum decl_kind k)
{
    return k == DECL_KIND_THEOREM ? "theorem" : k == DECL_KIND_LEMMA ? "lemma" : "definition";
}

static const char *
expected_prefix(enum decl_kind k)
{
    return k == DECL_KIND_THEOREM ? "thm" : k == DECL_KIND_LEMMA ? "lem" : "def";
}

static bool
blank_text(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static const struct dag_node *
decl_node(const struct ctx *c, size_t i, size_t *node_index)
{
    long dd = c->in->decl_to_dag ? c->in->decl_to_dag[i] : -1;
    if (dd < 0)
        return NULL;
    size_t ni = dag_decl_node(c->in->dag, (size_t)dd);
    if (node_index)
        *node_index = ni;
    return dag_node(c->in->dag, ni);
}

/* ---- source-level rules (1-6) ---- */

static void
check_commands(struct ctx *c)
{
    const struct decls *ds = c->in->decls;
    for (size_t i = 0; i < decls_cmd_count(ds); i++) {
        const struct decl_cmd *cmd = decls_cmd(ds, i);
        if (cmd->kind == DECL_CMD_NAMESPACE)
            add(c, "blueprint.namespace", cmd->keyword.range,
                "`namespace` blocks are not allowed in a blueprint: remove `namespace %.*s` and "
                "its `end`, and give every declaration a fully descriptive top-level name "
                "(use `section` with `local instance` for instances that must not leak)",
                SPAN(c, cmd->name_span));
        else if (cmd->kind == DECL_CMD_MUTUAL)
            add(c, "blueprint.mutual", cmd->keyword.range,
                "`mutual ... end` blocks are not allowed in a blueprint: every node must be a "
                "single top-level declaration with its own @[blueprint]");
    }
}

static void
check_declaration_forms(struct ctx *c)
{
    const struct decls *ds = c->in->decls;
    const struct lean_lex *lx = c->in->lx;
    const struct decl *prev = NULL;
    for (size_t i = 0; i < decls_count(ds); i++) {
        const struct decl *d = decls_get(ds, i);
        if (d->kind == DECL_KIND_AXIOM || d->kind == DECL_KIND_OPAQUE ||
            d->kind == DECL_KIND_EXAMPLE) {
            add(c, "blueprint.forbidden-keyword", d->keyword_span.range,
                "`%s` is not allowed in a blueprint: state it as a `lemma`/`theorem` with a "
                "`sorry` proof, or as a `def`",
                d->keyword);
            continue;
        }
        if (!kind_allowed(d->kind))
            continue;
        const struct blueprint_attr *a = blueprint_for_decl(c->in->bp, i);
        if (a == NULL)
            add(c, "blueprint.bare-declaration", name_range(d),
                "`%s %s` has no @[blueprint] attribute: every declaration of a blueprint is a "
                "node; add `@[blueprint \"%s:...\" (statement := /-- ... -/) ...]` (other "
                "attributes go in the same bracket: `@[simp, blueprint ...]`)",
                d->keyword, show_name(d), expected_prefix(d->kind));
        if (!d->has_name)
            add(c, "blueprint.anonymous", d->keyword_span.range,
                "anonymous `%s`: every node needs a name matching its label; write `%s "
                "my_name : ...`",
                d->keyword, d->keyword);
        /* rule 5: a blank line between consecutive nodes */
        if (prev) {
            uint32_t from = prev->range.range.end.line + 1;
            uint32_t to = d->range.range.start.line;
            bool blank = false;
            for (uint32_t l = from; l < to && !blank; l++)
                blank = lean_lex_line_is_blank(lx, l);
            if (!blank) {
                uint32_t line = d->range.range.start.line;
                uint32_t eol = lean_lex_line_start(lx, line + 1);
                const char *t = lean_lex_text(lx);
                while (eol > d->range.start && (t[eol - 1] == '\n' || t[eol - 1] == '\r'))
                    eol--;
                struct lsp_range r = {d->range.range.start, lean_lex_pos(lx, eol)};
                add(c, "blueprint.spacing", r,
                    "`%s` follows `%s` without a blank line: separate consecutive nodes with one "
                    "blank line",
                    show_name(d), show_name(prev));
            }
        }
        prev = d;
        /* rule 12, modifiers */
        for (size_t k = 0; k < d->nmods; k++) {
            enum decl_mod m = d->mods[k].mod;
            if (m == DECL_MOD_NONCOMPUTABLE || m == DECL_MOD_PRIVATE || m == DECL_MOD_LOCAL)
                continue;
            add(c, "blueprint.latex-env", d->mods[k].span.range,
                "modifier `%.*s` is not allowed before a blueprint node: only `noncomputable`, "
                "`private` and `local` are",
                SPAN(c, d->mods[k].span));
        }
    }
}

/* ---- bodies (rules 9, 10) ---- */

static const char *
malformed_why(enum decl_malformed m)
{
    switch (m) {
    case DECL_MALFORMED_SAME_LINE:
        return "the placeholder is on the same line as `by`; put `by` at the end of the "
               "header and `sorry` (or `sorry_using [...]`) alone on the next line";
    case DECL_MALFORMED_MIXED:
        return "the placeholder is mixed with other tactics or terms; the body must be "
               "exactly `by` then `sorry` / `sorry_using [...]`, or a complete proof";
    case DECL_MALFORMED_SEVERAL:
        return "the body holds several `sorry_using`; merge them into one list on a single "
               "placeholder line";
    case DECL_MALFORMED_TERM_SORRY:
        return "term-mode `:= sorry` is not a placeholder form; write `:= by` then `sorry` on "
               "the next line";
    case DECL_MALFORMED_ADMIT:
        return "`admit` is not a placeholder form; use `sorry` or `sorry_using [...]`";
    case DECL_MALFORMED_BAD_LIST:
        return "`sorry_using` must be followed by a closed list `[a, b]` of node names";
    case DECL_MALFORMED_NONE:
        break;
    }
    return "the body must be `by` then `sorry`, `by` then `sorry_using [...]`, or a complete "
           "proof";
}

static void
check_bodies(struct ctx *c)
{
    const struct decls *ds = c->in->decls;
    for (size_t i = 0; i < decls_count(ds); i++) {
        const struct decl *d = decls_get(ds, i);
        if (kind_proof(d->kind)) {
            if (c->strict && d->proof == DECL_PROOF_MALFORMED)
                add(c, "blueprint.placeholder-form", d->placeholder.range,
                    "invalid placeholder in `%s`: %s", show_name(d), malformed_why(d->malformed));
            else if (c->strict &&
                     (d->proof == DECL_PROOF_SORRY || d->proof == DECL_PROOF_SORRY_USING) &&
                     d->body_main_tok_end < d->body_tok_end)
                /* rule 9: the body is exactly the placeholder; a `where` helper or a
                 * termination clause after it is more (LeanMarathon refuses it too) */
                add(c, "blueprint.placeholder-form", d->placeholder.range,
                    "invalid placeholder in `%s`: nothing may follow the placeholder (a "
                    "`where`, `termination_by` or `decreasing_by` clause); make helpers nodes "
                    "of their own",
                    show_name(d));
            continue;
        }
        if (!kind_allowed(d->kind) && d->kind != DECL_KIND_IRREDUCIBLE_DEF)
            continue;
        if (!c->strict && blueprint_for_decl(c->in->bp, i) == NULL)
            continue;
        for (size_t k = 0; k < d->nsorries; k++) {
            const struct decl_sorry *s = &d->sorries[k];
            if (s->kind == DECL_SORRY_ADMIT)
                continue;
            add(c, "blueprint.definition-sorry", s->span.range,
                "definition `%s` contains `%.*s`: definitions are global context and must be "
                "complete; give it a real value (or turn the claim into a lemma)",
                show_name(d), SPAN(c, s->span));
        }
    }
}

/* ---- the attribute (rules 7, 8, 11, 12, 13) ---- */

static void
check_braces(struct ctx *c, const char *who, const struct blueprint_field *f)
{
    if (f->braces_balanced)
        return;
    add(c, "blueprint.unbalanced-braces", f->name_span.range,
        "unbalanced `{`/`}` in the `%s` of `%s` (line %u, column %u): escape literal braces as "
        "`\\{` `\\}` or close the group",
        f->name, who, f->brace_error.range.start.line + 1,
        f->brace_error.range.start.character + 1);
}

/* a == b as Lean names: `«x»` quotes the atom x (so `«aux_one»` is `aux_one`). */
static bool
names_equal(const char *a, const char *b)
{
    for (;;) {
        while ((unsigned char)a[0] == 0xC2 && ((unsigned char)a[1] == 0xAB || (unsigned char)a[1] == 0xBB))
            a += 2;
        while ((unsigned char)b[0] == 0xC2 && ((unsigned char)b[1] == 0xAB || (unsigned char)b[1] == 0xBB))
            b += 2;
        if (*a != *b)
            return false;
        if (*a == '\0')
            return true;
        a++;
        b++;
    }
}

/* Rules 11 and 8, both profiles: duplicate fields, braces in the LaTeX texts. who names the
 * node in messages. */
static void
check_fields(struct ctx *c, const char *who, const struct blueprint_attr *a)
{
    /* rule 11: duplicate fields */
    for (size_t k = 0; k < a->nfields; k++) {
        const struct blueprint_field *f = &a->fields[k];
        for (size_t j = 0; j < k; j++) {
            const struct blueprint_field *g = &a->fields[j];
            bool same = f->kind == g->kind &&
                        (f->kind != BLUEPRINT_FIELD_UNKNOWN || strcmp(f->name, g->name) == 0);
            if (!same)
                continue;
            add(c, "blueprint.duplicate-field", f->name_span.range,
                "field `%s` is given twice in the @[blueprint] of `%s` (first at line %u): keep "
                "one",
                f->name, who, g->name_span.range.start.line + 1);
            break;
        }
    }
    /* rule 8: braces in LaTeX texts */
    for (size_t k = 0; k < a->nfields; k++) {
        const struct blueprint_field *f = &a->fields[k];
        if (f->kind == BLUEPRINT_FIELD_STATEMENT || f->kind == BLUEPRINT_FIELD_PROOF ||
            f->kind == BLUEPRINT_FIELD_TITLE)
            check_braces(c, who, f);
    }
}

static void
check_attribute(struct ctx *c, size_t i, const struct decl *d, const struct blueprint_attr *a)
{
    check_fields(c, show_name(d), a);
    if (!c->strict)
        return;
    if (!kind_allowed(d->kind))
        return;
    /* rule 7: required fields */
    static const enum blueprint_field_kind required[] = {
        BLUEPRINT_FIELD_STATEMENT, BLUEPRINT_FIELD_TITLE, BLUEPRINT_FIELD_PROOF};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++) {
        if (required[k] == BLUEPRINT_FIELD_PROOF && !kind_proof(d->kind))
            continue;
        const char *fname = blueprint_field_name(required[k]);
        const struct blueprint_field *f = blueprint_attr_field(a, required[k]);
        if (f == NULL)
            add(c, "blueprint.missing-field", a->keyword.range,
                "the @[blueprint] of `%s` has no `%s` field: add `(%s := /-- ... -/)`",
                show_name(d), fname, fname);
        else if (blank_text(f->text))
            add(c, "blueprint.missing-field", f->name_span.range,
                "the `%s` field of `%s` is empty: write its LaTeX text", fname, show_name(d));
    }
    /* rule 12: latexEnv */
    const char *want = expected_env(d->kind);
    const struct blueprint_field *env = blueprint_attr_field(a, BLUEPRINT_FIELD_LATEX_ENV);
    if (env == NULL) {
        add(c, "blueprint.latex-env", a->keyword.range,
            "the @[blueprint] of `%s` has no `latexEnv` field: add `(latexEnv := \"%s\")`",
            show_name(d), want);
    } else if (strcmp(env->text, "definition") != 0 && strcmp(env->text, "lemma") != 0 &&
               strcmp(env->text, "theorem") != 0) {
        add(c, "blueprint.latex-env", env->name_span.range,
            "latexEnv `%s` is not one of `definition`, `lemma`, `theorem`: `%s %s` needs "
            "`(latexEnv := \"%s\")`",
            env->text, d->keyword, show_name(d), want);
    } else if (strcmp(env->text, want) != 0) {
        add(c, "blueprint.latex-env", env->name_span.range,
            "latexEnv `%s` does not match the keyword `%s`: write `(latexEnv := \"%s\")`",
            env->text, d->keyword, want);
    }
    /* rule 13: label prefix and label/name agreement */
    struct lean_span lspan = a->keyword;
    const char *label = attr_label(a, &lspan);
    const char *pre = expected_prefix(d->kind);
    if (label == NULL) {
        add(c, "blueprint.label-prefix", a->keyword.range,
            "the @[blueprint] of `%s` has no label: write `@[blueprint \"%s:%s\" ...]`",
            show_name(d), pre, d->has_name ? d->name : "name");
        return;
    }
    const char *colon = strchr(label, ':');
    size_t plen = colon ? (size_t)(colon - label) : 0;
    bool known = colon && ((plen == 3 && (memcmp(label, "def", 3) == 0 ||
                                           memcmp(label, "lem", 3) == 0 ||
                                           memcmp(label, "thm", 3) == 0)));
    if (!known)
        add(c, "blueprint.label-prefix", lspan.range,
            "label `%s` must start with `def:`, `lem:` or `thm:`; `%s %s` takes `%s:`", label,
            d->keyword, show_name(d), pre);
    else if (memcmp(label, pre, 3) != 0)
        add(c, "blueprint.label-prefix", lspan.range,
            "label prefix `%.3s:` does not match the keyword `%s`: use `%s:`", label, d->keyword,
            pre);
    if (colon && d->has_name) {
        size_t n = strlen(colon + 1);
        char *expect = xstrndup(colon + 1, n);
        for (char *p = expect; *p; p++)
            if (*p == '-')
                *p = '_';
        if (!names_equal(expect, d->name))
            add(c, "blueprint.label-name", d->name_span.range,
                "label `%s` requires Lean name `%s`, found `%s`: rename the declaration or fix "
                "the label",
                label, expect, d->name);
        free(expect);
    }
    (void)i;
}

static void
check_attributes(struct ctx *c)
{
    const struct decls *ds = c->in->decls;
    for (size_t k = 0; k < blueprint_count(c->in->bp); k++) {
        const struct blueprint_attr *a = blueprint_get(c->in->bp, k);
        const struct decl *d = decls_get(ds, a->decl);
        if (a->cmd != SIZE_MAX) {
            /* `attribute [blueprint …] name`: the attribute's own faults only */
            check_fields(c, a->has_target ? a->target_name : "attribute", a);
            continue;
        }
        if (d == NULL)
            continue;
        if (blueprint_for_decl(c->in->bp, a->decl) != a) {
            /* a second blueprint attribute on one declaration: only its fields' own faults */
            continue;
        }
        check_attribute(c, a->decl, d, a);
    }
}

/* ---- names (rule 14) ---- */

/* A byte that can belong to a TeX word (letters, digits, any non-ASCII byte). */
static bool
tex_word_byte(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch >= 0x80;
}

static bool
tex_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* The next significant byte of a LaTeX text at *p (advancing past it), 0 at the end. A run of
 * white space reads as one ' ' when it separates two word bytes (`\alpha b`, `two words`) and
 * as nothing otherwise (`\[ q` is `\[q`, `r \]` is `r\]`): TeX reads both alike. */
static char
tex_next(const char **p, char *prev)
{
    const char *s = *p;
    if (tex_space(*s)) {
        while (tex_space(*s))
            s++;
        if (*s && tex_word_byte((unsigned char)*prev) && tex_word_byte((unsigned char)*s)) {
            *p = s;
            *prev = ' ';
            return ' ';
        }
    }
    if (*s == '\0') {
        *p = s;
        return 0;
    }
    *p = s + 1;
    *prev = *s;
    return *s;
}

/* Two LaTeX texts that differ at most in white space TeX ignores. */
static bool
tex_same(const char *a, const char *b)
{
    char pa = 0, pb = 0;
    if (a == NULL || b == NULL)
        return a == b;
    for (;;) {
        char ca = tex_next(&a, &pa), cb = tex_next(&b, &pb);
        if (ca != cb)
            return false;
        if (ca == 0)
            return true;
    }
}

static void
check_duplicates(struct ctx *c)
{
    const struct dag *g = c->in->dag;
    for (size_t dd = 0; dd < dag_decl_count(g); dd++) {
        const struct dag_decl_info *info = dag_decl(g, dd);
        if (*info->name && *info->full_name) {
            long first = dag_find_full(g, info->full_name, strlen(info->full_name));
            if (first >= 0 && (size_t)first != dd) {
                const struct dag_decl_info *f = dag_decl(g, (size_t)first);
                add(c, "blueprint.duplicate-name", info->name_range,
                    "`%s` is already declared at line %u: node names must be unique; rename one",
                    info->full_name, f->name_range.start.line + 1);
                continue;
            }
        }
        if (!info->label)
            continue;
        size_t ni = dag_decl_node(g, dd);
        long lab_node = dag_find_label(g, info->label, strlen(info->label));
        if (c->strict) {
            if (lab_node >= 0 && (size_t)lab_node != ni) {
                const struct dag_node *f = dag_node(g, (size_t)lab_node);
                add(c, "blueprint.duplicate-name", info->name_range,
                    "label `%s` is already used by `%s` (line %u): labels must be unique",
                    info->label, f->name, f->name_range.start.line + 1);
            }
            continue;
        }
        /* architect: declarations sharing a label are one node and LeanArchitect writes one
         * LaTeX text for it; two different statements conflict (one of them is lost), the
         * same statement repeated does not */
        const struct dag_node *n = dag_node(g, ni);
        if (!info->has_statement || n->decls[0] == dd)
            continue;
        for (size_t k = 0; k < n->ndecls && n->decls[k] != dd; k++) {
            const struct dag_decl_info *o = dag_decl(g, n->decls[k]);
            if (!o->has_statement || tex_same(o->statement, info->statement))
                continue;
            add(c, "blueprint.duplicate-name", info->name_range,
                "label `%s` already has a different statement at `%s` (line %u): declarations "
                "sharing a label form one node with one LaTeX text; give them the same "
                "statement, keep one, or use another label",
                info->label, o->name, o->name_range.start.line + 1);
            break;
        }
    }
}

/* ---- dependencies (rules 15-18) ---- */

static void
check_sorry_using(struct ctx *c)
{
    const struct dag *g = c->in->dag;
    const struct decls *ds = c->in->decls;
    /* comments inside the lists (strict) */
    if (c->strict) {
        for (size_t i = 0; i < decls_count(ds); i++) {
            const struct decl *d = decls_get(ds, i);
            for (size_t k = 0; k < d->nusings; k++)
                if (d->usings[k].has_comment)
                    add(c, "blueprint.sorry-using", d->usings[k].comment.range,
                        "comment inside the `sorry_using` list of `%s`: lists hold node names "
                        "only; move the comment out",
                        show_name(d));
        }
    }
    for (size_t r = 0; r < dag_ref_count(g); r++) {
        const struct dag_ref *ref = dag_ref(g, r);
        if (ref->kind != DAG_REF_SORRY_USING)
            continue;
        const struct dag_decl_info *from = dag_decl(g, ref->decl);
        int len = ref->len > 200 ? 200 : (int)ref->len;
        if (ref->target < 0) {
            add(c, "blueprint.sorry-using", ref->range,
                "`%.*s` in the `sorry_using` list of `%s` is not a node of this file: fix the "
                "name or add the node above",
                len, ref->text, from->name);
            continue;
        }
        if (!c->strict)
            continue;
        const struct dag_decl_info *to = dag_decl(g, (size_t)ref->target);
        if (to->kind == ANALYSIS_KIND_DEFINITION)
            add(c, "blueprint.sorry-using", ref->range,
                "`%.*s` in the `sorry_using` list of `%s` is a definition (`%s`): definitions "
                "are global context, list only lemmas and theorems",
                len, ref->text, from->name, to->keyword);
        else if ((size_t)ref->target >= ref->decl)
            add(c, "blueprint.sorry-using", ref->range,
                "`%.*s` in the `sorry_using` list of `%s` is declared %s: a node may only use "
                "nodes declared strictly earlier; move it above",
                len, ref->text, from->name,
                (size_t)ref->target == ref->decl ? "by the node itself" : "later in the file");
    }
    for (size_t u = 0; u < dag_use_count(g); u++) {
        const struct dag_use *use = dag_use(g, u);
        if (use->target >= 0)
            continue;
        /* architect: LeanArchitect copies a string entry into `\uses{…}` unchecked (a node
         * of another module, a LaTeX-only node) and resolves a name against everything
         * imported (Lean reports an unknown one itself); no single file can refute either */
        if (!c->strict)
            continue;
        const struct dag_decl_info *from = dag_decl(g, use->decl);
        int len = use->len > 200 ? 200 : (int)use->len;
        add(c, "blueprint.sorry-using", use->range,
            "%s `%.*s` in the uses of `%s` is not a node of this file: fix it or remove it",
            use->is_label ? "label" : "name", len, use->text, from->name);
    }
}

static bool
cref_is_dep(const struct dag_node *n, size_t target)
{
    for (size_t k = 0; k < n->ndeps; k++)
        if (n->deps[k] == target)
            return true;
    return false;
}

static void
check_crefs_list(struct ctx *c, const char *who, const struct blueprint_cref *cr, size_t n,
                 const char *where)
{
    for (size_t k = 0; k < n; k++) {
        if (dag_find_label(c->in->dag, cr[k].label, strlen(cr[k].label)) >= 0)
            continue;
        add(c, "blueprint.cref-unknown", cr[k].span.range,
            "`\\%s{%s}` in the %s of `%s` names no node of this file: fix the label or add the "
            "node",
            cr[k].capital ? "Cref" : "cref", cr[k].label, where, who);
    }
}

static void
check_crefs(struct ctx *c)
{
    const struct decls *ds = c->in->decls;
    const struct dag *g = c->in->dag;
    for (size_t k = 0; k < blueprint_count(c->in->bp); k++) {
        const struct blueprint_attr *a = blueprint_get(c->in->bp, k);
        const struct decl *d = decls_get(ds, a->decl);
        const char *who = d ? show_name(d) : a->has_target ? a->target_name : "attribute";
        if (d == NULL && a->cmd == SIZE_MAX)
            continue;
        const struct blueprint_field *proof = NULL;
        for (size_t f = 0; f < a->nfields; f++) {
            const struct blueprint_field *fl = &a->fields[f];
            if (fl->kind == BLUEPRINT_FIELD_STATEMENT)
                check_crefs_list(c, who, fl->crefs, fl->ncrefs, "statement");
            else if (fl->kind == BLUEPRINT_FIELD_PROOF) {
                check_crefs_list(c, who, fl->crefs, fl->ncrefs, "proof");
                if (proof == NULL)
                    proof = fl;
            }
        }
        if (d == NULL)
            continue;
        if (proof == NULL && !c->strict && blueprint_for_decl(c->in->bp, a->decl) == a) {
            /* architect: the proof text may be doc comments inside the tactic block */
            const struct lean_lex *lx = c->in->lx;
            for (size_t p = 0; p < d->nproof_docs; p++) {
                const struct lean_tok *t = lean_lex_tok(lx, d->proof_docs[p]);
                if (t == NULL)
                    continue;
                size_t n = 0;
                struct blueprint_cref *cr =
                    blueprint_scan_crefs(lx, t->content_start, t->content_end, &n);
                check_crefs_list(c, show_name(d), cr, n, "proof");
                blueprint_crefs_free(cr, n);
            }
        }
        /* rule 16 parity (strict): cited lemma/theorem labels == dependencies */
        if (!c->strict || proof == NULL || !kind_proof(d->kind) ||
            d->proof == DECL_PROOF_MALFORMED || blueprint_for_decl(c->in->bp, a->decl) != a)
            continue;
        size_t ni;
        const struct dag_node *n = decl_node(c, a->decl, &ni);
        if (n == NULL)
            continue;
        size_t nn = dag_node_count(g);
        unsigned char *cited = xcalloc(nn ? nn : 1, 1);
        for (size_t q = 0; q < proof->ncrefs; q++) {
            const struct blueprint_cref *cr = &proof->crefs[q];
            long t = dag_find_label(g, cr->label, strlen(cr->label));
            if (t < 0 || (size_t)t == ni)
                continue;
            const struct dag_node *tn = dag_node(g, (size_t)t);
            if (tn->kind == ANALYSIS_KIND_DEFINITION || cited[t])
                continue;
            cited[t] = 1;
            if (!cref_is_dep(n, (size_t)t))
                add(c, "blueprint.cref-parity", cr->span.range,
                    "the proof of `%s` cites `%s` but the node does not use `%s`: add it to "
                    "`sorry_using [...]` (or use it in the proof), or drop the citation",
                    n->name, cr->label, tn->name);
        }
        for (size_t q = 0; q < n->ndeps; q++) {
            if (cited[n->deps[q]])
                continue;
            const struct dag_node *tn = dag_node(g, n->deps[q]);
            /* a declaration without @[blueprint] has no label to cite: bare-declaration
             * already asks for its attribute (found by the survey: private helpers) */
            if (!tn->has_blueprint)
                continue;
            add(c, "blueprint.cref-parity", n->dep_ranges[q],
                "`%s` uses `%s` but its proof text does not cite it: add `\\cref{%s}` to the "
                "`proof` field",
                n->name, tn->name, tn->label);
        }
        free(cited);
    }
}

static void
check_closeness(struct ctx *c)
{
    const struct dag *g = c->in->dag;
    size_t nn = dag_node_count(g);
    unsigned char *used = xcalloc(nn ? nn : 1, 1);
    for (size_t i = 0; i < nn; i++) {
        const struct dag_node *n = dag_node(g, i);
        for (size_t k = 0; k < n->ndeps; k++)
            if (dag_node(g, n->deps[k])->first_decl < n->first_decl)
                used[n->deps[k]] = 1;
    }
    for (size_t i = 0; i < nn; i++) {
        const struct dag_node *n = dag_node(g, i);
        if (used[i] || n->kind != ANALYSIS_KIND_LEMMA || !n->has_blueprint || !*n->name ||
            dag_decl(g, n->first_decl)->external)
            continue;
        /* a second declaration of a name is a duplicate-name finding, not an unused lemma
         * (references resolve to the first) */
        if (dag_find_full(g, n->full_name, strlen(n->full_name)) != (long)n->first_decl)
            continue;
        add(c, "blueprint.closeness", n->name_range,
            "lemma `%s` is not used by any later lemma or theorem: add it to a later node's "
            "`sorry_using` list (or use it in a proof), or remove it",
            n->name);
    }
    free(used);
}

/* A node's name in a cycle; a node merged from several declarations (architect: a shared
 * label) names the others and the label, since the edge may come from any of them. */
static void
add_node_name(struct buf *b, const struct dag *g, size_t ni)
{
    const struct dag_node *n = dag_node(g, ni);
    (void)buf_adds(b, n->name);
    if (n->ndecls < 2)
        return;
    (void)buf_adds(b, " (with ");
    for (size_t k = 1; k < n->ndecls; k++)
        (void)buf_addf(b, "%s%s", k > 1 ? ", " : "", dag_decl(g, n->decls[k])->name);
    (void)buf_addf(b, ": label `%s`)", n->label);
}

static void
check_cycles(struct ctx *c)
{
    const struct dag *g = c->in->dag;
    for (size_t i = 0; i < dag_cycle_count(g); i++) {
        const struct dag_cycle *cy = dag_cycle(g, i);
        struct buf b;
        buf_init(&b, 4096);
        for (size_t k = 0; k < cy->npath; k++) {
            add_node_name(&b, g, cy->path[k]);
            (void)buf_adds(&b, " → ");
        }
        (void)buf_adds(&b, dag_node(g, cy->path[0])->name);
        const struct dag_node *n = dag_node(g, cy->closing);
        add(c, "blueprint.cycle", n->name_range,
            "dependency cycle: %s; a proof may not depend on itself, remove one of these uses",
            b.data ? b.data : "");
        buf_release(&b);
    }
}

/* ---- rule 20: comment hygiene (strict) ---- */

static void
check_comments(struct ctx *c)
{
    const struct lean_lex *lx = c->in->lx;
    size_t nallowed = 0, aallowed = 0;
    uint32_t *allowed = NULL; /* start offsets of doc comments that are field values */
    for (size_t k = 0; k < blueprint_count(c->in->bp); k++) {
        const struct blueprint_attr *a = blueprint_get(c->in->bp, k);
        for (size_t f = 0; f < a->nfields; f++) {
            const struct blueprint_field *fl = &a->fields[f];
            if (fl->value_kind != BLUEPRINT_VALUE_DOC ||
                (fl->kind != BLUEPRINT_FIELD_STATEMENT && fl->kind != BLUEPRINT_FIELD_PROOF &&
                 fl->kind != BLUEPRINT_FIELD_TITLE))
                continue;
            if (nallowed == aallowed) {
                aallowed = aallowed ? aallowed * 2 : 64;
                allowed = xreallocarray(allowed, aallowed, sizeof *allowed);
            }
            allowed[nallowed++] = fl->value_span.start;
        }
    }
    size_t ai = 0, ncom;
    const struct lean_tok *toks = lean_lex_tokens(lx);
    const uint32_t *com = lean_lex_comments(lx, &ncom);
    /* the module header: a `/-! -/` before every command but `import` (rule 20 allows it;
     * a `/-!` further down is a comment like any other) */
    uint32_t header_end = UINT32_MAX;
    if (decls_count(c->in->decls) > 0)
        header_end = decls_get(c->in->decls, 0)->range.start;
    for (size_t k = 0; k < decls_cmd_count(c->in->decls); k++) {
        const struct decl_cmd *cmd = decls_cmd(c->in->decls, k);
        if (cmd->kind != DECL_CMD_IMPORT) {
            if (cmd->range.start < header_end)
                header_end = cmd->range.start;
            break;
        }
    }
    bool header_seen = false;
    for (size_t ci = 0; ci < ncom; ci++) {
        const struct lean_tok *t = &toks[com[ci]];
        if (t->kind == LEAN_TOK_MOD_DOC && !header_seen && t->start < header_end) {
            header_seen = true;
            continue;
        }
        while (ai < nallowed && allowed[ai] < t->start)
            ai++;
        if (t->kind == LEAN_TOK_DOC_COMMENT && ai < nallowed && allowed[ai] == t->start)
            continue;
        struct lsp_range r = lean_lex_tok_span(lx, t).range;
        size_t run = 1;
        if (t->kind == LEAN_TOK_LINE_COMMENT && (t->flags & LEAN_TOK_F_LINE_FIRST)) {
            /* a block of `--` lines is one finding, not one per line */
            while (ci + 1 < ncom && com[ci + 1] == com[ci] + 1 &&
                   toks[com[ci + 1]].kind == LEAN_TOK_LINE_COMMENT &&
                   (toks[com[ci + 1]].flags & LEAN_TOK_F_LINE_FIRST) &&
                   toks[com[ci + 1]].line == r.end.line + 1) {
                ci++;
                run++;
                r.end = lean_lex_tok_span(lx, &toks[com[ci]]).range.end;
            }
        }
        const char *what = t->kind == LEAN_TOK_LINE_COMMENT    ? "line comment"
                           : t->kind == LEAN_TOK_DOC_COMMENT ? "doc comment"
                           : t->kind == LEAN_TOK_MOD_DOC     ? "module doc comment (`/-!`) after the header"
                                                             : "block comment";
        if (run > 1)
            add(c, "blueprint.comment-hygiene", r,
                "%zu line comments outside the statement/proof/title fields: a blueprint keeps "
                "its prose in the fields; move them into one or delete them",
                run);
        else
            add(c, "blueprint.comment-hygiene", r,
                "%s outside the statement/proof/title fields: a blueprint keeps its prose in "
                "the fields; move it into one or delete it",
                what);
    }
    free(allowed);
}

/* ---- driver ---- */

static int
finding_cmp(const void *pa, const void *pb)
{
    const struct analysis_finding *a = pa, *b = pb;
    int r = lsp_pos_cmp(a->range.start, b->range.start);
    if (r)
        return r;
    r = lsp_pos_cmp(a->range.end, b->range.end);
    if (r)
        return r;
    r = strcmp(a->code, b->code);
    return r ? r : strcmp(a->message, b->message);
}

void
checks_run(const struct checks_input *in, struct checks_result *out)
{
    struct ctx c = {in, out, in->profile == BP_PROFILE_STRICT, lean_lex_text(in->lx)};
    if (c.strict) {
        check_commands(&c);
        check_declaration_forms(&c);
    }
    check_bodies(&c);
    check_attributes(&c);
    check_duplicates(&c);
    check_sorry_using(&c);
    check_crefs(&c);
    if (c.strict)
        check_closeness(&c);
    check_cycles(&c);
    if (c.strict)
        check_comments(&c);
    if (out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, finding_cmp);
}

void
checks_result_release(struct checks_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        free((char *)r->items[i].message);
    free(r->items);
    memset(r, 0, sizeof *r);
}

enum bp_profile
checks_auto_profile(const struct decls *decls, const struct blueprint *bp)
{
    for (size_t k = 0; k < blueprint_count(bp); k++) {
        const struct blueprint_attr *a = blueprint_get(bp, k);
        if (blueprint_for_decl(bp, a->decl) != a)
            continue;
        const struct decl *d = decls_get(decls, a->decl);
        struct lean_span s;
        const char *label = attr_label(a, &s);
        if (label == NULL ||
            !(strncmp(label, "def:", 4) == 0 || strncmp(label, "lem:", 4) == 0 ||
              strncmp(label, "thm:", 4) == 0))
            return BP_PROFILE_ARCHITECT;
        if (d && kind_proof(d->kind) && blueprint_attr_field(a, BLUEPRINT_FIELD_PROOF) == NULL)
            return BP_PROFILE_ARCHITECT;
    }
    return BP_PROFILE_STRICT;
}
