/*
 * agents: the job queue of the prove and repair agents (shared/INTERFACE.md, "Jobs in
 * marathon.status", "Agents and review: the details tests rely on").
 *
 * A job snapshots the document (version and text) when it starts and works on a node of
 * that snapshot: the tactic portfolio (agents.tactics) first, each tactic checked in a
 * shadow document (shadow.h), a `Try this:` suggestion turned into its proof text and
 * checked again; then, for prove and repair jobs with an LLM configured, up to
 * agents.maxAttempts rounds of the prover (or repairer) prompt (src/prompts/), each reply's
 * fenced block refused before Lean when it cheats (reply.h) and otherwise checked in the
 * shadow document, Lean's errors and the goal fed into the next round.
 * At most agents.maxParallel jobs run at once (one shadow document each); the rest queue.
 * Progress goes to the editor as window/workDoneProgress (create, begin, a report per
 * attempt, end) when it announced support; its cancel button and marathon.cancel cancel.
 * A verified proof is applied (agents.autoApply) with workspace/applyEdit against the
 * version the job started from, re-based onto the node found by name when the document
 * changed and the statement did not (else dropped, with a message), or waits as the
 * "Apply proof found for `NAME`" code action with a `marathon-agent` information
 * diagnostic. A failed job leaves a `marathon-agent` warning with Lean's last error.
 *
 * Ownership: the proxy owns the agents (p->agents); jobs are freed when they fall out of
 * the last 100 finished ones, never inside one of their own callbacks.
 */
#ifndef LSP_PROXY_AGENTS_H
#define LSP_PROXY_AGENTS_H

#include <stdbool.h>

#include "jscan.h"

struct agents;
struct buf;
struct document;
struct proxy;

/* REVIEW: one read-only reviewer request on a target (review.h); no Lean, no edit. */
/* FIX: marathon.fixStatement: a corrected statement for a review finding, elaborated by
 * Lean (proof `sorry`) and reviewed again before it is offered; never applied by itself. */
enum agents_kind {
    AGENTS_KIND_PROVE,
    AGENTS_KIND_REPAIR,
    AGENTS_KIND_TACTICS,
    AGENTS_KIND_REVIEW,
    AGENTS_KIND_FIX
};

struct agents *agents_new(struct proxy *p);
/* Cancels what runs (no callback reaches the editor afterwards) and frees everything. */
void agents_free(struct agents *ag);

/* Starts a job on the node `name` of doc. Returns the job id (a static-lifetime string
 * owned by the job) or NULL with a message in *err (new string): no such node, nothing to
 * do (prove: the node is proved; repair: it has no error), a job already running on it. */
const char *agents_start(struct proxy *p, struct document *doc, const char *name,
                         enum agents_kind kind, bool user_started, char **err);
/* Cancels the job with this id, or every job when id is NULL. Returns how many. */
int agents_cancel(struct proxy *p, const char *id);

/* The "jobs" array of marathon.status, appended to out. */
void agents_status_json(struct proxy *p, struct buf *out);
/* The LLM figures of marathon.status (requests, tokensIn, tokensOut) as JSON members
 * ("\"requests\":n,..."), appended to out. */
void agents_llm_json(struct proxy *p, struct buf *out);

/* The WorkspaceEdit (JSON, new string) of the proof found for name in doc, re-based onto
 * the current text; NULL when there is none or it no longer fits. */
char *agents_proposal_edit(struct proxy *p, struct document *doc, const char *name);

/* The corrected statement found for name (fixStatement): the WorkspaceEdit (JSON, new
 * string) against the current text and, in *statement (new string), the new declaration
 * head; NULL when there is none or the statement changed since. */
char *agents_statement_edit(struct proxy *p, struct document *doc, const char *name,
                            char **statement);
/* ---- the router's hooks ---- */
void agents_document_saved(struct proxy *p, struct document *doc);
void agents_document_closing(struct proxy *p, struct document *doc);
/* Lean is up again after a restart (replay done): queued jobs start. */
/* The settings changed: when the LLM settings differ from those the client was made from,
 * later requests use a new client (requests in flight finish on the old one). */
void agents_settings_changed(struct proxy *p);
void agents_lean_ready(struct proxy *p);
/* $/lean/fileProgress for doc (its params). */
void agents_progress(struct proxy *p, struct document *doc, struct jspan params);
/* window/workDoneProgress/cancel: true when the token is one of the agents'. */
bool agents_progress_cancel(struct proxy *p, struct jspan token);

#endif
