/*
 * bench_syntax: how long the syntax half of the blueprint engine takes on a 15,000-line
 * file: lean_lex_new, decls_new and blueprint_new separately (median and minimum over 100
 * runs each). Figures only, no assertions; the budget for the whole engine (syntax, DAG,
 * checks) is 5 ms per full rescan.
 *
 * Input: the file named by argv[1], else a synthetic blueprint built here (long docstrings,
 * tactic proofs, placeholders, Unicode names).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blueprint.h"
#include "buf.h"
#include "lsp_client.h" /* test_now_ms, test_cmp_double */
#include "decls.h"
#include "lean_lex.h"

#define RUNS 100



static char *
generate(size_t *len)
{
    struct buf b;
    buf_init(&b, 0);
    (void)buf_adds(&b, "import Mathlib\nimport Architect\n\nopen Real\n\n");
    for (int i = 1; b.len < 15000 * 50; i++) {
        bool def = i % 4 == 0;
        (void)buf_addf(&b, "@[blueprint \"%s:node-%d\"\n", def ? "def" : "lem", i);
        (void)buf_addf(&b, "  (statement := /-- For all $x \\in \\mathbb{R}$ with $x > 0$ and "
                           "$n \\in \\mathbb{N}$ we have $f_{%d}(x) \\le g(x)^{n}$. -/)\n", i);
        if (!def)
            (void)buf_addf(&b, "  (proof := /-- By \\cref{lem:node-%d, lem:node-%d}. -/)\n",
                           i > 1 ? i - 1 : 1, i > 2 ? i - 2 : 1);
        (void)buf_addf(&b, "  (title := /-- Node %d -/)\n  (latexEnv := \"%s\")]\n", i,
                       def ? "definition" : "lemma");
        if (def) {
            (void)buf_addf(&b, "noncomputable def node_%d (x : ℝ) (n : ℕ) : ℝ :=\n"
                               "  x ^ n + Real.log (x + 1) * (n : ℝ) / 2\n\n", i);
            continue;
        }
        (void)buf_addf(&b, "lemma node_%d (x : ℝ) (hx : 0 < x) (n : ℕ) (h₁ : x ≤ 1) :\n"
                           "    Real.log (1 + x) ≤ x * (n + 1 : ℝ) := by\n", i);
        if (i % 3 == 0)
            (void)buf_addf(&b, "  sorry_using [node_%d, node_%d]\n\n", i - 1, i - 2);
        else if (i % 3 == 1)
            (void)buf_adds(&b, "  sorry\n\n");
        else {
            for (int k = 0; k < 8; k++)
                (void)buf_addf(&b, "  have h%d : (0 : ℝ) < x + %d := by positivity -- s\n", k,
                               k);
            (void)buf_addf(&b, "  nlinarith [Real.add_one_le_exp x, node_%d x hx n h₁]\n\n", i - 1);
        }
    }
    return buf_detach(&b, len);
}

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[65536];
    size_t n;
    if (!f) {
        perror(path);
        exit(2);
    }
    buf_init(&b, 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        (void)buf_add(&b, chunk, n);
    fclose(f);
    return buf_detach(&b, len);
}

static void
report(const char *what, double *t)
{
    qsort(t, RUNS, sizeof *t, test_cmp_double);
    printf("%-16s median %.3f ms  min %.3f ms  (%d runs)\n", what, t[RUNS / 2], t[0], RUNS);
}

int
main(int argc, char **argv)
{
    size_t len;
    char *text = argc > 1 ? read_file(argv[1], &len) : generate(&len);
    static double tl[RUNS], td[RUNS], tb[RUNS], tt[RUNS];
    size_t ntok = 0, ndecl = 0, nbp = 0;
    uint32_t nlines = 0;

    for (int r = 0; r < RUNS; r++) {
        double t0 = test_now_ms(), t1, t2, t3;
        struct lean_lex *lx = lean_lex_new(text, len);
        struct decls *d;
        struct blueprint *bp;
        t1 = test_now_ms();
        d = decls_new(lx);
        t2 = test_now_ms();
        bp = blueprint_new(lx, d);
        t3 = test_now_ms();
        tl[r] = t1 - t0;
        td[r] = t2 - t1;
        tb[r] = t3 - t2;
        tt[r] = t3 - t0;
        ntok = lean_lex_count(lx);
        nlines = lean_lex_line_count(lx);
        ndecl = decls_count(d);
        nbp = blueprint_count(bp);
        blueprint_free(bp);
        decls_free(d);
        lean_lex_free(lx);
    }
    printf("input: %s, %zu bytes, %u lines, %zu tokens, %zu declarations, %zu blueprint "
           "attributes\n",
           argc > 1 ? argv[1] : "synthetic", len, nlines, ntok, ndecl, nbp);
    report("lean_lex_new", tl);
    report("decls_new", td);
    report("blueprint_new", tb);
    report("all three", tt);
    free(text);
    return 0;
}
