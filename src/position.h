/*
 * position: LSP positions and ranges shared by every module that speaks about text.
 *
 * Lines are 0-based; `character` counts UTF-16 code units from the start of the line, as
 * LSP and Lean require (shared/lean-lsp-facts.md §3.1): 'ℝ' is 1 unit, '𝔽' is 2.
 * Header-only.
 */
#ifndef LSP_PROXY_POSITION_H
#define LSP_PROXY_POSITION_H

#include <stdbool.h>
#include <stdint.h>

struct lsp_pos {
    uint32_t line;      /* 0-based */
    uint32_t character; /* UTF-16 code units from the line start */
};

struct lsp_range {
    struct lsp_pos start;
    struct lsp_pos end; /* exclusive */
};

/* <0, 0, >0 as a is before, at, after b. */
static inline int
lsp_pos_cmp(struct lsp_pos a, struct lsp_pos b)
{
    if (a.line != b.line)
        return a.line < b.line ? -1 : 1;
    if (a.character != b.character)
        return a.character < b.character ? -1 : 1;
    return 0;
}

/* True when p lies in [r.start, r.end] (end included: a cursor just after a token). */
static inline bool
lsp_range_contains(struct lsp_range r, struct lsp_pos p)
{
    return lsp_pos_cmp(r.start, p) <= 0 && lsp_pos_cmp(p, r.end) <= 0;
}

/* True when the two ranges share at least one position. */
static inline bool
lsp_range_overlaps(struct lsp_range a, struct lsp_range b)
{
    return lsp_pos_cmp(a.start, b.end) <= 0 && lsp_pos_cmp(b.start, a.end) <= 0;
}

#endif
