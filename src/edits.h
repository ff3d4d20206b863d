/*
 * edits: the text edits an agent's proof becomes (shared/INTERFACE.md, "Applying"). Only the
 * node's proof body is replaced; helper lemmas (when allowed) go in the local region
 * directly above the node; the statement, the attribute and every other node are frozen.
 * Layer 0, pure. Ownership: every returned string is new (free()).
 */
#ifndef LSP_PROXY_EDITS_H
#define LSP_PROXY_EDITS_H

#include <stdbool.h>
#include <stddef.h>

#include "position.h"

/* Where a new body starts: right after the `by` (or `:=`) that precedes body_start, the
 * white space between them included in what is replaced; body_start when neither does. */
size_t edits_body_anchor(const char *text, size_t body_start);

/* The text that replaces the body [anchor, body_end) of text (anchor from edits_body_anchor()) with
 * a tactic script (lines as reply.h gives them: common indentation removed), indented by indent + 2
 * spaces: after `:= by` a newline and the script; after a bare `:=` " by" first; with no `:=` at
 * all " := by" first. */
char *edits_body_text(const char *text, size_t body_start, const char *script, unsigned indent);

/* The helpers block inserted at a node's first line: each helper as written, then a blank
 * line (helpers ends with a newline or not). */
char *edits_helpers_text(const char *helpers);

struct edits_change {
    struct lsp_range range;
    const char *text;
};

/* A WorkspaceEdit for uri: `documentChanges` with the version when document_changes, else
 * `changes`. Returns the JSON text. */
char *edits_workspace_edit(const char *uri, long version, bool document_changes,
                           const struct edits_change *changes, size_t n);

#endif
