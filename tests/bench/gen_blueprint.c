/*
 * gen_blueprint: prints a synthetic blueprint in the strict LeanMarathon contract
 * (shared/blueprint-contract.md) to stdout, for benchmarks of the blueprint engine.
 *
 * The default is the size of LeanMarathon's largest published run: about 15,000 lines and
 * 200 nodes (60 definitions, 137 lemmas, 3 theorems). The prose is LaTeX and the Lean is
 * Unicode (ℝ ℕ ∀ ∃ ≤ ⁻¹ x₁, and 𝔽, which is a UTF-16 surrogate pair). About half the proofs
 * are complete tactic scripts of 10 to 60 lines and the rest are `sorry` or
 * `sorry_using [...]` placeholders. Dependencies only go to earlier lemmas, every lemma is
 * used by a later node, and each proof field cites exactly its dependencies, so
 * `lsp-proxy check --strict` must find nothing. The output is deterministic for given
 * options (a fixed seed by default). The prose is scaled until the line count is close to
 * --lines (default: 75 lines per node); the Lean code alone sets a floor.
 *
 * Standalone: only libc (the Makefile links the project library, but nothing here uses it).
 * Usage: gen_blueprint [--nodes N] [--lines L] [--seed S] > file.lean
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_WIDTH 100          /* wrap prose at this many bytes */
#define GEN_NAME_MAX 96        /* bytes, including the NUL */
#define GEN_TACTIC_MIN 10      /* lines of a complete proof body */
#define GEN_TACTIC_MAX 60

/* ---- errors and memory ---- */

static void
die(const char *msg)
{
    fputs("gen_blueprint: ", stderr);
    fputs(msg, stderr);
    fputc('\n', stderr);
    exit(2);
}

static void *
gen_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        die("out of memory");
    return q;
}

/* ---- growable output buffer ---- */

struct sbuf {
    char *data;
    size_t len;  /* bytes used, excluding the NUL */
    size_t cap;  /* bytes allocated */
};

static void
sb_reserve(struct sbuf *sb, size_t extra)
{
    size_t want = sb->len + extra + 1;

    if (want <= sb->cap)
        return;
    if (sb->cap == 0)
        sb->cap = 4096;
    while (sb->cap < want)
        sb->cap *= 2;
    sb->data = gen_xrealloc(sb->data, sb->cap);
}

static void
sb_addn(struct sbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n);
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

static void
sb_add(struct sbuf *sb, const char *s)
{
    sb_addn(sb, s, strlen(s));
}

static void
sb_addc(struct sbuf *sb, char c)
{
    sb_addn(sb, &c, 1);
}

static void sb_fmt(struct sbuf *sb, const char *fmt, ...) __attribute__((format(__printf__, 2, 3)));

