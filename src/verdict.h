/*
 * verdict: the reviewer's reply (shared/INTERFACE.md, "The reviewer's reply"). Layer 0,
 * pure: no I/O, no loop, no logging.
 *
 * The reply is a JSON object {"verdict": "faithful"|"unfaithful", "findings": [{"category",
 * "explanation", "suggestion"?}]}, found in the text even when fenced (```json or an
 * untagged fence) or surrounded by prose. Which object:
 *  - every balanced top-level {...} of the text is a candidate; braces inside JSON strings
 *    do not count, and prose outside the candidates is not read as JSON (a stray quote
 *    there is harmless). A candidate cJSON does not parse is searched inside for objects;
 *    the inside of one it parses is not (nested objects are not top-level);
 *  - of the parsed objects, the LAST with a "verdict" member is the reply (a reviewer that
 *    shows an example or a draft first is read by its answer), and it alone is checked:
 *    an invalid last answer is a failure even when an earlier object was valid.
 * The search is bounded whatever the input: at most VERDICT_MAX_CANDIDATES starts and
 * about 64 passes over the text (each unbalanced brace before the answer costs one), then
 * it stops with a failure that says so; replies over VERDICT_MAX_REPLY bytes are failures.
 *
 * Strict, each failure with a one-line reason a person can act on (quoted values are cut
 * and never contain a line break):
 *  - "verdict" must be exactly "faithful" or "unfaithful";
 *  - "faithful" with a non-empty "findings" is a failure: it is contradictory, and showing
 *    either half would be a guess ("findings" absent, null or [] is fine);
 *  - "unfaithful" needs at least one finding; every finding must be an object with a
 *    category of the seven below and a non-blank "explanation" string; "suggestion" is an
 *    optional string (null or blank: none; another type is a failure). The category is
 *    the review code without "review." (the prefixed form is accepted too); the codes
 *    review.coverage and review.extra-target are the proxy's own, never the reviewer's.
 *    Unknown members are ignored (forward compatibility).
 * Bounds: all findings are checked, the first VERDICT_MAX_FINDINGS kept (v->dropped counts
 * the rest). Explanations and suggestions are trimmed, invalid UTF-8 in them becomes
 * U+FFFD (they go into LSP messages as they are), and they are cut at VERDICT_MAX_TEXT
 * bytes at a character boundary with "…" appended (so at most VERDICT_MAX_TEXT + 3 bytes).
 *
 * Ownership: a parsed verdict owns its strings; release it with verdict_release().
 */
#ifndef LSP_PROXY_VERDICT_H
#define LSP_PROXY_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#define VERDICT_MAX_FINDINGS 16      /* findings kept per verdict */
#define VERDICT_MAX_TEXT 2000        /* bytes kept of an explanation or a suggestion */
#define VERDICT_MAX_REPLY (1u << 20) /* longer replies are failures (bytes) */
#define VERDICT_MAX_CANDIDATES 4096  /* `{` tried as an object's start at most */
#define VERDICT_ERR_MAX 256          /* an err buffer this large holds every reason */

/* In the order of shared/INTERFACE.md; VERDICT_NCATEGORIES is not a category. */
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
    char *explanation; /* never NULL nor blank; valid UTF-8 */
    char *suggestion;  /* NULL when absent, null or blank; valid UTF-8 */
};

struct verdict {
    bool faithful;                    /* true: nfindings is 0; false: it is at least 1 */
    struct verdict_finding *findings; /* NULL when nfindings is 0 */
    size_t nfindings;                 /* at most VERDICT_MAX_FINDINGS */
    size_t dropped;                   /* valid findings past VERDICT_MAX_FINDINGS, not kept */
};

/* ---- parsing ---- */

/* Parses the reply text[0, len) (need not be NUL-terminated). Returns 0 with *v filled
 * (release it; err is set to ""), or -1 with the reason in err (NUL-terminated when errlen
 * > 0; VERDICT_ERR_MAX bytes hold any reason) and *v zeroed, nothing to release. Reasons
 * include "no JSON object with a \"verdict\" in the reply", "unknown verdict \"maybe\" (expected \"faithful\"
 * or \"unfaithful\")", "\"unfaithful\" with no findings", "\"faithful\" with 2 findings:
 * contradictory", "finding 2: unknown category \"x\" (expected too-weak, …)", "finding 2
 * has no explanation". */
int verdict_parse(const char *text, size_t len, struct verdict *v, char *err, size_t errlen);
/* Frees the findings; *v is zeroed (releasing a zeroed verdict again is a no-op). */
void verdict_release(struct verdict *v);

/* The verdict as compact JSON in the schema above: members in the order verdict, findings
 * ([] when faithful), category (unprefixed), explanation, suggestion (left out when NULL);
 * verdict_parse() reads it back to an equal verdict (dropped is not written). A new string
 * (free()). */
char *verdict_to_json(const struct verdict *v);

/* ---- categories and codes ---- */

/* "review.too-weak" for VERDICT_TOO_WEAK, …; "review.unknown" out of range. The category
 * name alone is code + 7 (see verdict_category_name()). */
const char *verdict_code(enum verdict_category c);
/* "too-weak" for VERDICT_TOO_WEAK, …; "unknown" out of range. */
const char *verdict_category_name(enum verdict_category c);
/* The inverse of both: the category of "too-weak" or of "review.too-weak"; -1 for anything
 * else (case matters; review.coverage and review.extra-target are no categories). */
int verdict_category_parse(const char *name);

#endif
