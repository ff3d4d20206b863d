/*
 * reply: what an agent's candidate is, read from text (shared/INTERFACE.md, "The prover's
 * reply" and "Tactic portfolio"). Layer 0, pure: no I/O, no Lean.
 *
 *  - reply_extract(): the candidate of an LLM reply is its last fenced code block
 *    (```lean, ```lean4 or an untagged fence; ~~~ fences too); a leading `by` line of the
 *    block is dropped; with helpers allowed, complete declarations at the start of the
 *    block (a line starting `lemma`, `theorem`, `def`, `@[`, `/--` …) are the helpers and
 *    the tactic script follows them. Everything outside the block is commentary.
 *  - reply_refusal(): why a candidate is refused before Lean sees it: a `sorry`, `admit`,
 *    `sorry_using`, `axiom` (or `native_decide` unless allowed) token outside comments and
 *    strings, or (without helpers) a declaration in the script.
 *  - reply_try_this(): the suggestion of a `Try this: T` message (exact?, apply?, simp?),
 *    the text after the first "Try this:" with Lean's `[apply] ` link label removed.
 *
 * Ownership: every returned string is new (free()); NULL when there is none.
 */
#ifndef LSP_PROXY_REPLY_H
#define LSP_PROXY_REPLY_H

#include <stdbool.h>
#include <stddef.h>

struct reply_candidate {
    char *helpers; /* helper declarations (may be NULL), each ending in a newline */
    char *script;  /* the tactic script that follows `:= by` (never NULL when extracted),
                    * lines as written, common indentation removed, no trailing newline */
};

/* Extracts the candidate from an LLM reply. Returns 0, or -1 when the reply holds no
 * non-empty fenced block (*c untouched). */
int reply_extract(const char *text, size_t len, bool allow_helpers, struct reply_candidate *c);
void reply_candidate_release(struct reply_candidate *c);

/* Why the candidate (helpers and script) must not reach Lean, as a sentence for the next
 * prompt; NULL when nothing is wrong. */
char *reply_refusal(const struct reply_candidate *c, bool allow_native_decide,
                    bool allow_helpers);

/* The tactic of a "Try this: T" message (T trimmed, multi-line kept); NULL when message
 * has none. */
char *reply_try_this(const char *message, size_t len);

#endif
