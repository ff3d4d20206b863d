/*
 * fl_judge.c: judge markers and `#print axioms` (see fl_judge.h).
 *
 * Texts and shapes, from the Lean sources (leanprover/lean4, read through the search index):
 *  - unsolved goals: Term.reportUnsolvedGoals logs `unsolved goals\n<goals>` tagged
 *    Tactic.unsolvedGoals (-> "leanTags":[1], Widget/InteractiveDiagnostic.lean) at the ref of
 *    the `by` block (Elab/SyntheticMVars.lean synthesizeSyntheticMVar: withRef stx), so the
 *    range starts at `by` (at the term for a term-mode proof) and ends where the proof ends.
 *  - `exact?` that finds nothing: throwError "`exact?` could not close the goal. Try `apply?`
 *    to see partial suggestions." at the tactic (Elab/Tactic/LibrarySearch.lean).
 *  - Try this: Meta/Tactic/TryThis.lean addSuggestion: logInfoAt ref m!"{header}{s}" with
 *    header "Try this: " (old); newer Lean prints "Try this:\n  [apply] <s>" (#guard_msgs
 *    outputs of Lean's own tests and Mathlib). The code action title is
 *    "Try this: " ++ text either way (CodeActions: codeActionPrefix?.getD "Try this: ").
 *  - #print axioms: Elab/Print.lean printAxiomsOf: `'{c}' depends on axioms: {axioms.qsort
 *    Name.lt |>.toList}` or `'{c}' does not depend on any axioms`, logged withRef tk (the
 *    `#print` token). Name.lt is Name.cmp (Lean/Data/Name.lean): fewer components first,
 *    then component-wise from the root. The list is MessageData.ofList = sbracket (joinSep
 *    xs ("," ++ Format.line)), a group nested by 1, printed at width 120 (Format.defWidth,
 *    TaggedText.prettyTagged); the group stays flat iff column + its width <= 120
 *    (Format pushGroup), else every separator becomes ",\n ".
 *  - unknown NAME: ResolveName filterFieldList -> throwUnknownConstant at the identifier:
 *    "unknown constant 'N'" (Lean/Exception.lean, 2025), "Unknown constant `N`" in newer
 *    Lean (throwUnknownConstantWithSuggestions).
 *  - native_decide: Lean.ofReduceBool; Init/Core.lean's `opaque reduceBool` uses
 *    `have := trustCompiler`, and CollectAxioms visits opaque values, so Lean versions with
 *    `axiom trustCompiler` also list Lean.trustCompiler. (Lean >= 4.29 adds one
 *    `<decl>._native...` axiom per evaluation instead, Meta/Native.lean: not modelled.)
 */
#include "fl_judge.h"

#include <stdlib.h>
#include <string.h>

#include "fl_scan.h"
#include "fl_util.h"

#define FL_JNONE ((size_t)-1)
#define FL_JUDGE_WIDTH 120 /* Std.Format.defWidth */

enum fl_jkind { FL_JK_PROOF, FL_JK_REJECT, FL_JK_GOAL, FL_JK_TRY_THIS, FL_JK_AXIOMS };

struct fl_jmarker {
    size_t line;
    enum fl_jkind kind;
    char *value; /* text after the colon, trimmed (not unescaped) */
};

enum fl_jverdict {
    FL_JV_NONE,     /* not judged, or nothing to judge */
    FL_JV_ACCEPT,   /* equal to an alternative: no diagnostic */
    FL_JV_SORRY,    /* `sorry`: fl_scan's usual warning */
    FL_JV_REJECT,   /* error on the proof */
    FL_JV_TRY_THIS, /* info on the `?` tactic */
    FL_JV_EXACT,    /* `exact?` error */
};