static void
sb_fmt(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("bad format");
    sb_reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

static void
sb_clear(struct sbuf *sb)
{
    sb->len = 0;
    if (sb->data != NULL)
        sb->data[0] = '\0';
}

static void
sb_release(struct sbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

/* ---- deterministic random numbers (splitmix64) ---- */

struct rng {
    uint64_t state;
};

static uint64_t
rng_next(struct rng *r)
{
    uint64_t z = (r->state += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static size_t
rng_below(struct rng *r, size_t n)
{
    return (size_t)(rng_next(r) % (uint64_t)n);
}

/* Uniform in [lo, hi]. */
static int
rng_range(struct rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (size_t)(hi - lo + 1));
}

/* True with probability pct/100. */
static bool
rng_pct(struct rng *r, int pct)
{
    return (int)rng_below(r, 100) < pct;
}

static struct rng
rng_seeded(uint64_t seed, uint64_t stream, uint64_t salt)
{
    struct rng r = { seed ^ (stream * UINT64_C(0xD1B54A32D192ED03)) ^ (salt << 48) };

    rng_next(&r);
    return r;
}

#define PICK(r, arr) ((arr)[rng_below((r), sizeof(arr) / sizeof((arr)[0]))])
#define COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

/* ---- the vocabulary ---- */

static const char *const adjectives[] = {
    "weighted", "dyadic",   "truncated", "normalized", "smoothed", "twisted",  "discrete",
    "localized", "residual", "spectral", "shifted",    "averaged", "lacunary", "periodic",
};
static const char *const nouns[] = {
    "sum", "kernel", "density", "weight", "block", "moment", "measure",
    "energy", "gap", "norm", "count", "profile", "average", "transform",
};

/* The shape of a definition decides its Lean signature and how lemmas talk about it. */
enum shape { SHAPE_SEQ, SHAPE_REAL, SHAPE_FIELD, SHAPE_SET, SHAPE_STRUCT, SHAPE_COUNT };

/* Lemma name suffixes with the matching title words. */
static const char *const predicates[][2] = {
    { "nonneg", "Nonnegativity" },          { "mono", "Monotonicity" },
    { "tail_bound", "Tail bound" },         { "sub_le", "Difference bound" },
    { "mul_le", "Product bound" },          { "add_le", "Subadditivity" },
    { "le_sum", "Comparison with the sum" }, { "antitone", "Antitonicity" },
    { "le_sqrt", "Square-root bound" },     { "inv_le", "Inverse bound" },
    { "upper_bound", "Upper bound" },       { "lower_bound", "Lower bound" },
    { "abs_le", "Absolute bound" },         { "sq_le", "Quadratic bound" },
    { "telescope", "Telescoping identity" }, { "step", "One-step estimate" },
    { "split", "Splitting" },               { "dyadic_decomp", "Dyadic decomposition" },
    { "approx", "Approximation" },          { "error_le", "Error bound" },
    { "card_le", "Cardinality bound" },     { "ne_zero", "Non-vanishing" },
    { "le_two_mul", "Doubling bound" },     { "lipschitz", "Lipschitz estimate" },
    { "shift_le", "Shift estimate" },       { "cauchy_schwarz", "Cauchy--Schwarz step" },
    { "holder", "H\\\"older step" },        { "uniform", "Uniformity" },
    { "stable", "Stability" },              { "limit", "Limit behaviour" },
    { "comparison", "Comparison" },         { "pos", "Positivity" },
};

static const char *const theorem_names[][2] = {
    { "main_estimate", "Main estimate" },
    { "uniform_bound", "Uniform bound" },
    { "asymptotic_formula", "Asymptotic formula" },
    { "density_theorem", "Density theorem" },
    { "large_sieve_inequality", "Large sieve inequality" },
};

/* ---- nodes ---- */

enum node_kind { NODE_DEF, NODE_LEMMA, NODE_THEOREM };
enum body_kind { BODY_COMPLETE, BODY_SORRY, BODY_SORRY_USING };

struct node {
    enum node_kind kind;
    enum body_kind body;
    enum shape shape;       /* definitions: their own; proof nodes: their subject's */
    size_t subject;         /* proof nodes: index of the definition they are about */
    size_t helper;          /* an earlier definition the node also mentions (may be subject) */
    char name[GEN_NAME_MAX];
    char label[GEN_NAME_MAX + 8];
    char phrase[64];        /* definitions: "weighted sum" */
    char symbol[32];        /* definitions: "\mathcal{W}" */
    char title[160];
    size_t *deps;           /* indices of earlier proof nodes, ascending */
    size_t ndeps;
    int stmt_base;          /* sentences of the statement before scaling */
    int proof_base;         /* sentences of the proof prose before scaling */
    int tactic_lines;       /* target length of a complete proof body */
    int variant;            /* which template: conclusion, or definition body */
};

struct plan {
    struct node *nodes;
    size_t n;
    uint64_t seed;
};

static bool
name_taken(const struct plan *p, size_t upto, const char *name)
{
    for (size_t i = 0; i < upto; i++)
        if (strcmp(p->nodes[i].name, name) == 0)
            return true;
    return false;
}

/* label = prefix + name with '_' turned into '-' (the contract's label-name rule). */
static void
make_label(struct node *nd, const char *prefix)
{
    size_t k = strlen(prefix);

    memcpy(nd->label, prefix, k);
    for (const char *s = nd->name; *s != '\0'; s++)
        nd->label[k++] = *s == '_' ? '-' : *s;
    nd->label[k] = '\0';
}

static void
set_name(struct node *nd, const char *a, const char *b, const char *c)
{
    char tmp[GEN_NAME_MAX]; /* a may be another node's name: never format in place */
    int n = snprintf(tmp, sizeof tmp, "%s%s%s%s%s", a, b[0] ? "_" : "", b, c[0] ? "_" : "", c);

    if (n < 0 || (size_t)n >= sizeof tmp)
        die("name too long");
    memcpy(nd->name, tmp, (size_t)n + 1);
}

static const char *const number_words[] = { "", "two", "three", "four", "five", "six",
                                            "seven", "eight", "nine", "ten" };

static void
plan_definition(struct plan *p, size_t i, size_t def_no, struct rng *r)
{
    struct node *nd = &p->nodes[i];
    size_t na = COUNT(adjectives), nn = COUNT(nouns);
    /* Walk the adjective-noun grid with a stride coprime to its size, so the first
     * definitions are spread over the vocabulary. */
    size_t cell = (def_no * 37 + (size_t)(p->seed % 11)) % (na * nn);
    const char *adj = adjectives[cell / nn], *noun = nouns[cell % nn];
    size_t round = def_no / (na * nn);

    nd->kind = NODE_DEF;
    set_name(nd, adj, noun, round < COUNT(number_words) ? number_words[round] : "many");
    for (size_t extra = 0; name_taken(p, i, nd->name); extra++) {
        char suffix[32];
        snprintf(suffix, sizeof suffix, "v%zu", extra + 2);
        set_name(nd, adj, noun, suffix);
    }
    make_label(nd, "def:");
    snprintf(nd->phrase, sizeof nd->phrase, "%s %s", adj, noun);
    {
        static const char *const fonts[] = { "\\mathcal", "\\mathsf", "\\mathrm", "\\mathfrak" };
        char letter = (char)(noun[0] - 'a' + 'A');
        snprintf(nd->symbol, sizeof nd->symbol, "%s{%c}", PICK(r, fonts), letter);
    }
    {
        int w = rng_range(r, 0, 99);
        nd->shape = w < 34   ? SHAPE_SEQ
                    : w < 56 ? SHAPE_REAL
                    : w < 74 ? SHAPE_FIELD
                    : w < 88 ? SHAPE_SET
                             : SHAPE_STRUCT;
    }
    snprintf(nd->title, sizeof nd->title, "The %s", nd->phrase);
    nd->stmt_base = rng_range(r, 3, 6);
    nd->variant = rng_range(r, 0, 3);
}

static void
plan_proof_node(struct plan *p, size_t i, size_t ndefs_so_far, const size_t *defs,
                enum node_kind kind, size_t thm_no, struct rng *r)
{
    struct node *nd = &p->nodes[i];

    nd->kind = kind;
    /* Lemmas are mostly about recent definitions. */
    {
        size_t window = ndefs_so_far < 6 ? ndefs_so_far : 6;
        size_t k = rng_pct(r, 70) ? ndefs_so_far - 1 - rng_below(r, window)
                                  : rng_below(r, ndefs_so_far);
        nd->subject = defs[k];
        nd->helper = defs[rng_below(r, ndefs_so_far)];
    }
    nd->shape = p->nodes[nd->subject].shape;
    nd->variant = rng_range(r, 0, 3);
    if (kind == NODE_THEOREM) {
        size_t t = thm_no % COUNT(theorem_names), round = thm_no / COUNT(theorem_names);
        set_name(nd, theorem_names[t][0], round == 0 ? "" : "v",
                 round == 0 ? "" : number_words[round % COUNT(number_words)]);
        snprintf(nd->title, sizeof nd->title, "%s for the %s", theorem_names[t][1],
                 p->nodes[nd->subject].phrase);
        make_label(nd, "thm:");
    } else {
        size_t np = COUNT(predicates), pk = rng_below(r, np), used = pk;
        const char *subj = p->nodes[nd->subject].name;

        for (size_t tries = 0;; tries++) {
            if (tries < np) {
                used = (pk + tries) % np;
                set_name(nd, subj, predicates[used][0], "");
            } else {
                char suffix[64];
                used = pk;
                snprintf(suffix, sizeof suffix, "%s_aux%zu", predicates[pk][0], tries - np + 1);
                set_name(nd, subj, suffix, "");
            }
            if (!name_taken(p, i, nd->name))
                break;
        }
        snprintf(nd->title, sizeof nd->title, "%s for the %s", predicates[used][1],
                 p->nodes[nd->subject].phrase);
        make_label(nd, "lem:");
    }
    nd->stmt_base = rng_range(r, 4, 8);
    nd->proof_base = rng_range(r, 8, 20);
    /* Skewed towards longer scripts (the largest of three draws): the mean is about 47. */
    nd->tactic_lines = GEN_TACTIC_MIN;
    for (int k = 0; k < 3; k++) {
        int v = rng_range(r, GEN_TACTIC_MIN, GEN_TACTIC_MAX);
        nd->tactic_lines = v > nd->tactic_lines ? v : nd->tactic_lines;
    }
}

static void
add_dep(struct node *nd, size_t dep, size_t *cap)
{
    for (size_t k = 0; k < nd->ndeps; k++)
        if (nd->deps[k] == dep)
            return;
    if (nd->ndeps == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        nd->deps = gen_xrealloc(nd->deps, *cap * sizeof *nd->deps);
    }
    nd->deps[nd->ndeps++] = dep;
}

static int
cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

/* Chooses kinds, names, bodies and dependencies. Every lemma ends up used by a later node:
 * each node first takes dependencies from the pool of lemmas nobody uses yet, and the
 * theorems at the end take whatever is left. */
static void
plan_build(struct plan *p, size_t n, uint64_t seed)
{
    size_t ndefs = n * 3 / 10, nthm = n * 3 / 200;
    size_t nproof_slots, front, *defs, ndefs_so_far = 0, def_no = 0, thm_no = 0;
    size_t *unused, nunused = 0, *proofs, nproofs = 0; /* proofs: the lemmas so far */

    if (ndefs < 1)
        ndefs = 1;
    if (nthm < 1)
        nthm = 1;
    p->n = n;
    p->seed = seed;
    p->nodes = gen_xrealloc(NULL, n * sizeof *p->nodes);
    memset(p->nodes, 0, n * sizeof *p->nodes);
    defs = gen_xrealloc(NULL, n * sizeof *defs);
    unused = gen_xrealloc(NULL, n * sizeof *unused);
    proofs = gen_xrealloc(NULL, n * sizeof *proofs);
    nproof_slots = n - nthm;
    /* Definitions are spread evenly over the first three quarters, starting at slot 0. */
    front = nproof_slots * 3 / 4;
    if (front < ndefs)
        front = ndefs;
    if (front > nproof_slots)
        front = nproof_slots;

    for (size_t i = 0; i < n; i++) {
        struct node *nd = &p->nodes[i];
        struct rng nr = rng_seeded(seed, i + 1, 2);
        size_t cap = 0;

        /* Definition k sits at slot floor(k * front / ndefs): slot 0 and then evenly. */
        if (def_no < ndefs && i == def_no * front / ndefs) {
            plan_definition(p, i, def_no++, &nr);
            nd->helper = ndefs_so_far > 0 ? defs[rng_below(&nr, ndefs_so_far)] : i;
            defs[ndefs_so_far++] = i;
            continue;
        }
        if (i >= nproof_slots) {
            plan_proof_node(p, i, ndefs_so_far, defs, NODE_THEOREM, thm_no, &nr);
            /* The theorems share out the lemmas nobody uses yet; the last takes the rest. */
            {
                size_t left_thm = n - i, take = (nunused + left_thm - 1) / left_thm;
                for (size_t k = 0; k < take && nunused > 0; k++)
                    add_dep(nd, unused[--nunused], &cap);
                for (int tries = 0; nd->ndeps < 2 && nproofs > 0 && tries < 16; tries++)
                    add_dep(nd, proofs[nproofs - 1 - rng_below(&nr, nproofs < 8 ? nproofs : 8)],
                            &cap);
            }
            nd->body = rng_pct(&nr, 50) ? BODY_COMPLETE : BODY_SORRY_USING;
            thm_no++;
        } else {
            int roll = rng_range(&nr, 0, 99);
            plan_proof_node(p, i, ndefs_so_far, defs, NODE_LEMMA, 0, &nr);
            if (nproofs == 0)
                nd->body = roll < 60 ? BODY_COMPLETE : BODY_SORRY;
            else
                nd->body = roll < 54 ? BODY_COMPLETE : roll < 68 ? BODY_SORRY : BODY_SORRY_USING;
            if (nd->body != BODY_SORRY && nproofs > 0) {
                size_t want = (size_t)rng_range(&nr, 1, 3) + (rng_pct(&nr, 10) ? 1 : 0);
                size_t from_pool = nunused > 3 ? 3 : nunused < 2 ? nunused : 2;
                if (nd->body == BODY_COMPLETE && rng_pct(&nr, 8) && nunused <= 1) {
                    want = 0;
                    from_pool = 0;
                }
                if (from_pool > want && want > 0)
                    want = from_pool;
                for (size_t k = 0; k < from_pool; k++) {
                    size_t pick = rng_below(&nr, nunused);
                    add_dep(nd, unused[pick], &cap);
                    unused[pick] = unused[--nunused];
                }
                while (nd->ndeps < want && nd->ndeps < nproofs) {
                    size_t recent = nproofs < 20 ? nproofs : 20;
                    size_t pick = rng_pct(&nr, 70) ? nproofs - 1 - rng_below(&nr, recent)
                                                   : rng_below(&nr, nproofs);
                    add_dep(nd, proofs[pick], &cap);
                }
                /* A dependency taken at random may have been in the pool. */
                for (size_t k = 0; k < nd->ndeps; k++)
                    for (size_t u = 0; u < nunused; u++)
                        if (unused[u] == nd->deps[k]) {
                            unused[u] = unused[--nunused];
                            break;
                        }
            }
            unused[nunused++] = i;
            proofs[nproofs++] = i;
        }
        if (nd->ndeps > 1)
            qsort(nd->deps, nd->ndeps, sizeof *nd->deps, cmp_size);
        if (nd->ndeps == 0 && nd->body == BODY_SORRY_USING)
            nd->body = BODY_SORRY;
    }
    if (nunused != 0 || def_no != ndefs)
        die("internal error: a lemma is left unused or a definition unplaced");
    free(defs);
    free(unused);
    free(proofs);
}

static void
plan_release(struct plan *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->nodes[i].deps);
    free(p->nodes);
}

/* ---- LaTeX prose ---- */

/* Placeholders in templates: @S symbol, @P phrase, @L label of the subject definition;
 * @H phrase and @M label of the helper definition; @C and @D cited labels. */
struct prose_ctx {
    const struct node *subject;
    const struct node *helper;
    const char *cite1;
    const char *cite2;
    struct rng *r;      /* for @1 (a small integer) and @2 (an exponent) */
};

static void
expand(struct sbuf *out, const char *tmpl, const struct prose_ctx *cx)
{
    for (const char *s = tmpl; *s != '\0'; s++) {
        if (*s != '@' || s[1] == '\0') {
            sb_addc(out, *s);
            continue;
        }
        s++;
        switch (*s) {
        case 'S': sb_add(out, cx->subject->symbol); break;
        case 'P': sb_add(out, cx->subject->phrase); break;
        case 'L': sb_add(out, cx->subject->label); break;
        case 'H': sb_add(out, cx->helper->phrase); break;
        case 'M': sb_add(out, cx->helper->label); break;
        case 'C': sb_add(out, cx->cite1 ? cx->cite1 : ""); break;
        case 'D': sb_add(out, cx->cite2 ? cx->cite2 : ""); break;
        case '1': sb_fmt(out, "%d", rng_range(cx->r, 2, 9)); break;
        case '2': {
            static const char *const exps[] = { "1/2", "1/3", "2/3", "1/4", "3/4", "1" };
            sb_add(out, PICK(cx->r, exps));
            break;
        }
        default: sb_addc(out, '@'); sb_addc(out, *s); break;
        }
    }
}

/* Which shapes a sentence suits: a mask of 1 << shape. */
#define M_SEQ (1u << SHAPE_SEQ)
#define M_REAL (1u << SHAPE_REAL)
#define M_FIELD (1u << SHAPE_FIELD)
#define M_SET (1u << SHAPE_SET)
#define M_STRUCT (1u << SHAPE_STRUCT)
#define M_AN (M_SEQ | M_REAL)
#define M_FF (M_FIELD | M_STRUCT)
#define M_ALL (M_AN | M_FF | M_SET)

struct sentence {
    unsigned mask;
    const char *text;
};

/* Definition statements. Index 0 and 1 describe the two Lean bodies of write_definition;
 * index 2 the body built on an earlier definition (the helper), for SEQ and REAL. */
static const char *const def_intro[SHAPE_COUNT][3] = {
    [SHAPE_SEQ] = {
        "For $f \\colon \\mathbb{N} \\to \\mathbb{R}$ and $N \\in \\mathbb{N}$, the @P of $f$ is "
        "$@S_N(f) = \\sum_{n < N} f(n) (1 + n)^{-1}$.",
        "Given a sequence $(f(n))_{n \\ge 0}$ of reals, its @P up to $N \\ge 1$ is the mean square "
        "$@S_N(f) = N^{-1} \\sum_{n < N} f(n)^2$, and $@S_0(f) = 0$.",
        "The @P of $f \\colon \\mathbb{N} \\to \\mathbb{R}$ is $@S_N(f) = \\sum_{n < N} f(n) "
        "\\bigl(1 + \\lvert H_n(f) \\rvert\\bigr)^{-1}$, where $H$ is the @H of \\cref{@M}.",
    },
    [SHAPE_REAL] = {
        "For $x \\in \\mathbb{R}$ and $N \\in \\mathbb{N}$ the @P is the lacunary sum "
        "$@S_N(x) = \\sum_{k < N} 2^{-k} \\cos(2^k x)$.",
        "For $x > 0$ let $@S_N(x) = \\sum_{k < N} x^{-1} (1 + k x)^{-2}$; for $x \\le 0$ we put "
        "$@S_N(x) = 0$.",
        "The @P is $@S_N(x) = H_N(x) + \\sum_{k < N} 2^{-k} \\sin(k x)$ for $x \\in \\mathbb{R}$, "
        "where $H$ is the @H of \\cref{@M}.",
    },
    [SHAPE_FIELD] = {
        "For a finite field $\\mathbb{F}$ and $a \\in \\mathbb{F}$, the @P "
        "$@S_{\\mathbb{F}}(a)$ is the number of $x \\in \\mathbb{F}$ with $x^2 = a$.",
        "Let $\\mathbb{F}$ be a finite field. For $a \\in \\mathbb{F}$ the @P "
        "$@S_{\\mathbb{F}}(a)$ counts the pairs $(x, y) \\in \\mathbb{F}^2$ with "
        "$x^2 + a y^2 = 1$.",
        NULL,
    },
    [SHAPE_SET] = {
        "For $N \\in \\mathbb{N}$ the @P $@S_N$ is the dyadic block "
        "$\\{n \\in \\mathbb{N} : 2^N \\le n < 2^{N+1}\\}$.",
        "For $N \\ge 1$ the @P $@S_N$ is the set of $n \\in [1, N]$ coprime to $N$.",
        NULL,
    },
    [SHAPE_STRUCT] = {
        "A @P over a finite field $\\mathbb{F}$ consists of a center $c \\in \\mathbb{F}$, "
        "a radius $r \\ge 1$ and a nonnegative weight $w \\colon \\mathbb{F} \\to \\mathbb{R}$.",
        "Let $\\mathbb{F}$ be a finite field. A @P on $\\mathbb{F}$ is a triple $(c, r, w)$ with "
        "$c \\in \\mathbb{F}$, $r \\in \\mathbb{N}$, $r > 0$, and $w \\ge 0$ a real function on "
        "$\\mathbb{F}$, possibly with a finite support $S$ outside which $w$ vanishes.",
        NULL,
    },
};

static const struct sentence def_more[] = {
    { M_ALL, "This is the basic quantity of this part of the argument." },
    { M_ALL, "We write $@S$ when the parameters are clear from the context." },
    { M_AN, "The normalization is chosen so that the trivial bound is exactly $1$." },
    { M_ALL, "All the estimates below are uniform in the parameters unless stated otherwise." },
    { M_AN, "Only finitely many terms are nonzero, so no convergence issue arises." },
    { M_ALL, "It plays the role that the @H of \\cref{@M} plays in the first part." },
    { M_SEQ, "For $N = 0$ the definition gives the empty sum, which is $0$." },
    { M_AN, "The definition makes sense over any ordered field, but we only need $\\mathbb{R}$." },
    { M_SEQ, "Replacing the weight by its dyadic average changes nothing below." },
    { M_AN, "The notation follows the standard references on exponential sums." },
    { M_FF, "Everything below is invariant under automorphisms of $\\mathbb{F}$." },
    { M_FF, "We only use that $\\mathbb{F}$ is finite; its characteristic plays no role." },
    { M_SET, "The blocks for different $N$ are pairwise disjoint." },
    { M_SET, "As a finite set it comes with its cardinality $\\lvert @S_N \\rvert$." },
    { M_STRUCT, "Two such data are equal when their centers, radii and weights agree." },
    { M_REAL, "As a function of $x$ it is continuous and $2 \\pi$-periodic up to the error term." },
    { M_ALL, "The name is ours; the object is classical." },
};

static const char *const stmt_intro[SHAPE_COUNT] = {
    [SHAPE_SEQ] = "Let $f \\colon \\mathbb{N} \\to \\mathbb{R}$ be nonnegative, let $N \\le M$ be "
                  "natural numbers and let $x_1 > 0$ be real.",
    [SHAPE_REAL] = "Let $x_1 > 0$ be real and let $N \\in \\mathbb{N}$.",
    [SHAPE_FIELD] = "Let $\\mathbb{F}$ be a finite field and let $a \\in \\mathbb{F}$, $a \\ne 0$.",
    [SHAPE_SET] = "Let $N \\ge 1$ be a natural number.",
    [SHAPE_STRUCT] = "Let $\\mathbb{F}$ be a finite field and let $P$ be a @P over $\\mathbb{F}$ "
                     "in the sense of \\cref{@L}.",
};

/* Parallel to conclusion[][] in the Lean part. */
static const char *const stmt_claim[SHAPE_COUNT][4] = {
    [SHAPE_SEQ] = {
        "Then the @P of \\cref{@L} is monotone: $@S_N(f) \\le @S_M(f)$.",
        "Then $@S_M(f) - @S_N(f) \\le x_1^{-1} \\sum_{N \\le n < M} f(n)$.",
        "If moreover $f \\le 1$ pointwise, then "
        "$\\lvert @S_N(f) - @S_M(f) \\rvert \\le (M - N) \\, x_1^{-1}$.",
        "Then there is $C > 0$ with $@S_n(f) \\le C n$ for all $n \\ge N$.",
    },
    [SHAPE_REAL] = {
        "Then the @P of \\cref{@L} satisfies $\\lvert @S_N(x_1) \\rvert \\le 2$.",
        "Then $@S_N(x_1) \\le @S_{N+1}(x_1) + x_1^{-1}$.",
        "Then $0 < @S_N(x_1) + x_1$.",
        "Then $@S_N(x_1^{-1}) \\le x_1 \\, @S_N(1)$.",
    },
    [SHAPE_FIELD] = {
        "Then $@S_{\\mathbb{F}}(a) \\le \\lvert \\mathbb{F} \\rvert$, where $@S$ is the @P of "
        "\\cref{@L}.",
        "Then $@S_{\\mathbb{F}}(a^{-1}) = @S_{\\mathbb{F}}(a)$.",
        "Then $2 \\, @S_{\\mathbb{F}}(a) \\le \\lvert \\mathbb{F} \\rvert + 1$.",
        "Then there is $x_1 \\ne 0$ in $\\mathbb{F}$ with "
        "$@S_{\\mathbb{F}}(a x_1^2) = @S_{\\mathbb{F}}(a)$.",
    },
    [SHAPE_SET] = {
        "Then the @P of \\cref{@L} has at most $2^N$ elements.",
        "Then every element $n$ of $@S_N$ satisfies $2^N \\le n$.",
        "Then $@S_N$ and $@S_{N+1}$ are disjoint.",
        "Then $@S_N$ is nonempty and contained in $[0, 2^{N+1})$.",
    },
    [SHAPE_STRUCT] = {
        "Then the radius of $P$ is positive.",
        "Then the weight of $P$ is nonnegative at every point of $\\mathbb{F}$.",
        "Then $r(P) \\le \\lvert \\mathbb{F} \\rvert \\, r(P)$.",
        "Then $\\sum_{x \\in \\mathbb{F}} w_P(x) \\ge 0$.",
    },
};

static const struct sentence stmt_more[] = {
    { M_ALL, "The implied constants are absolute." },
    { M_AN | M_SET, "In particular the bound is uniform in $N$." },
    { M_SEQ, "Equality holds if and only if $f$ vanishes on $[N, M)$." },
    { M_ALL, "The same holds, with the same proof, for the @H of \\cref{@M}." },
    { M_AN, "The exponent cannot be improved in general." },
    { M_AN, "No assumption on the size of $x_1$ beyond positivity is needed." },
    { M_ALL, "This is the form in which the estimate is used later." },
    { M_AN, "We do not need the sharper bound with the factor $\\log(1 + x_1^{-1})$." },
    { M_FF | M_SET, "All quantities involved are finite, so the statement is purely "
                    "combinatorial." },
    { M_FF, "Here $\\lvert \\mathbb{F} \\rvert$ denotes the number of elements of $\\mathbb{F}$." },
    { M_FF, "The hypothesis $a \\ne 0$ is only used to divide by $a$." },
    { M_SET, "The bound is attained for every $N$." },
    { M_SEQ, "The hypothesis $N \\le M$ cannot be dropped." },
    { M_REAL, "The bound is sharp as $x_1 \\to 0$." },
};

static const struct sentence proof_filler[] = {
    { M_SEQ, "We split the range of summation at $n = \\lfloor \\sqrt{M} \\rfloor$ and treat the "
             "two ranges separately." },
    { M_SEQ, "On the first range the trivial bound $f(n) \\le \\max_{m \\le M} f(m)$ "
             "suffices." },
    { M_SEQ, "By the Cauchy--Schwarz inequality, \\[ \\Bigl(\\sum_{n < M} f(n) w_n\\Bigr)^2 "
             "\\le \\sum_{n < M} f(n)^2 \\cdot \\sum_{n < M} w_n^2. \\]" },
    { M_AN, "Summing the geometric series $\\sum_{k \\ge 0} 2^{-k} = 2$ loses a factor of at "
            "most $2$." },
    { M_AN, "Since $x_1^{-1} \\le 1 + x_1^{-2}$ for every $x_1 > 0$, the error term is "
            "absorbed." },
    { M_SEQ, "The contribution of the dyadic block $[2^k, 2^{k+1})$ is at most $2^{-k/2}$ times "
             "its length." },
    { M_SEQ, "Partial summation turns the weighted sum into $\\sum_{n < M} (w_n - w_{n+1}) F(n)$ "
             "with $F(n) = \\sum_{m \\le n} f(m)$." },
    { M_SEQ, "All terms are nonnegative, so we may drop the terms with $n < N$." },
    { M_AN, "Taking $\\varepsilon = x_1 / 2$ and $N_0 = \\lceil 2 / x_1 \\rceil$ gives the claim "
            "for $n \\ge N_0$." },
    { M_SEQ, "The case $N = M$ is trivial, so we assume $N < M$." },
    { M_SEQ, "Induction on $M - N$ reduces the claim to the case $M = N + 1$, which is a direct "
             "computation." },
    { M_AN, "Here we use that $t \\mapsto t^{-1}$ is decreasing on $(0, \\infty)$." },
    { M_SEQ, "Combining the two estimates with $\\sqrt{M} \\le M$ finishes this step." },
    { M_AN, "The sum over $k$ has $O(\\log M)$ terms, each bounded by $1$." },
    { M_REAL, "Multiplying out, the cross terms cancel in pairs by the symmetry $x \\mapsto -x$." },
    { M_SEQ, "We may assume that $f$ is supported on $[N, M)$, since the other terms change "
             "neither side." },
    { M_SEQ, "Write $n = 2^k m$ with $m$ odd and group the terms according to $k$." },
    { M_SEQ, "The inequality is homogeneous in $f$, so we may normalize "
             "$\\sum_{n < M} f(n) = 1$." },
    { M_SEQ, "The remaining range contributes at most $x_1^{-1} (M - N)^{1/2}$, which is smaller "
             "than the main term." },
    { M_AN, "This is where the positivity of $x_1$ is needed." },
    { M_AN, "Both sides are continuous in $x_1$, so it suffices to treat rational $x_1$." },
    { M_REAL, "Using $\\lvert \\cos t \\rvert \\le 1$ termwise gives "
              "\\[ \\lvert @S_N(x_1) \\rvert \\le \\sum_{k < N} 2^{-k} < 2. \\]" },
    { M_REAL, "The $k$-th term is at most $x_1^{-1} (1 + k x_1)^{-2}$, and the sum over $k$ of "
              "these is at most $x_1^{-1} + x_1^{-2}$." },
    { M_REAL, "The substitution $x_1 \\mapsto x_1^{-1}$ exchanges the two ranges $k x_1 \\le 1$ "
              "and $k x_1 > 1$." },
    { M_REAL, "For $k \\ge 1$ we have $1 + k x_1 \\ge 2 \\sqrt{k x_1}$ by the AM--GM "
              "inequality." },
    { M_REAL, "The new term $2^{-N} \\cos(2^N x_1)$ has absolute value at most $2^{-N} \\le 1$." },
    { M_AN, "We record the elementary inequality \\[ \\frac{1}{1 + t} \\le \\min\\{1, t^{-1}\\} "
            "\\qquad (t > 0), \\] which is used twice below." },
    { M_SEQ, "Abel summation with $w_n = (1 + n)^{-1}$ and $w_n - w_{n+1} = (1 + n)^{-1} "
             "(2 + n)^{-1}$ gives a telescoping bound." },
    { M_SEQ, "Since $f \\ge 0$, the partial sums $F(n)$ are nondecreasing in $n$." },
    { M_FF, "For $\\mathbb{F}$ of characteristic $p$ the map $x \\mapsto x^p$ is a bijection, "
            "so the count does not change." },
    { M_FF, "The polynomial $X^2 - a$ has at most two roots in $\\mathbb{F}$." },
    { M_FF, "For every $x \\in \\mathbb{F}^{\\times}$ the coset $x \\, \\mathbb{F}^{\\times 2}$ "
            "meets the set in at most two points." },
    { M_FF, "The map $x \\mapsto a x$ is a bijection of $\\mathbb{F}$ because $a \\ne 0$." },
    { M_FF, "Counting the pairs $(x, y)$ by their first coordinate gives at most two values of "
            "$y$ for each $x$." },
    { M_FF, "The squares form a subgroup of index $2$ in $\\mathbb{F}^{\\times}$ when the "
            "characteristic is odd." },
    { M_FF, "In characteristic $2$ every element is a square, and the claim is immediate." },
    { M_FF, "We sum the indicator of the condition over $x \\in \\mathbb{F}$ and exchange the "
            "order of summation." },
    { M_FF, "The fibres of $x \\mapsto x^2$ over $\\mathbb{F}^{\\times}$ have size $0$ or $2$ "
            "in odd characteristic." },
    { M_FF, "By Lagrange's theorem the order of every element of $\\mathbb{F}^{\\times}$ divides "
            "$\\lvert \\mathbb{F} \\rvert - 1$." },
    { M_STRUCT, "The radius is positive by the very definition of a @P." },
    { M_STRUCT, "The weight vanishes outside the support, so the sum over $\\mathbb{F}$ is a sum "
                "over the support." },
    { M_STRUCT, "Each summand $w_P(x)$ is nonnegative, and a sum of nonnegative reals is "
                "nonnegative." },
    { M_SET, "The block $@S_N$ is an interval of integers of length $2^N$." },
    { M_SET, "Every $n$ in $@S_{N+1}$ satisfies $n \\ge 2^{N+1}$, while every $n$ in $@S_N$ "
             "satisfies $n < 2^{N+1}$." },
    { M_SET, "We use $N < 2^N$, which holds for every natural number $N$." },
    { M_SET, "Membership in a filtered interval unfolds to a conjunction of inequalities, and "
             "these are linear." },
    { M_SET, "The cardinality of an interval $[a, b)$ of integers is $b - a$." },
    { M_SET, "Since $1 \\le N$, the interval $[1, N]$ is nonempty." },
    { M_SET, "The map $n \\mapsto 2n$ sends $@S_N$ into $@S_{N+1}$ injectively." },
    { M_ALL, "Both sides are finite sums, so there is no question of convergence." },
    { M_ALL, "We keep the notation of the statement." },
    { M_ALL, "The remaining verifications are routine." },
    { M_ALL, "There is nothing to prove when the set of indices is empty." },
    { M_ALL, "We first record the trivial case, in which every quantity vanishes." },
    { M_ALL, "The argument is symmetric, so we only treat one of the two cases." },
    { M_ALL, "None of the bounds above depends on the choice made in the first step." },
    { M_ALL, "It is convenient to introduce the abbreviation $E$ for the error term." },
    { M_ALL, "We now estimate the main term and the error term separately." },
    { M_ALL, "The same reasoning applies verbatim to the second sum." },
    { M_ALL, "Only the crude form of the estimate is needed here." },
    { M_ALL, "We argue by contradiction and suppose that the inequality fails." },
    { M_ALL, "The hypotheses are preserved under this reduction." },
    { M_ALL, "The two sides agree in the boundary case, which serves as a check." },
    { M_SEQ, "The sequence $n \\mapsto (1 + n)^{-1}$ is positive and decreasing." },
    { M_SEQ, "Each block sum is at most the full sum, by nonnegativity of $f$." },
    { M_SEQ, "By nonnegativity, enlarging the range of summation only increases the sum." },
    { M_SEQ, "Applying the bound to $f \\mathbf{1}_{[N, M)}$ instead of $f$ gives the local version." },
    { M_SEQ, "We compare the sum with the integral $\\int_N^M f(\\lfloor t \\rfloor) \\, dt$." },
    { M_SEQ, "The weights satisfy $\\sum_{n < M} w_n^2 \\le \\pi^2 / 6$." },
    { M_REAL, "The function $t \\mapsto \\cos(2^k t)$ is bounded by $1$ in absolute value." },
    { M_REAL, "Since $2^k x_1$ grows geometrically, the phases are well spread." },
    { M_REAL, "The derivative of each term is at most $1$ in absolute value." },
    { M_REAL, "By the mean value theorem the difference is at most $\\lvert x_1 - y \\rvert$." },
    { M_REAL, "The $N$-th partial sum differs from the next one by a single term." },
    { M_REAL, "Since $x_1 > 0$, all the terms $(1 + k x_1)^{-2}$ lie in $(0, 1]$." },
    { M_REAL, "We compare the sum with the integral of $t \\mapsto (1 + t x_1)^{-2}$ over "
              "$[0, N]$." },
    { M_REAL, "Replacing $x_1$ by $x_1^{-1}$ exchanges the roles of the small and the large "
              "terms." },
    { M_REAL, "The series converges absolutely, uniformly in $x_1$." },
    { M_REAL, "Both sides are even functions of the phase, so we may assume it is nonnegative." },
    { M_REAL, "For $x_1 \\ge 1$ the first term already dominates." },
    { M_REAL, "The error is at most $2^{-N}$, which is smaller than $x_1^{-1}$ for large $N$." },
    { M_FF, "The set in question is the zero set of a polynomial of degree two." },
    { M_FF, "A nonzero polynomial over a field has at most as many roots as its degree." },
    { M_FF, "Multiplication by a nonzero element permutes $\\mathbb{F}^{\\times}$." },
    { M_FF, "We identify $\\mathbb{F}^{\\times}$ with a cyclic group of order "
            "$\\lvert \\mathbb{F} \\rvert - 1$." },
    { M_FF, "The element $a$ is invertible, so the substitution $x = a y$ is legitimate." },
    { M_FF, "Summing over the fibres of the map gives the total count." },
    { M_FF, "Since $\\mathbb{F}$ is finite, every injective self-map is a bijection." },
    { M_FF, "The count is a natural number bounded by $\\lvert \\mathbb{F} \\rvert$." },
    { M_FF, "In odd characteristic exactly half of the nonzero elements are squares." },
    { M_FF, "The equation is unchanged when $x$ is replaced by $-x$." },
    { M_FF, "The Frobenius map $x \\mapsto x^p$ fixes exactly the prime field." },
    { M_FF, "We may extend scalars to a finite extension, which changes neither side." },
    { M_FIELD, "The defining condition of @S is invariant under $x \\mapsto -x$." },
    { M_FIELD, "The pairs with $y = 0$ contribute at most two to the count." },
    { M_FIELD, "For each $y$ there are at most two $x$ with $x^2 = 1 - a y^2$." },
    { M_FIELD, "The substitution $x \\mapsto x^{-1}$ is a bijection of $\\mathbb{F}^{\\times}$." },
    { M_STRUCT, "The structure carries its positivity and nonnegativity proofs as fields." },
    { M_STRUCT, "Projecting to the radius gives a natural number, which is positive by "
                "assumption." },
    { M_STRUCT, "The weight is a real function, so the sum is a real number." },
    { M_STRUCT, "Two data with the same weight have the same total mass." },
    { M_STRUCT, "We do not use the center of $P$ in this argument." },
    { M_SET, "The set $@S_N$ is finite, being contained in $[0, 2^{N+1})$." },
    { M_SET, "Its elements are exactly the integers with $N + 1$ binary digits." },
    { M_SET, "The least element of $@S_N$ is $2^N$ and the largest is $2^{N+1} - 1$." },
    { M_SET, "Membership in $@S_N$ is decidable, so the cardinality is computable." },
    { M_SET, "The inequalities $2^N \\le n$ and $n < 2^{N+1}$ are linear in $n$." },
    { M_SET, "Doubling maps $[2^N, 2^{N+1})$ into $[2^{N+1}, 2^{N+2})$." },
    { M_SET, "Every positive integer lies in exactly one block $@S_N$." },
    { M_SET, "The union of the blocks $@S_k$ for $k < N$ is the interval $[1, 2^N)$." },
    { M_SET, "We use $2^{N+1} = 2 \\cdot 2^N$ throughout." },
    { M_SET, "A set of integers lying in an interval of length $L$ has at most $L$ elements." },
    { M_SET, "Induction on $N$ with the trivial case $N = 0$ settles the claim." },
    { M_SET, "The filter condition is decidable, so the filtered set is a finite set." },
    { M_SET, "The coprimality condition only removes elements, so the bound persists." },
    { M_SET, "Both sets are intervals, and their endpoints are compared directly." },
    { M_AN, "Choosing $\\delta = x_1^{@2}$ balances the two error terms." },
    { M_SEQ, "The contribution of the $n > M / @1$ is at most a fixed fraction of the total." },
    { M_AN, "With $K = \\lceil @1 \\log(2 + x_1^{-1}) \\rceil$ the tail beyond $K$ is "
            "negligible." },
    { M_FF, "At most @1 elements of $\\mathbb{F}$ are exceptional, and they contribute "
            "$O(1)$." },
    { M_SET, "For $N \\ge @1$ the bound follows from $N^2 < 2^N$; smaller $N$ are checked "
             "directly." },
    { M_ALL, "This step loses a factor of at most @1." },
    { M_SEQ, "The terms with $n \\equiv 0 \\pmod{@1}$ are treated in the same way." },
    { M_REAL, "On $\\lvert x_1 \\rvert \\le 2^{-@1}$ we use the Taylor expansion of the cosine "
              "to second order." },
};

/* Displayed formulas, one or two per proof: '\v' breaks the line, '\t' indents it. */
static const struct sentence displays[] = {
    { M_SEQ, "\v\\begin{align*}\v\t@S_M(f) - @S_N(f) &= \\sum_{N \\le n < M} f(n) (1 + n)^{-1} "
             "\\\\\v\t&\\le (1 + N)^{-1} \\sum_{N \\le n < M} f(n) \\\\\v\t"
             "&\\le x_1^{-1} \\sum_{N \\le n < M} f(n).\v\\end{align*}\v" },
    { M_SEQ, "\v\\[\v\t\\sum_{n < M} f(n) w_n \\le \\Bigl(\\sum_{n < M} f(n)^2\\Bigr)^{1/2} "
             "\\Bigl(\\sum_{n < M} w_n^2\\Bigr)^{1/2}.\v\\]\v" },
    { M_SEQ, "\v\\begin{align*}\v\t\\sum_{k \\le K} 2^{-k/@1} \\sum_{n \\in B_k} f(n) "
             "&\\le \\sum_{k \\le K} 2^{-k/@1} \\lvert B_k \\rvert \\max_{n < M} f(n) \\\\\v\t"
             "&\\le C \\max_{n < M} f(n).\v\\end{align*}\v" },
    { M_REAL, "\v\\begin{align*}\v\t\\lvert @S_N(x_1) \\rvert &\\le \\sum_{k < N} 2^{-k} "
              "\\lvert \\cos(2^k x_1) \\rvert \\\\\v\t&\\le \\sum_{k < N} 2^{-k} \\\\\v\t"
              "&= 2 - 2^{1 - N}.\v\\end{align*}\v" },
    { M_REAL, "\v\\[\v\t\\sum_{k < N} (1 + k x_1)^{-2} \\le 1 + \\int_0^{\\infty} "
              "(1 + t x_1)^{-2} \\, dt = 1 + x_1^{-1}.\v\\]\v" },
    { M_FIELD, "\v\\begin{align*}\v\t@S_{\\mathbb{F}}(a) &= \\sum_{x \\in \\mathbb{F}} "
               "\\mathbf{1}[x^2 = a] \\\\\v\t&= \\sum_{y \\in \\mathbb{F}} "
               "\\mathbf{1}[(a^{-1} y)^2 = a^{-1}] \\\\\v\t&= @S_{\\mathbb{F}}(a^{-1})."
               "\v\\end{align*}\v" },
    { M_FIELD, "\v\\[\v\t\\#\\{(x, y) \\in \\mathbb{F}^2 : x^2 + a y^2 = 1\\} "
               "= \\sum_{x \\in \\mathbb{F}} \\#\\{y : a y^2 = 1 - x^2\\} "
               "\\le 2 \\lvert \\mathbb{F} \\rvert.\v\\]\v" },
    { M_STRUCT, "\v\\[\v\t\\sum_{x \\in \\mathbb{F}} w_P(x) = \\sum_{x \\in S} w_P(x) "
                "\\ge 0.\v\\]\v" },
    { M_SET, "\v\\begin{align*}\v\t\\lvert @S_N \\rvert &= 2^{N+1} - 2^N \\\\\v\t&= 2^N."
             "\v\\end{align*}\v" },
    { M_SET, "\v\\[\v\tn \\in @S_N \\iff 2^N \\le n < 2^{N+1} \\implies n \\notin @S_{N+1}."
             "\v\\]\v" },
    { M_ALL, "\v\\[\v\t\\sum_{i \\in I} a_i \\le \\lvert I \\rvert \\max_{i \\in I} a_i."
             "\v\\]\v" },
};

/* Openings put in front of a filler sentence (whose first letter is then lowered). */
static const char *const connectives[] = {
    "Similarly, ", "On the other hand, ", "Arguing as before, ", "In particular, ",
    "As a consequence, ", "Moreover, ", "For the remaining terms, ", "Conversely, ",
    "In the main range, ", "At this point, ", "Next, ", "Finally for this step, ",
};

static const char *const cite_one[] = {
    "By \\cref{@C}, each term on the right is bounded by the corresponding term on the left.",
    "Applying \\cref{@C} with the parameters of the statement bounds the remaining term.",
    "\\Cref{@C} shows that every summand is nonnegative.",
    "The estimate of \\cref{@C} controls the second range.",
    "We now invoke \\cref{@C}, which gives the required monotonicity.",
    "By \\cref{@C} the error in the first step is at most the quantity just bounded.",
    "It remains to bound the last term, and this is exactly \\cref{@C}.",
    "The two ranges are glued together with \\cref{@C}.",
    "Here \\cref{@C} applies because all the hypotheses have been checked.",
    "The base case is \\cref{@C}.",
};

static const char *const cite_two[] = {
    "Together, \\cref{@C,@D} give the two-sided bound.",
    "By \\cref{@C} and \\cref{@D}, both error terms are controlled.",
    "We combine \\cref{@C} with \\cref{@D} to pass from one range to the next.",
};

static const char *const cite_def[] = {
    "Recall the @P from \\cref{@L}.",
    "Unfolding \\cref{@L}, the left-hand side becomes explicit.",
    "By definition (\\cref{@M}) the @H is built from finitely many terms.",
};

static const char *const proof_close[] = {
    "This completes the proof.",
    "The claim follows.",
    "Collecting the bounds proves the statement.",
    "This gives the desired inequality.",
};

static const char *const proof_open[] = {
    "We argue directly from the definitions.",
    "The proof is a chain of elementary estimates.",
    "We follow the standard argument, keeping track of the constants.",
    "The idea is to compare both sides term by term.",
    "We first reduce to a simpler statement and then estimate.",
};

/* A walk through the sentences of a pool that suit a shape, in a random order, without
 * repeating one before all have been used. */
struct walk {
    const struct sentence *pool;
    size_t n;           /* entries in pool */
    unsigned mask;
    size_t pos, step;   /* position and stride (coprime to n) */
    size_t suitable;    /* entries matching mask */
    size_t left;        /* for walk_next_once: suitable entries not returned yet */
};

static size_t
gcd_size(size_t a, size_t b)
{
    while (b != 0) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void
walk_init(struct walk *w, const struct sentence *pool, size_t n, unsigned mask, struct rng *r)
{
    w->pool = pool;
    w->n = n;
    w->mask = mask;
    w->pos = rng_below(r, n);
    w->step = 1;
    if (n > 2)
        do
            w->step = 1 + rng_below(r, n - 1);
        while (gcd_size(w->step, n) != 1);
    w->suitable = 0;
    for (size_t i = 0; i < n; i++)
        w->suitable += (pool[i].mask & mask) != 0;
    w->left = w->suitable;
}

static const char *walk_next(struct walk *w);

/* Like walk_next, but NULL once every suitable sentence has been returned. */
static const char *
walk_next_once(struct walk *w)
{
    if (w->left == 0)
        return NULL;
    w->left--;
    return walk_next(w);
}

/* The next suitable sentence, or NULL when none suits the shape. */
static const char *
walk_next(struct walk *w)
{
    if (w->suitable == 0)
        return NULL;
    for (;;) {
        const struct sentence *s = &w->pool[w->pos];
        w->pos = (w->pos + w->step) % w->n;
        if (s->mask & w->mask)
            return s->text;
    }
}

/* Word-wraps text onto out: the first line continues at column col, the others start with
 * four spaces. In text, '\n' starts a new paragraph (an empty line), '\v' a new line (display
 * math) and '\t' indents a display line by two spaces. Breaks are written lazily, so a text
 * never ends in an empty or blank line. */
static void
wrap_text(struct sbuf *out, const char *text, size_t col)
{
    const char *s = text;
    bool line_has_word = false;
    int breaks = 0; /* newlines owed before the next word */

    while (*s != '\0') {
        size_t w;

        if (*s == '\n' || *s == '\v') {
            int want = *s == '\n' ? 2 : 1;
            breaks = breaks > want ? breaks : want;
            s++;
            continue;
        }
        if (*s == ' ') {
            s++;
            continue;
        }
        if (breaks > 0) {
            while (breaks-- > 0)
                sb_addc(out, '\n');
            breaks = 0;
            sb_add(out, "    ");
            col = 4;
            line_has_word = false;
        }
        if (*s == '\t') {
            sb_add(out, "  ");
            col += 2;
            s++;
            continue;
        }
        w = strcspn(s, " \n\v\t");
        if (line_has_word && col + 1 + w > GEN_WIDTH) {
            sb_add(out, "\n    ");
            col = 4;
            line_has_word = false;
        }
        if (line_has_word) {
            sb_addc(out, ' ');
            col++;
        }
        sb_addn(out, s, w);
        col += w;
        line_has_word = true;
        s += w;
    }
}

static void
write_field(struct sbuf *out, const char *field, const char *text)
{
    size_t col;

    sb_fmt(out, "  (%s := /-- ", field);
    col = strlen(field) + 11;
    wrap_text(out, text, col);
    sb_add(out, " -/)\n");
}

static int
scaled(int base, double scale, int cap)
{
    double v = (double)base * scale;
    int n = (int)(v + 0.5);

    if (n < 1)
        n = 1;
    return cap > 0 && n > cap ? cap : n;
}

/* Which def_intro entry describes the body write_definition prints. */
static int
def_form(const struct plan *p, const struct node *nd)
{
    const struct node *h = &p->nodes[nd->helper];

    if (h != nd && h->shape == nd->shape && (nd->shape == SHAPE_SEQ || nd->shape == SHAPE_REAL))
        return 2;
    return nd->variant % 2;
}

static void
def_statement(struct sbuf *t, const struct plan *p, const struct node *nd, struct rng *r,
              double scale)
{
    struct prose_ctx cx = { nd, &p->nodes[nd->helper], NULL, NULL, r };
    bool has_helper = nd->helper != (size_t)(nd - p->nodes);
    int n = scaled(nd->stmt_base, scale, 8);
    struct walk w;

    expand(t, def_intro[nd->shape][def_form(p, nd)], &cx);
    walk_init(&w, def_more, COUNT(def_more), 1u << nd->shape, r);
    for (int k = 1; k < n; k++) {
        const char *s = walk_next(&w);
        if (s == NULL)
            break;
        if (!has_helper && strstr(s, "@M") != NULL)
            continue;
        sb_addc(t, ' ');
        expand(t, s, &cx);
    }
}

static void
lemma_statement(struct sbuf *t, const struct plan *p, const struct node *nd, struct rng *r,
                double scale)
{
    struct prose_ctx cx = { &p->nodes[nd->subject], &p->nodes[nd->helper], NULL, NULL, r };
    int n = scaled(nd->stmt_base, scale, 9);
    struct walk w;

    if (nd->kind == NODE_THEOREM)
        sb_add(t, "This is the main result of the development. ");
    expand(t, stmt_intro[nd->shape], &cx);
    sb_addc(t, ' ');
    expand(t, stmt_claim[nd->shape][nd->variant], &cx);
    walk_init(&w, stmt_more, COUNT(stmt_more), 1u << nd->shape, r);
    for (int k = 2; k < n; k++) {
        const char *s = walk_next(&w);
        if (s == NULL)
            break;
        sb_addc(t, ' ');
        expand(t, s, &cx);
    }
}

/* The proof prose cites exactly the labels of nd's dependencies (the contract's parity
 * rule), each at least once, and possibly definitions (exempt from parity). */
static void
lemma_proof(struct sbuf *t, const struct plan *p, const struct node *nd, struct rng *r,
            double scale)
{
    struct prose_ctx cx = { &p->nodes[nd->subject], &p->nodes[nd->helper], NULL, NULL, r };
    int n = scaled(nd->proof_base, scale, 0);
    size_t nfill, k = 0, cited = 0, in_par = 1, par_len = (size_t)rng_range(r, 3, 6);
    unsigned step = 1;
    bool steps = n >= 12 && rng_pct(r, 50);
    struct walk w, dw;
    struct sbuf one = { 0 };

    walk_init(&w, proof_filler, COUNT(proof_filler), 1u << nd->shape, r);
    walk_init(&dw, displays, COUNT(displays), 1u << nd->shape, r);
    if (steps)
        sb_add(t, "\\emph{Step 1.} ");
    expand(t, PICK(r, proof_open), &cx);
    nfill = (size_t)n > nd->ndeps + 2 ? (size_t)n - nd->ndeps - 2 : 1;
    /* Filler and citations interleaved, in paragraphs of three to six sentences. */
    while (k < nfill || cited < nd->ndeps) {
        bool cite = cited < nd->ndeps && (k >= nfill || rng_pct(r, 30));
        const char *tmpl;

        cx.cite1 = cx.cite2 = NULL;
        if (cite) {
            cx.cite1 = p->nodes[nd->deps[cited]].label;
            if (cited + 1 < nd->ndeps && rng_pct(r, 25)) {
                cx.cite2 = p->nodes[nd->deps[cited + 1]].label;
                tmpl = PICK(r, cite_two);
                cited += 2;
            } else {
                tmpl = PICK(r, cite_one);
                cited++;
            }
        } else {
            int roll = rng_range(r, 0, 99);
            tmpl = roll < 5 ? PICK(r, cite_def) : roll < 16 ? walk_next_once(&dw) : walk_next(&w);
            if (tmpl == NULL)
                tmpl = walk_next(&w);
            k++;
        }
        if (in_par >= par_len) {
            sb_addc(t, '\n');
            in_par = 0;
            par_len = (size_t)rng_range(r, 3, 6);
            if (steps)
                sb_fmt(t, "\\emph{Step %u.} ", ++step);
        } else
            sb_addc(t, ' ');
        /* A filler sentence sometimes gets a connective: "Moreover, the ...". */
        if (!cite && tmpl[0] >= 'A' && tmpl[0] <= 'Z' && rng_pct(r, 30)) {
            sb_clear(&one);
            expand(&one, tmpl, &cx);
            sb_add(t, PICK(r, connectives));
            one.data[0] = (char)(one.data[0] - 'A' + 'a');
            sb_add(t, one.data);
        } else
            expand(t, tmpl, &cx);
        in_par++;
    }
    sb_addc(t, ' ');
    expand(t, PICK(r, proof_close), &cx);
    sb_release(&one);
}

/* ---- Lean ---- */

static const char *const def_keyword[SHAPE_COUNT] = {
    [SHAPE_SEQ] = "noncomputable def",
    [SHAPE_REAL] = "noncomputable def",
    [SHAPE_FIELD] = "def",
    [SHAPE_SET] = "abbrev",
    [SHAPE_STRUCT] = "structure",
};

static void
write_definition(struct sbuf *out, const struct plan *p, const struct node *nd, struct rng *r)
{
    const struct node *h = &p->nodes[nd->helper];
    int form = def_form(p, nd);

    sb_fmt(out, "%s %s", def_keyword[nd->shape], nd->name);
    switch (nd->shape) {
    case SHAPE_SEQ:
        sb_add(out, " (f : ℕ → ℝ) (N : ℕ) : ℝ :=\n");
        if (form == 2)
            sb_fmt(out, "  ∑ n ∈ Finset.range N, f n * (1 + |%s f n|)⁻¹\n", h->name);
        else if (form == 0)
            sb_add(out, "  ∑ n ∈ Finset.range N, f n * ((n : ℝ) + 1)⁻¹\n");
        else
            sb_add(out, "  if N = 0 then 0 else\n"
                        "    (N : ℝ)⁻¹ * ∑ n ∈ Finset.range N, f n ^ 2\n");
        break;
    case SHAPE_REAL:
        sb_add(out, " (x : ℝ) (N : ℕ) : ℝ :=\n");
        if (form == 2)
            sb_fmt(out, "  %s x N + ∑ k ∈ Finset.range N, (2 : ℝ)⁻¹ ^ k * Real.sin (k * x)\n",
                   h->name);
        else if (form == 0)
            sb_add(out, "  ∑ k ∈ Finset.range N, (2 : ℝ)⁻¹ ^ k * Real.cos (2 ^ k * x)\n");
        else
            sb_add(out, "  if 0 < x then\n"
                        "    ∑ k ∈ Finset.range N, x⁻¹ * (1 + k * x)⁻¹ ^ 2\n"
                        "  else 0\n");
        break;
    case SHAPE_FIELD:
        sb_add(out, " (𝔽 : Type*) [Field 𝔽] [Fintype 𝔽] [DecidableEq 𝔽] (a : 𝔽) : ℕ :=\n");
        if (form == 0)
            sb_add(out, "  (Finset.univ.filter fun x : 𝔽 => x ^ 2 = a).card\n");
        else
            sb_add(out, "  (Finset.univ.filter fun p : 𝔽 × 𝔽 =>\n"
                        "    p.1 ^ 2 + a * p.2 ^ 2 = 1).card\n");
        break;
    case SHAPE_SET:
        sb_add(out, " (N : ℕ) : Finset ℕ :=\n");
        sb_add(out, form == 0 ? "  Finset.Ico (2 ^ N) (2 ^ (N + 1))\n"
                                         : "  (Finset.Icc 1 N).filter (Nat.Coprime N)\n");
        break;
    case SHAPE_STRUCT:
        sb_add(out, " (𝔽 : Type*) [Field 𝔽] [Fintype 𝔽] where\n"
                    "  center : 𝔽\n"
                    "  radius : ℕ\n"
                    "  radius_pos : 0 < radius\n"
                    "  weight : 𝔽 → ℝ\n"
                    "  weight_nonneg : ∀ x, 0 ≤ weight x\n");
        if (rng_pct(r, 50))
            sb_add(out, "  support : Finset 𝔽\n"
                        "  weight_support : ∀ x, x ∉ support → weight x = 0\n");
        break;
    case SHAPE_COUNT:
        break;
    }
}

static const char *const binders[SHAPE_COUNT] = {
    [SHAPE_SEQ] = "(f : ℕ → ℝ) (hf : ∀ n, 0 ≤ f n) {N M : ℕ} (hNM : N ≤ M)\n"
                  "    (x₁ : ℝ) (hx₁ : 0 < x₁)",
    [SHAPE_REAL] = "(x₁ : ℝ) (hx₁ : 0 < x₁) (N : ℕ)",
    [SHAPE_FIELD] = "(𝔽 : Type*) [Field 𝔽] [Fintype 𝔽] [DecidableEq 𝔽]\n"
                    "    (a : 𝔽) (ha : a ≠ 0)",
    [SHAPE_SET] = "(N : ℕ) (hN : 1 ≤ N)",
    [SHAPE_STRUCT] = "{𝔽 : Type*} [Field 𝔽] [Fintype 𝔽] (P₁ : @N 𝔽)",
};

/* @N is the subject definition's Lean name. */
static const char *const conclusion[SHAPE_COUNT][4] = {
    [SHAPE_SEQ] = {
        "@N f N ≤ @N f M",
        "@N f M - @N f N ≤ x₁⁻¹ * ∑ n ∈ Finset.Ico N M, f n",
        "(∀ n, f n ≤ 1) → |@N f N - @N f M| ≤ (M - N : ℝ) * x₁⁻¹",
        "∃ C : ℝ, 0 < C ∧ ∀ n ≥ N, @N f n ≤ C * n",
    },
    [SHAPE_REAL] = {
        "|@N x₁ N| ≤ 2",
        "@N x₁ N ≤ @N x₁ (N + 1) + x₁⁻¹",
        "0 < @N x₁ N + x₁",
        "@N x₁⁻¹ N ≤ x₁ * @N 1 N",
    },
    [SHAPE_FIELD] = {
        "@N 𝔽 a ≤ Fintype.card 𝔽",
        "@N 𝔽 a⁻¹ = @N 𝔽 a",
        "2 * @N 𝔽 a ≤ Fintype.card 𝔽 + 1",
        "∃ x₁ : 𝔽, x₁ ≠ 0 ∧ @N 𝔽 (a * x₁ ^ 2) = @N 𝔽 a",
    },
    [SHAPE_SET] = {
        "(@N N).card ≤ 2 ^ N",
        "∀ n ∈ @N N, 2 ^ N ≤ n",
        "Disjoint (@N N) (@N (N + 1))",
        "(@N N).Nonempty ∧ ∀ n ∈ @N N, n < 2 ^ (N + 1)",
    },
    [SHAPE_STRUCT] = {
        "0 < P₁.radius",
        "∀ x : 𝔽, 0 ≤ P₁.weight x",
        "P₁.radius ≤ Fintype.card 𝔽 * P₁.radius",
        "0 ≤ ∑ x : 𝔽, P₁.weight x",
    },
};

static void
expand_name(struct sbuf *out, const char *tmpl, const char *name)
{
    for (const char *s = tmpl; *s != '\0'; s++) {
        if (s[0] == '@' && s[1] == 'N') {
            sb_add(out, name);
            s++;
        } else
            sb_addc(out, *s);
    }
}

/* Appends the decimal digits of k as Unicode subscripts (h₁₂). */
static void
add_subscript(struct sbuf *out, unsigned k)
{
    static const char *const sub[] = { "₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉" };
    char digits[16];
    int n = snprintf(digits, sizeof digits, "%u", k);

    for (int i = 0; i < n; i++)
        sb_add(out, sub[digits[i] - '0']);
}

/* A tactic block: lines with @k (a fresh hypothesis index, written as subscripts) and, in
 * dependency blocks, @X (the dependency's name). Every line starts with two spaces. */
struct block {
    const char *text;
    int lines;
};

static const struct block fill_real[] = {
    { "  have h@k : 0 < x₁⁻¹ := inv_pos.mpr hx₁\n", 1 },
    { "  have h@k : x₁⁻¹ ≤ 1 + x₁⁻¹ ^ 2 := by\n"
      "    nlinarith [sq_nonneg (x₁⁻¹ - 1), inv_pos.mpr hx₁]\n", 2 },
    { "  have h@k : ∀ k : ℕ, (2 : ℝ)⁻¹ ^ k ≤ 1 := by\n"
      "    intro k\n"
      "    apply pow_le_one₀\n"
      "    · positivity\n"
      "    · norm_num\n", 5 },
    { "  have h@k : ∑ k ∈ Finset.range N, (2 : ℝ)⁻¹ ^ k ≤ 2 := by\n"
      "    induction N with\n"
      "    | zero => norm_num\n"
      "    | succ n ih =>\n"
      "      rw [Finset.sum_range_succ]\n"
      "      have hn : (2 : ℝ)⁻¹ ^ n ≤ 1 := pow_le_one₀ (by norm_num) (by norm_num)\n"
      "      nlinarith [pow_pos (by norm_num : (0 : ℝ) < 2⁻¹) n]\n", 7 },
    { "  have h@k : 0 ≤ x₁ * x₁⁻¹ := by positivity\n", 1 },
    { "  have h@k : (@c : ℝ)⁻¹ * x₁ ≤ x₁ := by\n"
      "    have := hx₁.le\n"
      "    nlinarith [inv_nonneg.mpr (show (0 : ℝ) ≤ @c by norm_num)]\n", 3 },
    { "  have h@k : ∀ t : ℝ, 0 ≤ t → t / (@c + t) ≤ 1 := by\n"
      "    intro t ht\n"
      "    rw [div_le_one (by positivity)]\n"
      "    linarith\n", 4 },
    { "  have h@k : Real.sqrt (x₁ ^ 2) = x₁ := Real.sqrt_sq hx₁.le\n", 1 },
    { "  set y := x₁⁻¹ with hy\n"
      "  have h@k : 0 < y := by positivity\n", 2 },
    { "  have h@k : x₁ * x₁⁻¹ = 1 := mul_inv_cancel₀ hx₁.ne'\n", 1 },
    { "  have h@k : (1 : ℝ) ≤ 2 ^ N := by\n"
      "    exact_mod_cast Nat.one_le_two_pow\n", 2 },
    { "  have h@k : ∀ t : ℝ, 0 < t → t⁻¹ ≤ x₁⁻¹ + t⁻¹ := by\n"
      "    intro t ht\n"
      "    have := inv_pos.mpr hx₁\n"
      "    linarith\n", 4 },
    { "  have h@k : |Real.cos x₁| ≤ 1 := Real.abs_cos_le_one x₁\n", 1 },
};

static const struct block fill_seq[] = {
    { "  have h@k : ∑ n ∈ Finset.range N, f n ≤ ∑ n ∈ Finset.range M, f n := by\n"
      "    apply Finset.sum_le_sum_of_subset_of_nonneg\n"
      "    · exact Finset.range_mono hNM\n"
      "    · intro n _ _\n"
      "      exact hf n\n", 5 },
    { "  have h@k : 0 ≤ ∑ n ∈ Finset.Ico N M, f n * x₁⁻¹ := by\n"
      "    apply Finset.sum_nonneg\n"
      "    intro n hn\n"
      "    exact mul_nonneg (hf n) (inv_nonneg.mpr hx₁.le)\n", 4 },
    { "  have h@k : ∑ n ∈ Finset.range N, f n * x₁⁻¹ ≤ x₁⁻¹ * ∑ n ∈ Finset.range M, f n := by\n"
      "    calc ∑ n ∈ Finset.range N, f n * x₁⁻¹\n"
      "        = x₁⁻¹ * ∑ n ∈ Finset.range N, f n := by\n"
      "          rw [Finset.mul_sum]\n"
      "          exact Finset.sum_congr rfl fun n _ => mul_comm _ _\n"
      "      _ ≤ x₁⁻¹ * ∑ n ∈ Finset.range M, f n := by\n"
      "          gcongr\n"
      "          exact Finset.sum_le_sum_of_subset_of_nonneg (Finset.range_mono hNM)\n"
      "            fun n _ _ => hf n\n", 9 },
    { "  have h@k : ∀ n, 0 ≤ f n * ((n : ℝ) + 1)⁻¹ := fun n => by\n"
      "    have := hf n\n"
      "    positivity\n", 3 },
    { "  obtain ⟨K, hK⟩ : ∃ K : ℕ, M = N + K := ⟨M - N, by omega⟩\n", 1 },
    { "  have h@k : (N : ℝ) ≤ M := by exact_mod_cast hNM\n", 1 },
    { "  have h@k : ∑ n ∈ Finset.range N, f n ^ 2 ≤ (∑ n ∈ Finset.range N, f n) ^ 2 := by\n"
      "    rw [sq, Finset.sum_mul_sum]\n"
      "    apply Finset.sum_le_sum\n"
      "    intro i hi\n"
      "    rw [sq]\n"
      "    exact Finset.single_le_sum (fun j _ => mul_nonneg (hf i) (hf j)) hi\n", 6 },
    { "  have h@k : ∀ n ∈ Finset.range M, f n ≤ ∑ m ∈ Finset.range M, f m := by\n"
      "    intro n hn\n"
      "    exact Finset.single_le_sum (fun m _ => hf m) hn\n", 3 },
    { "  rw [← Finset.sum_range_add_sum_Ico _ hNM] at *\n", 1 },
};

static const struct block fill_field[] = {
    { "  have h@k : Fintype.card 𝔽 ≠ 0 := Fintype.card_ne_zero\n", 1 },
    { "  have h@k : ∀ y : 𝔽, y ≠ 0 → y * y⁻¹ = 1 := fun y hy => mul_inv_cancel₀ hy\n", 1 },
    { "  have h@k : (Finset.univ.filter fun x : 𝔽 => x ^ 2 = a).card ≤ 2 := by\n"
      "    classical\n"
      "    calc (Finset.univ.filter fun x : 𝔽 => x ^ 2 = a).card\n"
      "        ≤ (Polynomial.X ^ 2 - Polynomial.C a).roots.toFinset.card := by\n"
      "          apply Finset.card_le_card\n"
      "          intro x hx\n"
      "          simp_all [Polynomial.mem_roots, sub_eq_zero]\n"
      "      _ ≤ 2 := by\n"
      "          refine (Multiset.toFinset_card_le _).trans ?_\n"
      "          exact (Polynomial.card_roots' _).trans (by simp)\n", 10 },
    { "  obtain ⟨q, hq⟩ := CharP.exists 𝔽\n", 1 },
    { "  have h@k : 1 < Fintype.card 𝔽 := Fintype.one_lt_card\n", 1 },
    { "  have h@k : ∑ x : 𝔽, (if x = 0 then 1 else 0 : ℕ) = 1 := by\n"
      "    simp [Finset.sum_ite_eq']\n", 2 },
    { "  have h@k : (Finset.univ : Finset 𝔽).card = Fintype.card 𝔽 := Finset.card_univ\n", 1 },
    { "  have h@k : ∀ x : 𝔽, x ^ @c = x * x ^ (@c - 1) := by\n"
      "    intro x\n"
      "    rw [← pow_succ']\n", 3 },
    { "  have h@k : Function.Injective fun x : 𝔽 => (@c : 𝔽) + x := add_right_injective _\n", 1 },
    { "  rcases eq_or_ne (ringChar 𝔽) 2 with hchar | hchar\n"
      "  · have h@k : ∀ x : 𝔽, x + x = 0 := fun x => by\n"
      "      rw [← two_mul, (ringChar.eq_iff.mp hchar).symm ▸ CharP.cast_eq_zero 𝔽 2, zero_mul]\n"
      "    simp_all\n", 4 },
    { "  have h@k : (Finset.univ.filter fun x : 𝔽 => x = 0).card = 1 := by\n"
      "    simp [Finset.filter_eq']\n", 2 },
};

static const struct block fill_struct[] = {
    { "  have h@k : 0 < P₁.radius := P₁.radius_pos\n", 1 },
    { "  have h@k : ∀ x, 0 ≤ P₁.weight x := P₁.weight_nonneg\n", 1 },
    { "  have h@k : 0 ≤ ∑ x : 𝔽, P₁.weight x := by\n"
      "    apply Finset.sum_nonneg\n"
      "    intro x _\n"
      "    exact P₁.weight_nonneg x\n", 4 },
    { "  have h@k : P₁.radius ≤ Fintype.card 𝔽 * P₁.radius := by\n"
      "    have := Fintype.card_pos (α := 𝔽)\n"
      "    nlinarith [P₁.radius_pos]\n", 3 },
    { "  have h@k : Fintype.card 𝔽 ≠ 0 := Fintype.card_ne_zero\n", 1 },
    { "  obtain ⟨q, hq⟩ := CharP.exists 𝔽\n", 1 },
    { "  have h@k : 1 ≤ P₁.radius := P₁.radius_pos\n", 1 },
    { "  have h@k : ∀ x : 𝔽, P₁.weight x ≤ ∑ y : 𝔽, P₁.weight y := by\n"
      "    intro x\n"
      "    exact Finset.single_le_sum (fun y _ => P₁.weight_nonneg y) (Finset.mem_univ x)\n", 3 },
    { "  rcases Nat.eq_or_lt_of_le P₁.radius_pos with hr | hr\n"
      "  · simp_all\n", 2 },
};

static const struct block fill_set[] = {
    { "  have h@k : 2 ^ N ≤ 2 ^ (N + 1) := Nat.pow_le_pow_right (by norm_num) (Nat.le_succ N)\n",
      1 },
    { "  have h@k : (Finset.Ico (2 ^ N) (2 ^ (N + 1))).card = 2 ^ N := by\n"
      "    rw [Nat.card_Ico, pow_succ]\n"
      "    omega\n", 3 },
    { "  have h@k : 0 < 2 ^ N := by positivity\n", 1 },
    { "  have h@k : N < 2 ^ N := Nat.lt_two_pow_self\n", 1 },
    { "  have h@k : ∀ n ∈ Finset.Icc 1 N, n ≤ N := fun n hn => (Finset.mem_Icc.mp hn).2\n", 1 },
    { "  simp only [Finset.mem_Ico, Finset.mem_filter, Finset.mem_Icc] at *\n", 1 },
    { "  have h@k : 2 ^ (N + 1) = 2 * 2 ^ N := by ring\n", 1 },
    { "  have h@k : ∀ m : ℕ, m < 2 ^ m := by\n"
      "    intro m\n"
      "    induction m with\n"
      "    | zero => norm_num\n"
      "    | succ m ih =>\n"
      "      rw [pow_succ]\n"
      "      omega\n", 7 },
    { "  have h@k : (Finset.Icc 1 N).card = N := by simp\n", 1 },
    { "  have h@k : ∀ n, n ∈ Finset.Ico (2 ^ N) (2 ^ (N + 1)) → n ≠ 0 := by\n"
      "    intro n hn\n"
      "    have := (Finset.mem_Ico.mp hn).1\n"
      "    positivity\n", 4 },
};

static const struct block uses[] = {
    { "  have hd@k := @X\n", 1 },
    { "  have hd@k : _ := by\n"
      "    apply @X\n"
      "    all_goals positivity\n", 3 },
    { "  simp only [@X, Finset.sum_range_succ, mul_comm] at *\n", 1 },
    { "  have hd@k := fun t (ht : 0 < t) => @X (by positivity)\n", 1 },
    { "  have hd@k := @X\n"
      "  simp only [mul_comm, add_comm] at hd@k\n", 2 },
    { "  obtain hd@k | hd@k := le_or_lt 0 (1 : ℝ)\n"
      "  · exact absurd (@X) (by simp)\n"
      "  · norm_num at hd@k\n", 3 },
    { "  rw [show (1 : ℝ) = 1 by rfl] at *\n"
      "  have hd@k := @X\n"
      "  norm_num at hd@k\n", 3 },
};

static const char *const closer_real[] = {
    "  nlinarith [sq_nonneg (x₁ - 1), inv_pos.mpr hx₁]\n",
    "  linarith\n",
    "  positivity\n",
    "  gcongr\n  linarith\n",
    "  exact le_of_lt (by positivity)\n",
};
static const char *const closer_field[] = {
    "  omega\n",
    "  simp [Finset.card_le_univ]\n",
    "  exact Nat.le_succ_of_le (Finset.card_le_univ _)\n",
    "  exact Nat.zero_le _\n",
};
static const char *const closer_struct[] = {
    "  exact P₁.radius_pos\n",
    "  positivity\n",
    "  nlinarith [P₁.radius_pos]\n",
    "  exact Finset.sum_nonneg fun x _ => P₁.weight_nonneg x\n",
};
static const char *const closer_set[] = {
    "  omega\n",
    "  simp [Nat.card_Ico, Nat.pow_succ]\n",
    "  exact Finset.card_le_card (Finset.filter_subset _ _)\n",
};

static void
expand_block(struct sbuf *out, const char *text, unsigned k, const char *dep)
{
    for (const char *s = text; *s != '\0'; s++) {
        if (s[0] == '@' && s[1] == 'k') {
            add_subscript(out, k);
            s++;
        } else if (s[0] == '@' && s[1] == 'X') {
            sb_add(out, dep);
            s++;
        } else if (s[0] == '@' && s[1] == 'c') {
            sb_fmt(out, "%u", 2 + k % 7);
            s++;
        } else
            sb_addc(out, *s);
    }
}

/* A complete tactic proof of about nd->tactic_lines lines that mentions every dependency
 * by name (the DAG's edges for complete proofs) and no other node. */
static void
write_tactics(struct sbuf *out, const struct plan *p, const struct node *nd, struct rng *r)
{
    const struct block *pool, *extra = NULL;
    size_t npool, nextra = 0, ndep_done = 0;
    const char *const *closers;
    size_t nclosers;
    int lines = 0, target = nd->tactic_lines;
    unsigned k = 1;
    const struct block *recent[4] = { NULL, NULL, NULL, NULL };

    switch (nd->shape) {
    case SHAPE_SEQ:
        pool = fill_seq, npool = COUNT(fill_seq);
        extra = fill_real, nextra = COUNT(fill_real);
        closers = closer_real, nclosers = COUNT(closer_real);
        break;
    case SHAPE_REAL:
        pool = fill_real, npool = COUNT(fill_real);
        closers = closer_real, nclosers = COUNT(closer_real);
        break;
    case SHAPE_FIELD:
        pool = fill_field, npool = COUNT(fill_field);
        closers = closer_field, nclosers = COUNT(closer_field);
        break;
    case SHAPE_STRUCT:
        pool = fill_struct, npool = COUNT(fill_struct);
        closers = closer_struct, nclosers = COUNT(closer_struct);
        break;
    case SHAPE_SET:
    default:
        pool = fill_set, npool = COUNT(fill_set);
        closers = closer_field, nclosers = COUNT(closer_field);
        if (rng_pct(r, 50))
            closers = closer_set, nclosers = COUNT(closer_set);
        break;
    }
    while (lines < target - 2 || ndep_done < nd->ndeps) {
        bool dep_now = ndep_done < nd->ndeps &&
                       (lines >= target - 4 || rng_pct(r, 35));
        const struct block *b;

        if (dep_now) {
            b = &PICK(r, uses);
            expand_block(out, b->text, k, p->nodes[nd->deps[ndep_done]].name);
            ndep_done++;
        } else {
            /* Avoid the blocks used just before. */
            for (int tries = 0;; tries++) {
                if (extra != NULL && rng_pct(r, 40))
                    b = &extra[rng_below(r, nextra)];
                else
                    b = &pool[rng_below(r, npool)];
                if (tries >= 8 || (b != recent[0] && b != recent[1] && b != recent[2] &&
                                   b != recent[3]))
                    break;
            }
            memmove(recent + 1, recent, 3 * sizeof recent[0]);
            recent[0] = b;
            /* Do not overshoot by a long block near the end. */
            if (lines + b->lines > target && b->lines > 1 && ndep_done == nd->ndeps) {
                b = &pool[0];
                if (b->lines > 1)
                    break;
            }
            expand_block(out, b->text, k, "");
        }
        lines += b->lines;
        k++;
    }
    sb_add(out, closers[rng_below(r, nclosers)]);
}

static void
write_proof_node(struct sbuf *out, const struct plan *p, const struct node *nd, struct rng *tr)
{
    const struct node *subj = &p->nodes[nd->subject];

    sb_fmt(out, "%s %s ", nd->kind == NODE_THEOREM ? "theorem" : "lemma", nd->name);
    expand_name(out, binders[nd->shape], subj->name);
    sb_add(out, " :\n    ");
    expand_name(out, conclusion[nd->shape][nd->variant], subj->name);
    sb_add(out, " := by\n");
    switch (nd->body) {
    case BODY_SORRY:
        sb_add(out, "  sorry\n");
        break;
    case BODY_SORRY_USING:
        sb_add(out, "  sorry_using [");
        for (size_t k = 0; k < nd->ndeps; k++)
            sb_fmt(out, "%s%s", k ? ", " : "", p->nodes[nd->deps[k]].name);
        sb_add(out, "]\n");
        break;
    case BODY_COMPLETE:
        write_tactics(out, p, nd, tr);
        break;
    }
}

static const char *
latex_env(const struct node *nd)
{
    return nd->kind == NODE_DEF ? "definition" : nd->kind == NODE_LEMMA ? "lemma" : "theorem";
}

/* Renders the whole file with the prose scaled by scale. */
static void
render(struct sbuf *out, const struct plan *p, double scale)
{
    struct sbuf text = { 0 };

    sb_clear(out);
    sb_add(out, "import Mathlib\nimport Architect\n\n");
    sb_add(out, "/-!\n"
                "# A synthetic blueprint\n\n"
                "Generated by `tests/bench/gen_blueprint` for benchmarks of lsp-proxy's blueprint "
                "engine. It\n"
                "follows the LeanMarathon contract: every declaration carries `@[blueprint]`, "
                "labels match\n"
                "names, each proof cites exactly its dependencies, and every lemma is used by a "
                "later node.\n"
                "Its mathematics is filler: it is shaped like a blueprint, it is not one.\n"
                "-/\n\n"
                "open Finset\n");
    for (size_t i = 0; i < p->n; i++) {
        const struct node *nd = &p->nodes[i];
        struct rng r = rng_seeded(p->seed, i + 1, 3);
        struct rng tr = rng_seeded(p->seed, i + 1, 4);

        sb_fmt(out, "\n@[blueprint \"%s\"\n", nd->label);
        sb_clear(&text);
        if (nd->kind == NODE_DEF)
            def_statement(&text, p, nd, &r, scale);
        else
            lemma_statement(&text, p, nd, &r, scale);
        write_field(out, "statement", text.data);
        if (nd->kind != NODE_DEF) {
            sb_clear(&text);
            lemma_proof(&text, p, nd, &r, scale);
            write_field(out, "proof", text.data);
        }
        sb_fmt(out, "  (title := /-- %s -/)\n", nd->title);
        sb_fmt(out, "  (latexEnv := \"%s\")]\n", latex_env(nd));
        if (nd->kind == NODE_DEF)
            write_definition(out, p, nd, &tr);
        else
            write_proof_node(out, p, nd, &tr);
    }
    sb_release(&text);
}

static size_t
count_lines(const struct sbuf *sb)
{
    size_t n = 0;

    for (size_t i = 0; i < sb->len; i++)
        n += sb->data[i] == '\n';
    return n;
}

/* ---- command line ---- */

static int
parse_ulong(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s == '\0' || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

static void
usage(FILE *f)
{
    fputs("usage: gen_blueprint [--nodes N] [--lines L] [--seed S]\n"
          "Prints a synthetic strict-contract blueprint to stdout. Defaults: 200 nodes,\n"
          "75 lines per node (15000), a fixed seed. The line count is met by scaling the\n"
          "prose, so it cannot go below what the Lean code alone takes.\n",
          f);
}

int
main(int argc, char **argv)
{
    unsigned long long nodes = 200, lines = 0, seed = 20250214;
    struct plan plan;
    struct sbuf out = { 0 };
    double lo = 0.05, hi = 40.0, best_scale = 1.0;
    size_t best_diff = (size_t)-1;

    for (int i = 1; i < argc; i += 2) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long *dst = NULL, max = 0;

        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(opt, "--nodes") == 0)
            dst = &nodes, max = 100000;
        else if (strcmp(opt, "--lines") == 0)
            dst = &lines, max = 100000000;
        else if (strcmp(opt, "--seed") == 0)
            dst = &seed, max = UINT64_MAX;
        if (dst == NULL || parse_ulong(val, max, dst) != 0) {
            usage(stderr);
            return 2;
        }
    }
    if (nodes < 3) {
        fputs("gen_blueprint: --nodes must be at least 3\n", stderr);
        return 2;
    }
    if (lines == 0)
        lines = nodes * 75; /* LeanMarathon's largest run: 14,592 lines for 204 nodes */

    plan_build(&plan, (size_t)nodes, (uint64_t)seed);
    /* The line count grows with the prose scale; bisect for the closest one. */
    for (int iter = 0; iter < 40; iter++) {
        double mid = (lo + hi) / 2;
        size_t got, diff;

        render(&out, &plan, mid);
        got = count_lines(&out);
        diff = got > lines ? got - lines : (size_t)lines - got;
        if (diff < best_diff) {
            best_diff = diff;
            best_scale = mid;
        }
        if (got == lines)
            break;
        if (got < lines)
            lo = mid;
        else
            hi = mid;
    }
    render(&out, &plan, best_scale);
    if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        fputs("gen_blueprint: cannot write to stdout\n", stderr);
        sb_release(&out);
        plan_release(&plan);
        return 2;
    }
    sb_release(&out);
    plan_release(&plan);
    return 0;
}
