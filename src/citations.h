/*
 * citations: the blueprint contract's gate on an agent's edit (issue "local refinement"):
 * the applied edit must leave `lsp-proxy check` no worse. Given the document before the
 * edit and after it (the node's body replaced, helper lemmas inserted above the node),
 * it brings the node's `proof` citations in line with what the new proof uses (cref
 * parity: a `\cref{L}` added for each blueprint proof node used and not cited, the
 * citation of a proof node no longer used removed; definition citations are left alone),
 * and then compares the contract findings of the two texts: a new finding at error
 * severity refuses the edit; new warnings (a planned dependency the proof does not use
 * becomes an unused lemma: closeness) are reported, not refused, since the proof is still
 * a proof and the person decides.
 *
 * How citations are written: missing ones are appended to the proof text as one sentence,
 * "It uses \cref{lem:a} and \cref{lem:b}."; a stale label is removed from its `\cref{…}`
 * (the whole command, with the space before it, when it was the only label).
 *
 * Layer 2 (analysis). Pure: no I/O, no loop. Ownership: struct citations_result's strings
 * are new, freed by citations_result_release().
 */
#ifndef LSP_PROXY_CITATIONS_H
#define LSP_PROXY_CITATIONS_H

#include <stddef.h>

#include "analysis.h"

struct citations_result {
    /* The `proof` docstring's new content, to replace bytes [proof_start, proof_end)
     * counted from the node's first line (the same in the text before and after the edit:
     * the attribute is frozen); NULL when nothing changes. */
    char *proof_text;
    size_t proof_start, proof_end;
    /* When the edit is refused: the error findings it would add, one per line
     * ("code: message"); NULL when accepted. */
    char *problems;
    /* When accepted: the warnings it adds, the same way; NULL when none. */
    char *warnings;
};

/* old_text: the document before. new_text: the same document after the edit, where the
 * node starts at new_node_start; stmt_len: the length of its frozen part there (attribute
 * and head, up to the new body). name: the node's Lean
 * name. profile: the document's blueprint profile. Returns 0 (accepted: apply the edit
 * and r->proof_text; r->warnings says what it adds below error severity) or -1
 * (r->problems says what would get worse). A file that is not a
 * blueprint is always accepted unchanged. */
int citations_gate(const char *old_text, size_t old_len, size_t stmt_len, const char *new_text,
                   size_t new_len, size_t new_node_start, const char *name, enum bp_profile profile,
                   struct citations_result *r);

void citations_result_release(struct citations_result *r);

#endif
