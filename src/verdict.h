/*
 * verdict: the reviewer's reply (shared/INTERFACE.md, "The reviewer's reply"). Layer 0,
 * pure.
 *
 * The reply is a JSON object {"verdict": "faithful"|"unfaithful", "findings": [{"category",
 * "explanation", "suggestion"?}]}, found in the text even when fenced or surrounded by
 * prose: every balanced top-level {...} (JSON strings respected) is a candidate, and the
 * last one that parses and has a "verdict" member is taken. Strict: an unknown verdict or
 * category, a finding without an explanation, "unfaithful" with no findings and
 * "faithful" with findings (contradictory) are failures, each with a one-line reason a
 * person can act on. At most VERDICT_MAX_FINDINGS findings; texts are capped at
 * VERDICT_MAX_TEXT bytes (cut at a UTF-8 boundary, "…" appended).
 */
#ifndef LSP_PROXY_VERDICT_H
#define LSP_PROXY_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#define VERDICT_MAX_FINDINGS 16
#define VERDICT_MAX_TEXT 2000
#define VERDICT_MAX_REPLY (1u << 20)   /* longer replies are failures */
#define VERDICT_MAX_CANDIDATES 4096    /* `{` tried as an object's start at most */

enum verdict_category {
    VERDICT_TOO_WEAK,
    VERDICT_TOO_STRONG,
    VERDICT_QUANTIFIER,
    VERDICT_MISSING_HYPOTHESIS,
    VERDICT_VACUOUS_HYPOTHESIS,
    VERDICT_WRONG_CONCLUSION,
    VERDICT_MISMATCHED_OBJECT,
    VERDICT_NCATEGORIES
};

struct verdict_finding {
    enum verdict_category category;
    char *explanation; /* never NULL */
    char *suggestion;  /* NULL when absent or empty */
};

struct verdict {
    bool faithful;
    struct verdict_finding *findings;
    size_t nfindings;
};

/* Parses text[0, len). Returns 0 with *v filled (release it), or -1 with the reason in err
 * (*v zeroed, nothing to release). */
int verdict_parse(const char *text, size_t len, struct verdict *v, char *err, size_t errlen);
void verdict_release(struct verdict *v);

/* "review.too-weak" for VERDICT_TOO_WEAK, …; the category name alone is code + 7. */
const char *verdict_code(enum verdict_category c);
/* The category of "too-weak" (or "review.too-weak"); -1 when unknown. */
int verdict_category_parse(const char *name);

#endif
