/*
 * diagnostics: the per-URI diagnostic sets and their merge (shared/ARCHITECTURE.md,
 * "Diagnostics merging").
 *
 * Lean's current set is kept per URI as raw JSON items, exactly as Lean wrote them: a
 * publish with `isIncremental: true` appends to the set, any other publish replaces it
 * (shared/lean-lsp-facts.md §3.4). The proxy's own sets are kept per URI and per source
 * ("marathon", "marathon-review", "marathon-agent"). diagnostics_write_publish() writes the
 * union as one full-set publishDiagnostics notification (never incremental).
 * Ownership: the store copies everything it is given. Layer 2 (policy), but pure.
 */
#ifndef LSP_PROXY_DIAGNOSTICS_H
#define LSP_PROXY_DIAGNOSTICS_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "jscan.h"

struct buf;
struct diagnostics;

struct diagnostics *diagnostics_new(void);
void diagnostics_free(struct diagnostics *d);

/* Records a publishDiagnostics from Lean: params is the validated params object.
 * Returns 0, or -EINVAL when params lack a string uri or a diagnostics array. When uri_out
 * is not NULL it receives the decoded uri (free() it); incremental_out (may be NULL) tells
 * whether the batch was marked isIncremental. */
int diagnostics_lean_publish(struct diagnostics *d, struct jspan params, char **uri_out,
                             bool *incremental_out);
/* Replaces the proxy's own set for (uri, source) with items_json, a JSON array text of
 * LSP Diagnostic objects ("[]" or NULL clears it). Returns true when the set changed. */
bool diagnostics_set_own(struct diagnostics *d, const char *uri, const char *source,
                         const char *items_json);
/* True when the proxy has any own diagnostic for uri. */
bool diagnostics_has_own(const struct diagnostics *d, const char *uri);
/* Drops everything known about uri (Lean's set and the proxy's). */
void diagnostics_forget(struct diagnostics *d, const char *uri);

/* Writes the merged notification body for uri into out (Lean's set, then the proxy's sets
 * in source order). A uri never seen publishes an empty set. */
void diagnostics_write_publish(struct diagnostics *d, const char *uri, struct buf *out);

/* Lean's current set for uri as structured entries for the blueprint engine. The array
 * stays valid until the next change of that uri's Lean set. known is false when Lean has
 * not published for uri yet. */
const struct lean_diag *diagnostics_lean_view(struct diagnostics *d, const char *uri,
                                              size_t *n, bool *known);
/* Number of Lean's current diagnostics for uri. */
size_t diagnostics_lean_count(struct diagnostics *d, const char *uri);

/* True when message is Lean's "declaration uses sorry" warning, in any of its wordings:
 * 'sorry', `sorry`, and "declaration `foo` uses `sorry`" (lean-lsp-facts.md §3.2). */
bool diagnostics_is_sorry_message(const char *message);

#endif