struct fl_jdecl {
    size_t start_line, end_line, head_start, sig_start, end; /* end: byte after last line */
    char *full_name, *ns;
    bool is_axiom;
    /* markers */
    bool judged;      /* has any judge marker */
    bool judge_proof; /* has a proof or reject marker */
    char **alts;      /* normalised alternatives */
    size_t nalts;
    char *reject, *goal_marker, *try_this; /* unescaped */
    bool has_axioms;
    char **axioms_marker;
    size_t naxioms_marker;
    /* computed */
    size_t proof_s, proof_e; /* bytes of the proof's code, FL_JNONE if none */
    size_t tac_s, tac_e;     /* the first tactic (after `by`) of the proof */
    char *proof;             /* normalised */
    char *goal;              /* effective goal */
    enum fl_jverdict verdict;
    bool has_error, has_sorry, native;
    int state; /* axioms: 0 todo, 1 in progress, 2 done */
    char **ax;
    size_t nax;
};

struct fl_jprint {
    size_t tk, name_s, name_e, line;
    char *ns;
};

struct fl_judge {
    const struct fl_text *t; /* borrowed until fl_judge_axioms */
    const char *m;
    enum fl_judge_style style;
    struct fl_jdecl *d;
    size_t nd, cd;
    struct fl_jmarker *mk;
    size_t nmk, cmk;
    struct fl_jprint *pr;
    size_t npr, cpr;
};

static const char *const fl_query_tactics[] = {"exact?", "apply?", "simp?", "aesop?", "rw?", NULL};

bool
fl_judge_is_query_tactic(const char *s, size_t n)
{
    for (const char *const *q = fl_query_tactics; *q; q++)
        if (strlen(*q) == n && memcmp(*q, s, n) == 0)
            return true;
    return false;
}

struct fl_judge *
fl_judge_new(const struct fl_text *t, const char *mask, enum fl_judge_style st)
{
    struct fl_judge *j = fl_xcalloc(1, sizeof *j);
    j->t = t;
    j->m = mask;
    j->style = st;
    return j;
}

static void
fl_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void
fl_strv_push(char ***v, size_t *n, char *s)
{
    *v = fl_xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

void
fl_judge_free(struct fl_judge *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->nd; i++) {
        struct fl_jdecl *d = &j->d[i];
        free(d->full_name);
        free(d->ns);
        fl_strv_free(d->alts, d->nalts);
        free(d->reject);
        free(d->goal_marker);
        free(d->try_this);
        fl_strv_free(d->axioms_marker, d->naxioms_marker);
        free(d->proof);
        free(d->goal);
        fl_strv_free(d->ax, d->nax);
    }
    for (size_t i = 0; i < j->nmk; i++)
        free(j->mk[i].value);
    for (size_t i = 0; i < j->npr; i++)
        free(j->pr[i].ns);
    free(j->d);
    free(j->mk);
    free(j->pr);
    free(j);
}

size_t
fl_judge_add_decl(struct fl_judge *j, const struct fl_judge_decl *in)
{
    if (j->nd == j->cd) {
        j->cd = j->cd ? 2 * j->cd : 16;
        j->d = fl_xrealloc(j->d, j->cd * sizeof *j->d);
    }
    struct fl_jdecl *d = &j->d[j->nd];
    memset(d, 0, sizeof *d);
    d->start_line = in->start_line;
    d->end_line = in->end_line;
    d->head_start = in->head_start;
    d->sig_start = in->sig_start;
    d->end = fl_text_line_end(j->t, in->end_line);
    d->full_name = in->full_name ? fl_xstrdup(in->full_name) : NULL;
    d->ns = fl_xstrdup(in->ns ? in->ns : "");
    d->is_axiom = in->is_axiom;
    d->proof_s = d->proof_e = d->tac_s = d->tac_e = FL_JNONE;
    return j->nd++;
}

bool
fl_judge_marker(struct fl_judge *j, size_t line, const char *s, size_t n)
{
    static const struct {
        const char *word;
        enum fl_jkind kind;
    } kinds[] = {{"proof", FL_JK_PROOF},
                 {"reject", FL_JK_REJECT},
                 {"goal", FL_JK_GOAL},
                 {"try-this", FL_JK_TRY_THIS},
                 {"axioms", FL_JK_AXIOMS}};
    size_t i = 2; /* after "--" */
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (n - i < 6 || memcmp(s + i, "@fake", 5) != 0 || (s[i + 5] != ' ' && s[i + 5] != '\t'))
        return false;
    i += 5;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t l = strlen(kinds[k].word);
        if (n - i <= l || memcmp(s + i, kinds[k].word, l) != 0 || s[i + l] != ':')
            continue;
        size_t a = i + l + 1, b = n;
        while (a < b && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
            b--;
        if (j->nmk == j->cmk) {
            j->cmk = j->cmk ? 2 * j->cmk : 16;
            j->mk = fl_xrealloc(j->mk, j->cmk * sizeof *j->mk);
        }
        j->mk[j->nmk++] = (struct fl_jmarker){line, kinds[k].kind, fl_xmemdup(s + a, b - a)};
        return true;
    }
    return false;
}

