/*
 * bench_analysis: how long a full analysis (lex, declarations, blueprint, DAG, checks) and
 * a Lean-view update take on a LeanMarathon-sized file: 15,000 lines, 200 nodes (57
 * definitions, 140 lemmas, 3 theorems), like the paper's largest run. Prints the median
 * and p99 over 200 runs of each; figures only, no assertions (the target is <= 5 ms per
 * full analysis, the budget for re-analysing on every keystroke).
 *
 * Input: the file named by argv[1] (e.g. the output of tests/bench/gen_blueprint), else a
 * synthetic blueprint built here (token-dense: long complete proofs). `--write FILE`
 * writes that synthetic blueprint to FILE and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "buf.h"
#include "lsp_client.h" /* test_now_ms, test_cmp_double */

#define MAX_RUNS 200
/* BENCH_RUNS (1..200, default 200): fewer runs, e.g. under callgrind for instruction counts */
static int RUNS = MAX_RUNS;



static void
node_attr(struct buf *b, const char *prefix, const char *label, const char *env, bool proof,
          const char *cites)
{
    (void)buf_addf(b, "@[blueprint \"%s:%s\"\n", prefix, label);
    (void)buf_addf(b, "  (statement := /-- For every $n \\in \\mathbb{N}$ the quantity "
                      "$f_{%s}(n)$ is bounded by $C \\cdot n^{2}$. -/)\n",
                   label);
    if (proof)
        (void)buf_addf(b, "  (proof := /-- Combine %s with a standard estimate. -/)\n", cites);
    (void)buf_addf(b, "  (title := /-- Bound %s -/)\n", label);
    (void)buf_addf(b, "  (latexEnv := \"%s\")]\n", env);
}

/* A LeanMarathon-like blueprint of about 15,000 lines and 200 nodes. */
static char *
generate(size_t *len)
{
    struct buf b;
    buf_init(&b, 0);
    (void)buf_adds(&b, "import Mathlib\n\nopen Real Finset\n\n");
    for (int i = 0; i < 57; i++) {
        char label[32];
        snprintf(label, sizeof label, "weight-%d", i);
        node_attr(&b, "def", label, "definition", false, "");
        (void)buf_addf(&b,
                       "noncomputable def weight_%d (n : ℕ) : ℝ :=\n"
                       "  ∑ k ∈ Finset.range (n + 1), (k : ℝ) ^ 2 / (k + %d)\n\n",
                       i, i + 1);
    }
    for (int i = 0; i < 143; i++) {
        bool thm = i >= 140;
        char label[32], name[32], cites[256], dep1[32] = "", dep2[32] = "";
        snprintf(label, sizeof label, "%s-bound-%d", thm ? "main" : "aux", i);
        snprintf(name, sizeof name, "%s_bound_%d", thm ? "main" : "aux", i);
        /* each node uses the two lemmas before it (theorems: the last two lemmas) */
        int d1 = thm ? 139 : i - 1, d2 = thm ? 138 : i - 2;
        cites[0] = '\0';
        if (d1 >= 0) {
            snprintf(dep1, sizeof dep1, "aux_bound_%d", d1);
            snprintf(cites, sizeof cites, "\\cref{lem:aux-bound-%d}", d1);
        }
        if (d2 >= 0) {
            snprintf(dep2, sizeof dep2, "aux_bound_%d", d2);
            snprintf(cites, sizeof cites, "\\cref{lem:aux-bound-%d, lem:aux-bound-%d}", d1, d2);
        }
        node_attr(&b, thm ? "thm" : "lem", label, thm ? "theorem" : "lemma", true,
                  d1 >= 0 ? cites : "the definitions");
        (void)buf_addf(&b,
                       "%s %s (n : ℕ) (hn : 0 < n) :\n    weight_%d n ≤ %d * (n : ℝ) ^ 2 := by\n",
                       thm ? "theorem" : "lemma", name, i % 57, i + 3);
        if (i % 3 == 0) {
            if (d2 >= 0)
                (void)buf_addf(&b, "  sorry_using [%s, %s]\n\n", dep1, dep2);
            else if (d1 >= 0)
                (void)buf_addf(&b, "  sorry_using [%s]\n\n", dep1);
            else
                (void)buf_adds(&b, "  sorry\n\n");
            continue;
        }
        /* a long complete proof that uses its predecessors */
        if (d1 >= 0)
            (void)buf_addf(&b, "  have h1 := %s n hn\n", dep1);
        if (d2 >= 0)
            (void)buf_addf(&b, "  have h2 := %s n hn\n", dep2);
        for (int k = 0; k < 68; k++)
            (void)buf_addf(&b,
                           "  have s%d : (%d : ℝ) * n ^ 2 ≤ %d * n ^ 2 + %d := by\n"
                           "    nlinarith [sq_nonneg ((n : ℝ) - %d), mul_pos hn hn]\n",
                           k, k + 1, k + 2, k, k);
        (void)buf_adds(&b, "  simp only [Finset.sum_range_succ] at *\n"
                           "  linarith\n\n");
    }
    return buf_detach(&b, len);
}

