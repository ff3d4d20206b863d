/*
 * workspace: the blueprint engine, live. One analysis per open document, rebuilt on open
 * at once and after edits with a debounce (config debounce_ms), so typing stays smooth;
 * its findings are published as the "marathon" diagnostic set through the merger.
 * Lean's diagnostics and fileProgress only mark the statuses stale: they are re-derived
 * (cheaply, analysis_set_lean) when someone asks: marathon.dag, code actions.
 * Talks to: documents (text), diagnostics (Lean's view, own set), analysis (engine).
 */
#ifndef LSP_PROXY_WORKSPACE_H
#define LSP_PROXY_WORKSPACE_H

#include "jscan.h"

struct analysis;
struct document;
struct proxy;

/* A document was opened: analyse and publish now. */
void workspace_opened(struct proxy *p, struct document *doc);
/* A document's text changed: re-analyse after the debounce. */
void workspace_changed(struct proxy *p, struct document *doc);
/* A document is about to close: drop its state and its own diagnostics. */
void workspace_closing(struct proxy *p, struct document *doc);
/* Lean published diagnostics for doc: statuses are stale. */
void workspace_lean_changed(struct proxy *p, struct document *doc);
/* Lean reported progress ($/lean/fileProgress params) for doc. */
void workspace_progress(struct proxy *p, struct document *doc, struct jspan params);
/* The document's analysis, brought up to date (pending edits analysed, Lean's view
 * applied). Borrowed; valid until the next workspace call for doc. */
struct analysis *workspace_analysis(struct proxy *p, struct document *doc);
/* Re-analyses every open document (after a settings change). */
void workspace_refresh_all(struct proxy *p);

#endif