void
fl_judge_add_print(struct fl_judge *j, size_t tk, size_t name_s, size_t name_e, const char *ns)
{
    if (j->npr == j->cpr) {
        j->cpr = j->cpr ? 2 * j->cpr : 8;
        j->pr = fl_xrealloc(j->pr, j->cpr * sizeof *j->pr);
    }
    int64_t line, ch;
    fl_text_position(j->t, name_e, &line, &ch);
    j->pr[j->npr++] = (struct fl_jprint){tk, name_s, name_e, (size_t)line, fl_xstrdup(ns)};
}

/* ---- text helpers -------------------------------------------------------------------- */

/*
 * s[a..b) with comments removed (nesting block comments), string and char literals kept as
 * written, every run of white space (comments included) turned into one space, trimmed, and a
 * leading `by` dropped: the normal form proofs and alternatives are compared in.
 */
static char *
fl_judge_normalize(const char *s, size_t a, size_t b, bool drop_by)
{
    struct fl_str o = {0};
    fl_str_add(&o, "", 0);
    bool space = false;
    size_t i = a;
    while (i < b) {
        char c = s[i];
        if (c == '-' && i + 1 < b && s[i + 1] == '-') {
            while (i < b && s[i] != '\n')
                i++;
            space = true;
            continue;
        }
        if (c == '/' && i + 1 < b && s[i + 1] == '-') {
            int depth = 1;
            i += 2;
            while (i < b && depth > 0) {
                if (s[i] == '/' && i + 1 < b && s[i + 1] == '-')
                    depth++, i += 2;
                else if (s[i] == '-' && i + 1 < b && s[i + 1] == '/')
                    depth--, i += 2;
                else
                    i++;
            }
            space = true;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            i++;
            continue;
        }
        if (space && o.len > 0)
            fl_str_add(&o, " ", 1);
        space = false;
        if (c == '"') {
            size_t k = i + 1;
            while (k < b && s[k] != '"')
                k += s[k] == '\\' && k + 1 < b ? 2 : 1;
            k = k < b ? k + 1 : b;
            fl_str_add(&o, s + i, k - i);
            i = k;
            continue;
        }
        if (c == '\'' && i + 2 < b && s[i + 2] == '\'' && s[i + 1] != '\\') {
            fl_str_add(&o, s + i, 3); /* 'x' (so that '"' is no string) */
            i += 3;
            continue;
        }
        fl_str_add(&o, s + i, 1);
        i++;
    }
    char *r = fl_str_take(&o);
    if (drop_by && strncmp(r, "by", 2) == 0 && (r[2] == ' ' || r[2] == '\0')) {
        size_t skip = r[2] ? 3 : 2;
        memmove(r, r + skip, strlen(r + skip) + 1);
    }
    return r;
}

/* Unescapes `\n` and `\\` (as the other markers do). */
static char *
fl_judge_unescape(const char *s)
{
    struct fl_str o = {0};
    fl_str_add(&o, "", 0);
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\' && (s[i + 1] == 'n' || s[i + 1] == '\\')) {
            fl_str_add(&o, s[i + 1] == 'n' ? "\n" : "\\", 1);
            i++;
        } else {
            fl_str_add(&o, s + i, 1);
        }
    }
    return fl_str_take(&o);
}

/* `A | B | C`: alternatives split at a `|` with white space (or the end) on both sides;
 * `\|` is a literal bar. Each is normalised like a proof. */
