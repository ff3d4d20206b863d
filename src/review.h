/*
 * review: stage-one fidelity review as diagnostics (shared/INTERFACE.md, "The reviewer's
 * reply", "Agents and review"; shared/blueprint-contract.md, "Beyond the file").
 *
 * The targets of a document are its theorem nodes (and its lemmas with review.scope "all").
 * For each, one read-only LLM request (a job of kind review on the agents' queue) compares
 * the Lean statement (with the definitions in scope, context.h), the LaTeX statement of its
 * @[blueprint] attribute and, with review.problemFile, the canonical target whose \label is
 * the node's blueprint label. The reply is parsed strictly (verdict.h); a reply that cannot
 * be parsed is a review failure, never "faithful".
 *
 * Results: findings are `marathon-review` warnings on the declaration's name (code
 * review.<category>, the explanation as the message, the suggestion in a second paragraph);
 * a failure is an information diagnostic (review.failed); a clean review publishes nothing
 * and sets the node's DAG `review` field to "faithful". A finding dismissed
 * (marathon.dismiss) is hidden until the statement text changes; a node all of whose
 * findings are dismissed shows "dismissed".
 *
 * When: on open and on save, for targets whose statement (or target text) changed since
 * they were last reviewed; on marathon.review. Results are cached in <stateDir> keyed by a
 * hash of (Lean statement with its attribute, target text, model, prompt version), so a
 * reopened file or a restarted editor costs no request; failed reviews are not cached.
 *
 * Ownership: the proxy owns the review state (p->review).
 */
#ifndef LSP_PROXY_REVIEW_H
#define LSP_PROXY_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

struct analysis;
struct analysis_node;
struct buf;
struct document;
struct llm_result;
struct proxy;
struct review;

struct review *review_new(struct proxy *p);
void review_free(struct review *r);

/* True when review runs on open and save: review.enabled, or by default when an LLM is
 * configured. */
bool review_enabled(const struct proxy *p);

/* The router's hooks. */
void review_document_opened(struct proxy *p, struct document *doc);
void review_document_saved(struct proxy *p, struct document *doc);
void review_document_closing(struct proxy *p, struct document *doc);

/* marathon.review: a review job per target of doc (only `name` when not NULL), also for
 * targets reviewed already when force; cached results are used unless force. Appends the
 * new job ids as JSON strings, comma-separated, to ids. Returns the number of targets
 * handled (started or answered from the cache), or -1 with a message in *err (new
 * string): no such target, no LLM configured. */
int review_run(struct proxy *p, struct document *doc, const char *name, bool force,
               struct buf *ids, char **err);

/* marathon.dismiss: hides the finding `code` ("review.too-weak") of node name until its
 * statement changes. Returns 0, or -1 with a message in *err (new string). */
int review_dismiss(struct proxy *p, struct document *doc, const char *name, const char *code,
                   char **err);

/* The node's DAG `review` field: "unreviewed", "faithful", "findings" or "dismissed". */
const char *review_node_state(struct proxy *p, const char *uri, const char *name);

/* True when a target of doc has findings that are not dismissed (proveLeaves asks first). */
bool review_open_findings(struct proxy *p, struct document *doc);

/* The codes of the open (not dismissed) findings of node name, for code actions: calls fn
 * for each. */
void review_foreach_finding(struct proxy *p, const char *uri, const char *name,
                            void (*fn)(const char *code, void *arg), void *arg);

/* ---- for the agents' review jobs ---- */

/* The user message of a review request for node (a target of doc) and its cache key. New
 * string; key_out receives the key (REVIEW_KEY_LEN bytes with the NUL). */
#define REVIEW_KEY_LEN 65
char *review_prompt(struct proxy *p, const struct document *doc, const struct analysis *a,
                    const struct analysis_node *node, char key_out[REVIEW_KEY_LEN]);

/* The reply of a review job for (uri, name) made with key: parsed, stored, cached and
 * published. Returns true when the review succeeded; *message (new string) says what it
 * found or why it failed. */
bool review_reply(struct proxy *p, const char *uri, const char *name, const char *key,
                  const struct llm_result *res, char **message);

/* The state directory for documents like uri (statedir.h), opened on first use; NULL when
 * there is none (no stateDir setting and no project root) or it cannot be created. */
struct statedir;
struct statedir *review_statedir_of(struct proxy *p, const struct document *doc);

/* ---- statement repair (marathon.fixStatement) ---- */

/* True when node name of uri has review findings (open or dismissed): something to fix. */
bool review_has_findings(struct proxy *p, const char *uri, const char *name);

/* The first message to the statement Refiner (src/prompts/statement.txt): the findings,
 * the LaTeX statement, the target, the Lean statement, the file in scope. New string. */
char *review_fix_prompt(struct proxy *p, const struct document *doc, const struct analysis *a,
                        const struct analysis_node *node);

/* The reviewer's message for a candidate statement of node (lean: the declaration head;
 * latex: the new LaTeX statement or NULL for the node's current one). New string. */
char *review_candidate_prompt(struct proxy *p, const struct document *doc,
                              const struct analysis *a, const struct analysis_node *node,
                              const char *lean, const char *latex);

/* Reads a reviewer's reply to a candidate: 1 faithful, 0 findings (*why: them, as the next
 * round's feedback), -1 unparsable (*why: the reason). *why is a new string or NULL. */
int review_candidate_verdict(const char *text, size_t len, char **why);

#endif