static char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    struct buf b;
    buf_init(&b, 0);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        (void)buf_add(&b, chunk, n);
    fclose(f);
    return buf_detach(&b, len);
}

static void
report(const char *what, double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, test_cmp_double);
    double p99 = t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
    fprintf(stdout, "%-34s median %.3f ms  p99 %.3f ms  (min %.3f, %d runs)\n", what,
            t[n / 2], p99, t[0], n);
}

int
main(int argc, char **argv)
{
    size_t len = 0;
    if (argc == 3 && strcmp(argv[1], "--write") == 0) {
        /* the synthetic input as a file, for whole-process benchmarks and profiling */
        char *g = generate(&len);
        FILE *f = fopen(argv[2], "wb");
        int rc = f && fwrite(g, 1, len, f) == len ? 0 : 1;
        if (f && fclose(f) != 0)
            rc = 1;
        free(g);
        if (rc)
            fprintf(stderr, "bench_analysis: cannot write %s\n", argv[2]);
        return rc;
    }
    const char *runs = getenv("BENCH_RUNS");
    if (runs && atoi(runs) >= 1 && atoi(runs) <= MAX_RUNS)
        RUNS = atoi(runs);
    char *text = argc > 1 ? read_all(argv[1], &len) : generate(&len);
    if (text == NULL) {
        fprintf(stderr, "bench_analysis: cannot read %s\n", argv[1]);
        return 1;
    }
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    struct analysis *a = analysis_new(text, len, BP_PROFILE_AUTO);
    size_t nodes = analysis_node_count(a), leaves = 0;
    for (size_t i = 0; i < nodes; i++)
        leaves += analysis_node(a, i)->leaf;
    fprintf(stdout, "input: %s, %zu bytes, %zu lines, %zu nodes, %zu leaves, %zu findings, "
                    "profile %s\n",
            argc > 1 ? argv[1] : "synthetic", len, lines, nodes, leaves,
            analysis_finding_count(a), bp_profile_name(analysis_profile(a)));
    analysis_free(a);

    double t_new[MAX_RUNS], t_lean[MAX_RUNS], t_json[MAX_RUNS];
    /* a Lean view: an error in every 10th node, a sorry warning on every 3rd, half done */
    struct lean_diag diags[200];
    size_t nd = 0;
    a = analysis_new(text, len, BP_PROFILE_AUTO);
    for (size_t i = 0; i < analysis_node_count(a) && nd < 200; i++) {
        const struct analysis_node *n = analysis_node(a, i);
        if (i % 10 == 0 || i % 3 == 0)
            diags[nd++] = (struct lean_diag){.severity = i % 10 == 0 ? 1 : 2,
                                             .range = n->name_range,
                                             .is_sorry = i % 10 != 0};
    }
    struct lean_view view = {.known = true, .diags = diags, .ndiags = nd, .done = false,
                             .processed_line = (uint32_t)(lines / 2)};
    for (int r = 0; r < RUNS; r++) {
        double t0 = test_now_ms();
        struct analysis *b = analysis_new(text, len, BP_PROFILE_AUTO);
        double t1 = test_now_ms();
        analysis_set_lean(b, &view);
        double t2 = test_now_ms();
        char *js = analysis_dag_json(b, "file:///bench.lean", r);
        double t3 = test_now_ms();
        t_new[r] = t1 - t0;
        t_lean[r] = t2 - t1;
        t_json[r] = t3 - t2;
        free(js);
        analysis_free(b);
    }
    analysis_free(a);
    report("analysis_new (full rescan)", t_new, RUNS);
    /* The live path: analysis_update() after a one-character edit (typed, then deleted) in
     * the middle of the file, at its first line and at its last. */
    {
        static const struct { const char *what; double where; } at[] = {
            {"analysis_update (edit, middle)", 0.5},
            {"analysis_update (edit, line 1)", 0.0},
            {"analysis_update (edit, end)", 1.0}};
        char *edited = malloc(len + 2);
        for (size_t w = 0; w < sizeof at / sizeof *at; w++) {
            size_t off = (size_t)(at[w].where * (double)len);
            while (off > 0 && off < len && text[off - 1] != '\n')
                off--; /* the start of a line: a new token, not a longer name */
            memcpy(edited, text, off);
            edited[off] = 'x';
            memcpy(edited + off + 1, text + off, len - off);
            double t_up[MAX_RUNS];
            struct analysis *u = analysis_new(text, len, BP_PROFILE_AUTO);
            for (int r = 0; r < RUNS; r++) {
                double t0 = test_now_ms();
                u = r % 2 == 0 ? analysis_update(u, edited, len + 1, BP_PROFILE_AUTO)
                               : analysis_update(u, text, len, BP_PROFILE_AUTO);
                t_up[r] = test_now_ms() - t0;
            }
            analysis_free(u);
            report(at[w].what, t_up, RUNS);
        }
        free(edited);
    }
    report("analysis_set_lean", t_lean, RUNS);
    report("analysis_dag_json", t_json, RUNS);
    free(text);
    return 0;
}