static void
fl_judge_split_alts(struct fl_jdecl *d, const char *v)
{
    struct fl_str cur = {0};
    fl_str_add(&cur, "", 0);
    size_t n = strlen(v);
    for (size_t i = 0; i <= n; i++) {
        bool bar = i < n && v[i] == '|' && (i == 0 || v[i - 1] == ' ' || v[i - 1] == '\t') &&
                   (i + 1 >= n || v[i + 1] == ' ' || v[i + 1] == '\t');
        if (i == n || bar) {
            char *raw = fl_str_take(&cur);
            char *alt = fl_judge_normalize(raw, 0, strlen(raw), true);
            free(raw);
            fl_strv_push(&d->alts, &d->nalts, alt);
            fl_str_add(&cur, "", 0);
            continue;
        }
        if (v[i] == '\\' && i + 1 < n && v[i + 1] == '|') {
            fl_str_add(&cur, "|", 1);
            i++;
            continue;
        }
        fl_str_add(&cur, v + i, 1);
    }
    free(cur.s);
}

static void
fl_judge_split_axioms(struct fl_jdecl *d, const char *v)
{
    const char *p = v;
    while (*p) {
        const char *q = strchr(p, ',');
        size_t l = q ? (size_t)(q - p) : strlen(p);
        size_t a = 0, b = l;
        while (a < b && (p[a] == ' ' || p[a] == '\t'))
            a++;
        while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
            b--;
        if (b > a)
            fl_strv_push(&d->axioms_marker, &d->naxioms_marker, fl_xmemdup(p + a, b - a));
        p += l + (q ? 1 : 0);
    }
}

static bool
fl_judge_word_is(const char *m, size_t s, size_t e, const char *w)
{
    size_t l = strlen(w);
    return e - s == l && memcmp(m + s, w, l) == 0;
}

/* Bracket depth change of the (UTF-8) character at m[i]; *len gets its length. */
static int
fl_judge_bracket(const char *m, size_t n, size_t i, size_t *len)
{
    *len = 1;
    switch (m[i]) {
    case '(':
    case '[':
    case '{':
        return 1;
    case ')':
    case ']':
    case '}':
        return -1;
    default:
        break;
    }
    if (i + 2 < n && (unsigned char)m[i] == 0xE2) {
        unsigned char b1 = (unsigned char)m[i + 1], b2 = (unsigned char)m[i + 2];
        *len = 3;
        if ((b1 == 0x9F && b2 == 0xA8) || (b1 == 0xA6 && b2 == 0x83)) /* ⟨ ⦃ */
            return 1;
        if ((b1 == 0x9F && b2 == 0xA9) || (b1 == 0xA6 && b2 == 0x84)) /* ⟩ ⦄ */
            return -1;
    }
    return 0;
}

static void
fl_judge_range(const struct fl_text *t, struct fl_diag *g, size_t a, size_t b)
{
    fl_text_position(t, a, &g->full_range.start.line, &g->full_range.start.character);
    fl_text_position(t, b, &g->full_range.end.line, &g->full_range.end.character);
    g->range = g->full_range;
    if (g->range.end.line > g->range.start.line) { /* lean-lsp-facts §3.1 */
        g->range.end.line = g->range.start.line + 1;
        g->range.end.character = 0;
    }
}

static void
fl_judge_emit(struct fl_judge *j, fl_judge_emit_fn *emit, void *arg, int severity, int tag,
              char *message, size_t a, size_t b, size_t report_line)
{
    struct fl_diag g;
    memset(&g, 0, sizeof g);
    g.severity = severity;
    g.lean_tag = tag;
    g.message = message;
    fl_judge_range(j->t, &g, a, b);
    g.report_line = report_line;
    emit(arg, &g, report_line);
}

/* ---- judging ------------------------------------------------------------------------- */

static void
fl_judge_attach_markers(struct fl_judge *j)
{
    for (size_t i = 0; i < j->nmk; i++) {
        const struct fl_jmarker *mk = &j->mk[i];
        size_t k = 0;
        while (k < j->nd && j->d[k].start_line < mk->line)
            k++;
        if (k == j->nd)
            continue; /* no declaration follows */
        struct fl_jdecl *d = &j->d[k];
        d->judged = true;
        switch (mk->kind) {
        case FL_JK_PROOF:
            d->judge_proof = true;
            fl_judge_split_alts(d, mk->value);
            break;
        case FL_JK_REJECT:
            d->judge_proof = true;
            if (!d->reject)
                d->reject = fl_judge_unescape(mk->value);
            break;
        case FL_JK_GOAL:
            if (!d->goal_marker)
                d->goal_marker = fl_judge_unescape(mk->value);
            break;
        case FL_JK_TRY_THIS:
            if (!d->try_this)
                d->try_this = fl_judge_unescape(mk->value);
            break;
        case FL_JK_AXIOMS:
            if (!d->has_axioms) {
                d->has_axioms = true;
                fl_judge_split_axioms(d, mk->value);
            }
            break;
        }
    }
}

