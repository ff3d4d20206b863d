/*
 * shadow: verification documents inside the running Lean server (shared/ARCHITECTURE.md,
 * "Shadow documents"). A shadow document is a hidden URI next to the real file,
 * `<dir>/.<stem>.shadow<N>.lean`; an agent job leases one, and each candidate it checks is
 * the real file's text cut after the node, the node's body replaced, and `#print axioms
 * NAME` appended. The first check opens the document; later ones send only what changed
 * (for candidates of one node: the tail), so Lean reuses every command before the node.
 * A check is done when Lean answers `textDocument/waitForDiagnostics` for its version
 * (lean-lsp-facts.md §4); its verdict accepts the candidate only when, from the node on,
 * there is no error and no sorry warning and the axioms line names no axiom outside
 * propext, Classical.choice, Quot.sound (and Lean.ofReduceBool, Lean.trustCompiler when
 * native_decide is allowed). On an error, the goal there ($/lean/plainGoal) is added.
 * Nothing Lean says about a shadow URI reaches the editor: the router hands every
 * publishDiagnostics and fileProgress to shadow_lean_notification() first.
 *
 * Ownership: the store (one per proxy) owns its documents; a document is leased by one
 * caller between shadow_open() and shadow_close(). A check's callback is called exactly once
 * (verdict, Lean exit, time-out) unless the document is closed first, and never from inside
 * shadow_check(). The verdict's strings are borrowed for the callback.
 */
#ifndef LSP_PROXY_SHADOW_H
#define LSP_PROXY_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jscan.h"

struct proxy;
struct shadow;
struct shadow_doc;

struct shadow_verdict {
    bool accepted;
    bool lean_failed;     /* Lean could not check (exit, time-out, worker error): not the
                           * candidate's fault */
    const char *reason;   /* one line: why not accepted ("" when accepted) */
    const char *errors;   /* Lean's messages from the node on, one "line L: message" block
                           * each, verbatim ("" when none) */
    const char *goal;     /* the goal at the first error, or NULL */
    const char *try_this; /* the first "Try this:" suggestion in the node, or NULL */
    const char *axioms;   /* the axioms line as Lean wrote it, or NULL */
};

typedef void shadow_done_cb(struct shadow_doc *sd, const struct shadow_verdict *v, void *arg);

struct shadow *shadow_new(struct proxy *p);
/* Closes every document (their pending callbacks are not called). */
void shadow_free(struct shadow *s);

/* Leases a new shadow document for real_uri (nothing is sent before the first check). */
struct shadow_doc *shadow_open(struct shadow *s, const char *real_uri);
/* Closes the document in Lean (didClose) and frees it; a pending check is forgotten. */
void shadow_close(struct shadow_doc *sd);
const char *shadow_uri(const struct shadow_doc *sd);

struct shadow_check_options {
    uint32_t region_line;     /* first line (0-based) of the node in text: what is judged */
    bool allow_native_decide; /* admit Lean.ofReduceBool / Lean.trustCompiler */
    double timeout_s;         /* 0: 600 */
};

/* Checks text (the whole shadow text; copied). Returns 0, or -EAGAIN when Lean is not
 * running, -EBUSY when a check of this document is pending (no callback then). */
int shadow_check(struct shadow_doc *sd, const char *text, size_t len,
                 const struct shadow_check_options *o, shadow_done_cb *cb, void *arg);

/* The router's hook for publishDiagnostics / $/lean/fileProgress from Lean: true when the
 * notification was about a shadow document (consumed), false for the editor's documents. */
bool shadow_lean_notification(struct shadow *s, const char *method, struct jspan params);
/* Lean exited: every shadow document is gone from it (re-opened at the next check). */
void shadow_lean_exited(struct shadow *s);
/* Documents leased now. */
size_t shadow_count(const struct shadow *s);

/* ---- pure helpers, exposed for tests ---- */

/* The shadow URI number n for real_uri (new string): file:///d/A.lean ->
 * file:///d/.A.shadow<n>.lean */
char *shadow_uri_for(const char *real_uri, unsigned n);
/* Parses the axioms of a `#print axioms` message. Returns the number of names written to
 * names (each a new string, at most max), or -1 when message is not an axioms line. */
int shadow_parse_axioms(const char *message, char **names, int max);

#endif
