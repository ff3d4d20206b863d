/*
 * fuzz_analysis: libFuzzer target for the whole blueprint engine. Arbitrary bytes go through
 * analysis_new() in every profile, then every rendering, a Lean view derived from the same
 * bytes (analysis_set_lean), and the lookups. Built by `make build/fuzz/fuzz_analysis`
 * (clang, ASan + UBSan); seeds: tests/data and tests/data/rules.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
exercise(const char *text, size_t len, enum bp_profile profile)
{
    struct analysis *a = analysis_new(text, len, profile);
    size_t n = analysis_node_count(a);
    /* a Lean view from the bytes: diagnostics on node ranges and arbitrary places */
    struct lean_diag diags[16];
    size_t nd = 0;
    for (size_t i = 0; i < 16 && i < len; i++) {
        uint32_t line = (unsigned char)text[i] % 64, ch = (unsigned char)text[len - 1 - i] % 80;
        diags[nd].severity = 1 + (int)(text[i] & 3);
        diags[nd].is_sorry = (text[i] & 4) != 0;
        diags[nd].range = (struct lsp_range){{line, ch}, {line + (text[i] & 1), ch + 3}};
        if (n > 0 && (text[i] & 8))
            diags[nd].range = analysis_node(a, i % n)->name_range;
        nd++;
    }
    struct lean_view v = {.known = len % 3 != 0,
                          .diags = diags,
                          .ndiags = nd,
                          .done = len % 5 == 0,
                          .processed_line = (uint32_t)(len % 97)};
    analysis_set_lean(a, &v);
    char *s = analysis_dag_json(a, "file:///fuzz.lean", (long)len);
    free(s);
    s = analysis_dag_json(a, NULL, -1);
    free(s);
    s = analysis_dag_dot(a);
    free(s);
    s = analysis_dag_mermaid(a);
    free(s);
    s = analysis_diagnostics_json(a);
    free(s);
    s = analysis_check_text(a, "fuzz.lean");
    free(s);
    s = analysis_check_json_items(a, "fuzz.lean");
    free(s);
    for (size_t i = 0; i < n; i++) {
        const struct analysis_node *node = analysis_node(a, i);
        const struct analysis_node *again = analysis_node_at(a, node->name_range.start);
        (void)again;
        (void)analysis_node_by_name(a, node->name);
        (void)analysis_node_by_name(a, node->full_name);
        for (size_t k = 0; k < node->ndeps; k++)
            (void)strlen(node->deps[k]);
    }
    for (size_t i = 0; i < analysis_finding_count(a); i++) {
        const struct analysis_finding *f = analysis_finding(a, i);
        (void)strlen(f->message);
        (void)strlen(f->code);
    }
    analysis_set_lean(a, NULL);
    (void)analysis_is_blueprint(a);
    (void)analysis_profile(a);
    analysis_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    exercise(text, size, BP_PROFILE_AUTO);
    exercise(text, size, BP_PROFILE_STRICT);
    exercise(text, size, BP_PROFILE_ARCHITECT);
    exercise(text, size, BP_PROFILE_OFF);
    return 0;
}