/* Finds the proof (after the first top-level `:=`) and the type (after the signature's last
 * top-level `:`) of d. */
static void
fl_judge_locate(struct fl_judge *j, struct fl_jdecl *d)
{
    const char *m = j->m;
    size_t n = d->end, depth = 0, colon = FL_JNONE, assign = FL_JNONE;
    for (size_t i = d->sig_start; i < n;) {
        size_t len;
        int b = fl_judge_bracket(m, n, i, &len);
        if (b > 0) {
            depth++;
        } else if (b < 0) {
            if (depth > 0)
                depth--;
        } else if (depth == 0 && m[i] == ':') {
            if (i + 1 < n && m[i + 1] == '=') {
                assign = i;
                break;
            }
            if (!(i + 1 < n && m[i + 1] == ':') && !(i > 0 && m[i - 1] == ':'))
                colon = i;
        }
        i += len;
    }
    char *type = NULL;
    if (colon != FL_JNONE && assign != FL_JNONE)
        type = fl_judge_normalize(j->t->s, colon + 1, assign, false);
    if (d->goal_marker)
        d->goal = fl_xstrdup(d->goal_marker);
    else
        d->goal = fl_xasprintf("\xe2\x8a\xa2 %s", type && *type ? type : "?");
    free(type);
    if (assign == FL_JNONE)
        return;
    size_t s = assign + 2;
    while (s < n && (m[s] == ' ' || m[s] == '\t' || m[s] == '\n' || m[s] == '\r'))
        s++;
    size_t e = n;
    while (e > s && (m[e - 1] == ' ' || m[e - 1] == '\t' || m[e - 1] == '\n' || m[e - 1] == '\r'))
        e--;
    if (e <= s)
        return;
    d->proof_s = s;
    d->proof_e = e;
    d->proof = fl_judge_normalize(j->t->s, s, e, true);
    size_t i = s, ts, te;
    if (!fl_ident_next(m, e, &i, &ts, &te))
        return;
    if (fl_judge_word_is(m, ts, te, "by") && !fl_ident_next(m, e, &i, &ts, &te))
        return;
    d->tac_s = ts;
    d->tac_e = te;
}

static bool
fl_judge_is_alt(const struct fl_jdecl *d)
{
    for (size_t i = 0; i < d->nalts; i++)
        if (strcmp(d->alts[i], d->proof) == 0)
            return true;
    return false;
}

static char *
fl_judge_try_this_message(const struct fl_judge *j, const char *text)
{
    if (j->style == FL_JUDGE_OLD)
        return fl_xasprintf("Try this: %s", text);
    return fl_xasprintf("Try this:\n  [apply] %s", text);
}

