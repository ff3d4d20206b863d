/*
 * golden.h: how a golden input tests/data/NAME.lean is rendered into NAME.dag.json and
 * NAME.check.txt; shared by tests/unit/test_golden.c (compares) and tests/bench/gen_golden.c
 * (rewrites, through tests/regen). Profile auto; the DAG JSON with "uri": null and
 * "version": null; the check lines name the file as `tests/data/NAME.lean`, as
 * `lsp-proxy check tests/data/NAME.lean` prints them from the repository root.
 */
#ifndef LSP_PROXY_TESTS_GOLDEN_H
#define LSP_PROXY_TESTS_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

/* Reads a whole file; NULL when it cannot be read. */
static inline char *
golden_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 65536, n = 0, got;
    char *s = malloc(cap + 1);
    while ((got = fread(s + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            s = realloc(s, (cap *= 2) + 1);
    }
    fclose(f);
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

/* Renders the .lean text (base = "NAME.lean"): *dag and *check are new strings. */
static inline void
golden_render(const char *text, size_t len, const char *base, char **dag, char **check)
{
    char shown[1024];
    snprintf(shown, sizeof shown, "tests/data/%s", base);
    struct analysis *a = analysis_new(text, len, BP_PROFILE_AUTO);
    *dag = analysis_dag_json(a, NULL, -1);
    *check = analysis_check_text(a, shown);
    analysis_free(a);
}

#endif