void
fl_judge_elaborate(struct fl_judge *j, fl_judge_emit_fn *emit, void *arg)
{
    fl_judge_attach_markers(j);
    for (size_t k = 0; k < j->nd; k++) {
        struct fl_jdecl *d = &j->d[k];
        size_t i = d->head_start, s, e;
        while (fl_ident_next(j->m, d->end, &i, &s, &e))
            if (fl_judge_word_is(j->m, s, e, "native_decide") && !(s > 0 && j->m[s - 1] == '.'))
                d->native = true;
        if (!d->judged) {
            /* No tactic proves `False` (hypotheses are not contradictory unless a marker
             * says so): an unmarked `... : False := by TACTICS` is rejected, as Lean would
             * (lsp-proxy's vacuity check relies on it). Likewise `decide` on a negation
             * (`... : ¬ P := by decide`: P holds unless a marker says it fails; the
             * refutation check relies on it), rejected with Lean's words for a decidable
             * proposition that evaluates to false (Meta/Tactic/Decide). A term such as an
             * axiom is left alone. */
            fl_judge_locate(j, d);
            bool is_false = d->goal && strcmp(d->goal, "\xe2\x8a\xa2 False") == 0;
            bool is_neg_decide = d->goal && d->proof && strncmp(d->goal, "\xe2\x8a\xa2 \xc2\xac", 6) == 0 &&
                                 strcmp(d->proof, "decide") == 0;
            if (!d->proof || !(is_false || is_neg_decide) ||
                d->proof_s == FL_JNONE || strncmp(j->m + d->proof_s, "by", 2) != 0 ||
                !strchr(" \t\r\n", j->m[d->proof_s + 2]) ||
                strcmp(d->proof, "sorry") == 0 || strncmp(d->proof, "sorry_using", 11) == 0)
                continue;
            d->judged = d->judge_proof = true;
            if (is_neg_decide && !d->reject)
                d->reject = fl_xasprintf("tactic 'decide' proved that the proposition\n  %s\nis false",
                                         d->goal + 4);
        } else {
            fl_judge_locate(j, d);
        }
        if (!d->proof)
            continue;
        bool query = fl_judge_is_query_tactic(d->proof, strlen(d->proof)) && d->tac_s != FL_JNONE;
        if (query && d->try_this) {
            d->verdict = FL_JV_TRY_THIS;
            fl_judge_emit(j, emit, arg, 3, 0, fl_judge_try_this_message(j, d->try_this), d->tac_s,
                          d->tac_e, d->end_line);
        } else if (query && strcmp(d->proof, "exact?") == 0) {
            d->verdict = FL_JV_EXACT;
            fl_judge_emit(j, emit, arg, 1, 0,
                          fl_xstrdup("`exact?` could not close the goal. Try `apply?` to see "
                                     "partial suggestions."),
                          d->tac_s, d->tac_e, d->end_line);
        } else if (!d->judge_proof) {
            d->verdict = FL_JV_NONE;
        } else if (fl_judge_is_alt(d)) {
            d->verdict = FL_JV_ACCEPT;
        } else if (strcmp(d->proof, "sorry") == 0 || strcmp(d->proof, "admit") == 0 ||
                   (strncmp(d->proof, "sorry_using", 11) == 0 &&
                    strchr(" \t\n[", d->proof[11]) != NULL)) {
            /* LeanArchitect's `sorry_using [deps]` elaborates as a sorry */
            d->verdict = FL_JV_SORRY;
        } else {
            d->verdict = FL_JV_REJECT;
            char *msg =
                d->reject ? fl_xstrdup(d->reject) : fl_xasprintf("unsolved goals\n%s", d->goal);
            int tag = strncmp(msg, "unsolved goals", 14) == 0 ? 1 : 0;
            fl_judge_emit(j, emit, arg, 1, tag, msg, d->proof_s, d->proof_e, d->end_line);
        }
    }
}

bool
fl_judge_failed(const struct fl_judge *j, size_t k)
{
    return k < j->nd && (j->d[k].verdict == FL_JV_REJECT || j->d[k].verdict == FL_JV_EXACT);
}

void
fl_judge_set_status(struct fl_judge *j, size_t k, bool has_error, bool has_sorry)
{
    if (k < j->nd) {
        j->d[k].has_error = has_error;
        j->d[k].has_sorry = has_sorry;
    }
}

/* ---- axioms -------------------------------------------------------------------------- */

/* Components of a name (split at dots outside «»). */
static size_t
fl_judge_components(const char *s, const char **part, size_t *plen, size_t max)
{
    size_t n = 0, start = 0;
    bool esc = false;
    for (size_t i = 0;; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC2 && (unsigned char)s[i + 1] == 0xAB)
            esc = true;
        else if (c == 0xC2 && (unsigned char)s[i + 1] == 0xBB)
            esc = false;
        if (c == '\0' || (c == '.' && !esc)) {
            if (n < max) {
                part[n] = s + start;
                plen[n] = i - start;
            }
            n++;
            start = i + 1;
            if (c == '\0')
                break;
        }
    }
    return n;
}

/* Lean's Name.lt (Name.cmp): fewer components first, then from the root, each component
 * compared as a String (code points, i.e. UTF-8 bytes). */
static int
fl_judge_name_cmp(const void *pa, const void *pb)
{
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
    const char *ap[64], *bp[64];
    size_t al[64], bl[64];
    size_t na = fl_judge_components(a, ap, al, 64), nb = fl_judge_components(b, bp, bl, 64);
    if (na != nb)
        return na < nb ? -1 : 1;
    for (size_t i = 0; i < na && i < 64; i++) {
        size_t l = al[i] < bl[i] ? al[i] : bl[i];
        int c = memcmp(ap[i], bp[i], l);
        if (c)
            return c;
        if (al[i] != bl[i])
            return al[i] < bl[i] ? -1 : 1;
    }
    return strcmp(a, b);
}

static void
fl_judge_ax_add(struct fl_jdecl *d, const char *name)
{
    for (size_t i = 0; i < d->nax; i++)
        if (strcmp(d->ax[i], name) == 0)
            return;
    fl_strv_push(&d->ax, &d->nax, fl_xstrdup(name));
}

/* Index of the declaration among the first `limit` ones that `id` (s[0..n)) names from
 * inside namespace ns (innermost namespace first, as ResolveName does), or FL_JNONE. */
static size_t
fl_judge_resolve(const struct fl_judge *j, const char *ns, const char *s, size_t n, size_t limit)
{
    if (n > 7 && memcmp(s, "_root_.", 7) == 0) {
        s += 7;
        n -= 7;
        ns = "";
    }
    size_t nsl = strlen(ns);
    for (;;) {
        for (size_t k = 0; k < limit && k < j->nd; k++) {
            const char *f = j->d[k].full_name;
            if (!f)
                continue;
            size_t fl = strlen(f);
            if (nsl == 0 ? fl == n && memcmp(f, s, n) == 0
                         : fl == nsl + 1 + n && memcmp(f, ns, nsl) == 0 && f[nsl] == '.' &&
                               memcmp(f + nsl + 1, s, n) == 0)
                return k;
        }
        if (nsl == 0)
            return FL_JNONE;
        while (nsl > 0 && ns[nsl - 1] != '.')
            nsl--;
        if (nsl > 0)
            nsl--; /* drop the dot */
    }
}

static void fl_judge_collect(struct fl_judge *j, size_t k);

/* An identifier used by declaration k: its declaration (or, for field notation like
 * `foo.trans`, that of its longest resolvable prefix) contributes its axioms. */
static void
fl_judge_use(struct fl_judge *j, size_t k, size_t s, size_t e)
{
    const char *m = j->m;
    for (size_t end = e; end > s;) {
        size_t r = fl_judge_resolve(j, j->d[k].ns, m + s, end - s, k);
        if (r != FL_JNONE) {
            fl_judge_collect(j, r);
            for (size_t i = 0; i < j->d[r].nax; i++)
                fl_judge_ax_add(&j->d[k], j->d[r].ax[i]);
            return;
        }
        while (end > s && m[end - 1] != '.')
            end--;
        if (end > s)
            end--;
    }
}

/* The axioms of declaration k (CollectAxioms: over its type and value, transitively). */
static void
fl_judge_collect(struct fl_judge *j, size_t k)
{
    struct fl_jdecl *d = &j->d[k];
    if (d->state != 0)
        return; /* done, or a cycle */
    d->state = 1;
    if (d->has_axioms) {
        for (size_t i = 0; i < d->naxioms_marker; i++)
            fl_judge_ax_add(d, d->axioms_marker[i]);
    } else if (d->is_axiom) {
        if (d->full_name) /* an axiom is its own only axiom (its type is not visited) */
            fl_judge_ax_add(d, d->full_name);
    } else {
        if (d->has_sorry || d->has_error) /* errors are filled in with synthetic sorries */
            fl_judge_ax_add(d, "sorryAx");
        if (d->native) {
            fl_judge_ax_add(d, "Lean.ofReduceBool");
            if (j->style == FL_JUDGE_NEW)
                fl_judge_ax_add(d, "Lean.trustCompiler");
        }
        size_t i = d->head_start, s, e;
        while (fl_ident_next(j->m, d->end, &i, &s, &e))
            if (!(s > 0 && j->m[s - 1] == '.') && !(d->full_name && e == d->sig_start))
                fl_judge_use(j, k, s, e); /* (its own name is no use) */
    }
    if (d->nax > 1)
        qsort(d->ax, d->nax, sizeof *d->ax, fl_judge_name_cmp);
    d->state = 2;
}

static size_t
fl_judge_codepoints(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* `'C' depends on axioms: [a, b]`, wrapped as Lean's formatter does at width 120. */
static char *
fl_judge_axioms_message(const char *name, char **ax, size_t n)
{
    if (n == 0)
        return fl_xasprintf("'%s' does not depend on any axioms", name);
    char *prefix = fl_xasprintf("'%s' depends on axioms: ", name);
    struct fl_str flat = {0};
    fl_str_adds(&flat, "[");
    for (size_t i = 0; i < n; i++)
        fl_str_addf(&flat, "%s%s", i ? ", " : "", ax[i]);
    fl_str_adds(&flat, "]");
    struct fl_str o = {0};
    fl_str_adds(&o, prefix);
    if (fl_judge_codepoints(prefix) + fl_judge_codepoints(flat.s) <= FL_JUDGE_WIDTH) {
        fl_str_adds(&o, flat.s);
    } else {
        fl_str_adds(&o, "[");
        for (size_t i = 0; i < n; i++)
            fl_str_addf(&o, "%s%s", i ? ",\n " : "", ax[i]);
        fl_str_adds(&o, "]");
    }
    free(flat.s);
    free(prefix);
    return fl_str_take(&o);
}

void
fl_judge_axioms(struct fl_judge *j, fl_judge_emit_fn *emit, void *arg)
{
    for (size_t p = 0; p < j->npr; p++) {
        const struct fl_jprint *pr = &j->pr[p];
        size_t limit = 0; /* only what is declared before the command exists */
        while (limit < j->nd && j->d[limit].head_start < pr->tk)
            limit++;
        const char *name = j->t->s + pr->name_s;
        size_t nl = pr->name_e - pr->name_s;
        size_t k = fl_judge_resolve(j, pr->ns, name, nl, limit);
        if (k == FL_JNONE) {
            char *msg = j->style == FL_JUDGE_OLD
                            ? fl_xasprintf("unknown constant '%.*s'", (int)nl, name)
                            : fl_xasprintf("Unknown constant `%.*s`", (int)nl, name);
            fl_judge_emit(j, emit, arg, 1, 0, msg, pr->name_s, pr->name_e, pr->line);
            continue;
        }
        fl_judge_collect(j, k);
        fl_judge_emit(j, emit, arg, 3, 0,
                      fl_judge_axioms_message(j->d[k].full_name, j->d[k].ax, j->d[k].nax), pr->tk,
                      pr->tk + 6, pr->line);
    }
    j->t = NULL; /* no longer borrowed */
    j->m = NULL;
}

/* ---- queries ------------------------------------------------------------------------- */

static const struct fl_jdecl *
fl_judge_decl_at(const struct fl_judge *j, size_t off)
{
    for (size_t k = 0; k < j->nd; k++)
        if (j->d[k].head_start <= off && off <= j->d[k].end)
            return &j->d[k];
    return NULL;
}

const char *
fl_judge_goal_at(const struct fl_judge *j, size_t off)
{
    const struct fl_jdecl *d = j ? fl_judge_decl_at(j, off) : NULL;
    if (!d || !d->judged || d->proof_s == FL_JNONE || off < d->proof_s || off > d->proof_e)
        return NULL;
    return d->goal;
}

enum fl_judge_hint
fl_judge_suggestion(const struct fl_judge *j, size_t off, const char **text)
{
    const struct fl_jdecl *d = j ? fl_judge_decl_at(j, off) : NULL;
    if (!d || !d->judged)
        return FL_JUDGE_HINT_NONE;
    if (!d->try_this)
        return FL_JUDGE_HINT_NO_ACTION;
    *text = d->try_this;
    return FL_JUDGE_HINT_SUGGESTION;
}
