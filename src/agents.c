/* agents: prove / repair jobs: tactic portfolio, LLM rounds, shadow checks, edits. */
#include "agents.h"

#include <cjson/cJSON.h>
#include <ev.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "blueprint.h"
#include "buf.h"
#include "citations.h"
#include "context.h"
#include "decls.h"
#include "diagnostics.h"
#include "documents.h"
#include "edits.h"
#include "http.h"
#include "lean_lex.h"
#include "jsonrpc.h"
#include "llm.h"
#include "log.h"
#include "prompts.h"
#include "proxy.h"
#include "reply.h"
#include "review.h"
#include "shadow.h"
#include "statedir.h"
#include "workspace.h"
#include "xalloc.h"

#define AGENTS_KEEP_FINISHED 100
#define AGENTS_APPLY_WAIT_S 10  /* longest wait for the editor's answer to applyEdit */
#define AGENTS_CONTEXT_MAX 24000 /* bytes of the file before the node quoted in a prompt */

enum job_state {
    JOB_QUEUED,
    JOB_RUNNING,
    JOB_VERIFYING,
    JOB_SUCCEEDED,
    JOB_FAILED,
    JOB_CANCELLED,
};

static const char *const job_state_names[] = {"queued",    "running", "verifying",
                                              "succeeded", "failed",  "cancelled"};
static const char *const job_kind_names[] = {"prove", "repair", "tactics", "review",
                                             "fixStatement"};

struct job_msg {
    char *role;
    char *content;
};

struct job {
    struct agents *ag;
    struct job *next; /* newest first */
    char id[32];
    enum agents_kind kind; /* as asked; reported as tactics when the portfolio proved it */
    bool proved_by_tactics;
    bool portfolio_only; /* on-save "tactics": no LLM */
    enum job_state state;
    bool user_started;
    char *uri, *name, *full_name;
    long base_version;
    char *text; /* the snapshot */
    size_t text_len;
    size_t node_start;        /* byte offsets in text: the node's first line, */
    size_t anchor;            /* where its new body starts (after `by` / `:=`), */
    size_t body_end;          /* and where its body ends */
    unsigned indent;          /* the node's column */
    char *statement;          /* text[node_start, anchor): what must not change */
    char *context;            /* the prompt's part on the node's surroundings (review: the
                               * whole request) */
    char review_key[REVIEW_KEY_LEN]; /* review: the cache key of what is reviewed */
    /* fixStatement: the declaration head [head_start, head_end) and the LaTeX statement
     * [latex_start, latex_end) (latex_end == 0: none) in text; the candidate */
    size_t head_start, head_end, latex_start, latex_end;
    int fix_phase; /* 0 the LLM proposes, 1 Lean elaborates, 2 the reviewer judges */
    bool vacuity_checked; /* review: the deterministic check ran (or cannot run) */
    bool refute_checked;  /* review: the refutation check ran (or cannot run) */
    int det_pending;      /* review: the check Lean is judging: 1 vacuity, 2 refutation */
    char *refutation;     /* review: ¬ (∀ …) for `decide` (job_refutation), or NULL */
    struct statedir *audit; /* where the audit log goes (owned by the review state), or NULL */
    char *binders;        /* review: the statement's binders, for the vacuity check */
    char *new_statement, *new_latex;
    size_t tactic;            /* next portfolio entry */
    int attempts;             /* LLM rounds sent */
    int steps;                /* candidates checked (for the progress percentage) */
    char *candidate;          /* script being checked */
    char *helpers;            /* its helpers (or NULL) */
    bool candidate_is_search; /* exact? / apply? / simp?: never applied itself */
    bool in_llm;              /* the portfolio is done */
    bool recheck;             /* queued again to check `candidate` once Lean is back */
    int lean_retries;         /* candidates checked again after a Lean exit */
    struct shadow_doc *sd;
    struct llm_request *llm;
    struct job_msg *msgs;
    size_t nmsgs;
    char *feedback; /* why the last candidate failed, for the next round */
    char *message;  /* outcome */
    char *proof;    /* the verified script */
    char *proof_helpers;
    char *proof_cites;      /* the node's new `proof` text (citations.h), or NULL */
    size_t cites_start, cites_end; /* what it replaces, from the node's first line */
    char *gate_note; /* "; applying it adds contract warnings: …", or NULL */
    bool proposal; /* verified, waiting for the person */
    bool apply_waiting; /* verified, its edit waits for the editor's last answer */
    bool progress; /* $/progress begun */
    unsigned long create_req;
    char token[48];
};

struct agents {
    struct proxy *p;
    struct job *jobs;
    unsigned long next_id;
    struct http *http;
    struct llm *llm;
    char *llm_key;
    char *llm_fp;          /* the LLM settings ag->llm (or the failed try) was made from */
    bool llm_tried;
    /* Clients replaced after a settings change: their requests in flight finish there.
     * Freed with the agents; their usage still counts in marathon.status. */
    struct llm **retired;
    size_t nretired;
    bool freeing;
    unsigned long apply_req; /* the workspace/applyEdit in flight (0: none) */
    char apply_job[32];      /* whose edit it carries */
    ev_timer apply_timer;
};

static void job_step(struct job *j);
static char *job_edit(struct proxy *p, const struct job *j, struct document *doc);
static void job_end(struct job *j, enum job_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void agents_pump(struct agents *ag);
static void agents_publish(struct agents *ag, const char *uri);
static void agents_apply_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents);
struct shadow_verdict;
static void job_fix_candidate(struct job *j, const char *reply);
static void job_fix_elaborated(struct job *j, const struct shadow_verdict *v);
static void job_fix_reviewed(struct job *j, const struct llm_result *res);
static void job_vacuity_verdict(struct job *j, const struct shadow_verdict *v);
static void job_refute_verdict(struct job *j, const struct shadow_verdict *v);
static void job_audit(const struct job *j, const char *event, ...);
static char *job_binders(const struct job *j);
static char *job_refutation(const struct job *j);

struct agents *
agents_new(struct proxy *p)
{
    struct agents *ag = xcalloc(1, sizeof *ag);
    ag->p = p;
    ev_init(&ag->apply_timer, agents_apply_timeout_cb);
    ag->apply_timer.data = ag;
    return ag;
}

static void
job_free(struct job *j)
{
    for (size_t i = 0; i < j->nmsgs; i++) {
        free(j->msgs[i].role);
        free(j->msgs[i].content);
    }
    free(j->msgs);
    free(j->uri);
    free(j->name);
    free(j->full_name);
    free(j->text);
    free(j->statement);
    free(j->context);
    free(j->new_statement);
    free(j->new_latex);
    free(j->binders);
    free(j->refutation);
    free(j->candidate);
    free(j->helpers);
    free(j->feedback);
    free(j->message);
    free(j->proof);
    free(j->proof_helpers);
    free(j->proof_cites);
    free(j->gate_note);
    free(j);
}

static bool
job_active(const struct job *j)
{
    return j->state == JOB_QUEUED || j->state == JOB_RUNNING || j->state == JOB_VERIFYING;
}

void
agents_free(struct agents *ag)
{
    if (ag == NULL)
        return;
    ag->freeing = true;
    for (struct job *j = ag->jobs; j; j = j->next) {
        if (j->llm) {
            llm_request_cancel(j->llm);
            j->llm = NULL;
        }
        shadow_close(j->sd);
        j->sd = NULL;
        proxy_request_forget(ag->p, j->create_req);
    }
    proxy_request_forget(ag->p, ag->apply_req);
    ev_timer_stop(ag->p->loop, &ag->apply_timer);
    llm_free(ag->llm); /* runs the cancelled requests' callbacks: they see ag->freeing */
    for (size_t i = 0; i < ag->nretired; i++)
        llm_free(ag->retired[i]);
    free(ag->retired);
    free(ag->llm_fp);
    http_free(ag->http);
    free(ag->llm_key);
    while (ag->jobs) {
        struct job *j = ag->jobs;
        ag->jobs = j->next;
        job_free(j);
    }
    free(ag);
}

/* What the LLM client is made from, as one string: a change means a new client. */
static char *
agents_llm_fingerprint(const struct config *c)
{
    const char *key_env = config_api_key_env(c);
    const char *key = getenv(key_env);
    return xasprintf("%s\n%s\n%s\n%s\n%d\n%s\n%s\n%ld %ld %ld %ld", config_llm_provider(c),
                     c->llm_base_url ? c->llm_base_url : "", c->llm_model ? c->llm_model : "",
                     key_env, key && *key, /* whether a key is set, never the key */
                     c->llm_anthropic_version ? c->llm_anthropic_version : "",
                     c->llm_auth_style ? c->llm_auth_style : "", c->llm_timeout_ms,
                     c->llm_idle_timeout_ms, c->llm_retries, c->llm_max_tokens);
}

void
agents_settings_changed(struct proxy *p)
{
    struct agents *ag = p->agents;
    if (ag == NULL || !ag->llm_tried)
        return; /* nothing made yet: the next use reads the new settings */
    char *fp = agents_llm_fingerprint(&p->cfg);
    bool same = ag->llm_fp && strcmp(fp, ag->llm_fp) == 0;
    free(fp);
    if (same)
        return;
    if (ag->llm) {
        ag->retired = xreallocarray(ag->retired, ag->nretired + 1, sizeof *ag->retired);
        ag->retired[ag->nretired++] = ag->llm;
        ag->llm = NULL;
    }
    free(ag->llm_key);
    ag->llm_key = NULL;
    ag->llm_tried = false;
    log_info("agents", "the LLM settings changed: new requests use them");
}

/* The LLM client, made on first use from the settings; NULL when none is configured. */
static struct llm *
agents_llm(struct agents *ag)
{
    if (ag->llm || ag->llm_tried)
        return ag->llm;
    ag->llm_tried = true;
    free(ag->llm_fp);
    ag->llm_fp = agents_llm_fingerprint(&ag->p->cfg);
    struct llm_settings s;
    char err[512];
    if (llm_settings_from_config(&ag->p->cfg, &s, &ag->llm_key, err, sizeof err) < 0) {
        proxy_show_message(ag->p, 2, "lsp-proxy: the LLM agents are off: %s", err);
        return NULL;
    }
    if (s.provider == LLM_PROVIDER_NONE)
        return NULL;
    if (ag->http == NULL && (ag->http = http_new(ag->p->loop, err, sizeof err)) == NULL) {
        log_error("agents", "%s", err);
        proxy_show_message(ag->p, 2, "lsp-proxy: the LLM agents are off: %s", err);
        return NULL;
    }
    ag->llm = llm_new(ag->http, &s);
    return ag->llm;
}

/* Drops the oldest finished jobs beyond the last AGENTS_KEEP_FINISHED. */
static void
agents_prune(struct agents *ag)
{
    size_t finished = 0;
    for (struct job **pp = &ag->jobs; *pp;) {
        struct job *j = *pp;
        if (!job_active(j) && !j->llm && !j->proposal && ++finished > AGENTS_KEEP_FINISHED) {
            *pp = j->next;
            job_free(j);
            continue;
        }
        pp = &j->next;
    }
}

/* ---- progress ---- */

static void
job_progress_send(struct job *j, const char *kind, const char *message, bool with_pct)
{
    struct proxy *p = j->ag->p;
    if (!j->progress)
        return;
    struct buf b;
    buf_init(&b, 0);
    buf_adds(&b, "{\"token\":");
    buf_add_json_string(&b, j->token, strlen(j->token));
    buf_addf(&b, ",\"value\":{\"kind\":\"%s\"", kind);
    if (strcmp(kind, "begin") == 0) {
        char *title =
            xasprintf("%s `%s`", j->kind == AGENTS_KIND_REPAIR ? "Repairing" : "Proving", j->name);
        buf_adds(&b, ",\"title\":");
        buf_add_json_string(&b, title, strlen(title));
        buf_adds(&b, ",\"cancellable\":true");
        free(title);
    }
    if (message) {
        buf_adds(&b, ",\"message\":");
        buf_add_json_string(&b, message, strlen(message));
    }
    if (with_pct) {
        size_t ntac = 0;
        while (p->cfg.agents_tactics && p->cfg.agents_tactics[ntac])
            ntac++;
        long total = (long)ntac + (j->portfolio_only ? 0 : p->cfg.agents_max_attempts);
        long pct = total > 0 ? 100L * j->steps / total : 0;
        buf_addf(&b, ",\"percentage\":%ld", pct > 100 ? 100 : pct);
    }
    buf_adds(&b, "}}");
    proxy_notify(p, false, "$/progress", b.data);
    buf_release(&b);
    if (strcmp(kind, "end") == 0)
        j->progress = false;
}

static void
job_progress_created_cb(struct proxy *p, const struct jsonrpc_msg *m, void *arg)
{
    struct job *j = arg;
    (void)p;
    j->create_req = 0;
    if (m == NULL || m->error.p)
        return;
    j->progress = true;
    job_progress_send(j, "begin", job_active(j) ? "starting" : NULL, true);
    if (!job_active(j)) /* it finished before the editor answered: say how */
        job_progress_send(j, "end", j->message, false);
}

/* ---- candidates and the shadow check ---- */

/* The shadow text: the snapshot up to the node's body, the candidate, #print axioms. */
static char *
job_shadow_text(const struct job *j, const char *script, const char *helpers, size_t *len,
                uint32_t *region_line)
{
    struct buf b;
    buf_init(&b, 0);
    buf_add(&b, j->text, j->node_start);
    if (helpers && *helpers) {
        char *h = edits_helpers_text(helpers);
        buf_adds(&b, h);
        free(h);
    }
    buf_add(&b, j->text + j->node_start, j->anchor - j->node_start);
    char *body = edits_body_text(j->text, j->anchor, script, j->indent);
    buf_adds(&b, body);
    free(body);
    buf_addf(&b, "\n\n#print axioms %s\n", j->full_name);
    uint32_t line = 0;
    for (size_t i = 0; i < j->node_start; i++)
        line += j->text[i] == '\n';
    *region_line = line;
    return buf_detach(&b, len);
}

static void job_verdict_cb(struct shadow_doc *sd, const struct shadow_verdict *v, void *arg);
static void job_set_feedback(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The blueprint contract's gate on a proof Lean accepted (citations.h): the node's `proof`
 * citations are brought in line with what the proof uses, and the edit must add no
 * contract finding. Returns true to go on (j->proof_cites set when the citations change);
 * false when the candidate is refused (fed back, the next candidate tried). */
static bool
job_contract_gate(struct job *j)
{
    struct proxy *p = j->ag->p;
    char *h = j->helpers && *j->helpers ? edits_helpers_text(j->helpers) : NULL;
    char *body = edits_body_text(j->text, j->anchor, j->candidate, j->indent);
    struct buf b;
    buf_init(&b, j->text_len + strlen(body) + (h ? strlen(h) : 0));
    buf_add(&b, j->text, j->node_start);
    if (h)
        buf_adds(&b, h);
    size_t new_node_start = b.len;
    buf_add(&b, j->text + j->node_start, j->anchor - j->node_start);
    buf_adds(&b, body);
    buf_add(&b, j->text + j->body_end, j->text_len - j->body_end);
    struct citations_result r;
    int rc = citations_gate(j->text, j->text_len, j->anchor - j->node_start, b.data, b.len,
                            new_node_start, j->name, p->cfg.blueprint_profile, &r);
    buf_release(&b);
    free(body);
    free(h);
    if (rc < 0) {
        job_audit(j, "job.candidate", "candidate", j->candidate, "verdict", "refused",
                  "reason", "the edit would add blueprint contract findings", "findings",
                  r.problems, (const char *)NULL);
        char *line = xasprintf("`%s`: Lean accepts it, but the edit would add contract findings",
                               j->candidate);
        job_progress_send(j, "report", line, true);
        free(line);
        job_set_feedback(j,
                         "Lean accepted the candidate, but applying it would break the "
                         "blueprint contract (shared/blueprint-contract.md); it was not "
                         "offered. `lsp-proxy check` would add:\n%s%s",
                         r.problems,
                         j->helpers && *j->helpers
                             ? "Each helper lemma in a blueprint file must be a node of its own: "
                               "`@[blueprint \"lem:NAME-WITH-DASHES\" (statement := /-- ... -/) "
                               "(proof := /-- ... -/) (title := /-- ... -/) (latexEnv := "
                               "\"lemma\")]`, the Lean name matching the label, a complete "
                               "proof, a blank line after it, and used by the target.\n"
                             : "");
        citations_result_release(&r);
        job_step(j);
        return false;
    }
    free(j->gate_note);
    j->gate_note = NULL;
    if (r.warnings) {
        /* one line: the warnings joined */
        for (char *q = r.warnings; *q; q++)
            if (*q == '\n')
                *q = q[1] ? ';' : '\0';
        j->gate_note = xasprintf("; applying it adds contract warnings: %s", r.warnings);
        job_audit(j, "job.contract", "warnings", r.warnings, (const char *)NULL);
    }
    free(j->proof_cites);
    j->proof_cites = r.proof_text;
    j->cites_start = r.proof_start;
    j->cites_end = r.proof_end;
    r.proof_text = NULL;
    citations_result_release(&r);
    return true;
}

/* Checks script (+ helpers) in the job's shadow document. */
static void
job_check(struct job *j, const char *script, const char *helpers, bool search)
{
    struct proxy *p = j->ag->p;
    char *s = xstrdup(script);
    char *h = helpers ? xstrdup(helpers) : NULL;
    free(j->candidate);
    free(j->helpers);
    j->candidate = s;
    j->helpers = h;
    j->candidate_is_search = search;
    j->steps++;
    if (j->sd == NULL)
        j->sd = shadow_open(p->shadow, j->uri);
    size_t len;
    uint32_t region;
    char *text = job_shadow_text(j, s, h, &len, &region);
    struct shadow_check_options o = {
        .region_line = region, .allow_native_decide = j->ag->p->cfg.agents_allow_native_decide};
    int rc = shadow_check(j->sd, text, len, &o, job_verdict_cb, j);
    free(text);
    if (rc < 0) {
        j->steps--;
        j->recheck = true; /* Lean is restarting: wait for it (agents_lean_ready) */
        j->state = JOB_QUEUED;
        return;
    }
    j->state = JOB_VERIFYING;
}

/* True for a tactic whose success is a suggestion, not a proof. */
static bool
agents_is_search(const char *tactic)
{
    size_t n = strlen(tactic);
    return n > 1 && tactic[n - 1] == '?';
}

static void
job_set_feedback(struct job *j, const char *fmt, ...)
{
    struct buf b;
    va_list ap;
    buf_init(&b, 0);
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    free(j->feedback);
    j->feedback = buf_detach(&b, NULL);
}

/* workspace/applyEdit, one at a time: each edit names the version the editor holds, so the
 * next one is computed only once the editor has answered the last (and sent its didChange,
 * which editors do before they answer). An editor that never answers holds the queue for
 * AGENTS_APPLY_WAIT_S at most. */
static void agents_apply_next(struct agents *ag);

static void
agents_applied_cb(struct proxy *p, const struct jsonrpc_msg *m, void *arg)
{
    struct agents *ag = arg;
    (void)p;
    ag->apply_req = 0;
    ev_timer_stop(ag->p->loop, &ag->apply_timer);
    cJSON *res = m && m->result.p ? cJSON_ParseWithLength(m->result.p, m->result.len) : NULL;
    const cJSON *applied = cJSON_GetObjectItemCaseSensitive(res, "applied");
    struct job *j = NULL;
    for (struct job *o = ag->jobs; o; o = o->next)
        if (strcmp(o->id, ag->apply_job) == 0)
            j = o;
    if (j && m && !cJSON_IsTrue(applied)) {
        const char *why =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "failureReason"));
        free(j->message);
        j->message = xasprintf("proof found, but the editor did not apply it (%s): apply it "
                               "with the code action on `%s`",
                               why ? why : m->error.p ? "an error" : "no reason given", j->name);
        j->proposal = true;
        log_info("agents", "%s: %s", j->id, j->message);
        agents_publish(ag, j->uri);
    }
    cJSON_Delete(res);
    agents_apply_next(ag);
}

static void
agents_apply_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct agents *ag = w->data;
    log_warn("agents", "the editor has not answered workspace/applyEdit for %s in %d s",
             ag->apply_job, AGENTS_APPLY_WAIT_S);
    proxy_request_forget(ag->p, ag->apply_req);
    ag->apply_req = 0;
    agents_apply_next(ag);
}

/* Sends j's edit (computed now, against the current text) and ends the job. */
static void
job_apply(struct job *j)
{
    struct agents *ag = j->ag;
    struct proxy *p = ag->p;
    j->apply_waiting = false;
    struct document *doc = documents_get(p->docs, j->uri);
    char *edit = doc ? job_edit(p, j, doc) : NULL;
    if (edit == NULL) {
        j->proposal = false;
        job_end(j, JOB_SUCCEEDED, "proof found, but `%s`'s %s meanwhile: not applied", j->name,
                doc ? "statement changed" : "document was closed");
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    char *label = xasprintf("Proof of %s (lsp-proxy agent)", j->name);
    buf_adds(&b, "{\"label\":");
    buf_add_json_string(&b, label, strlen(label));
    buf_addf(&b, ",\"edit\":%s}", edit);
    ag->apply_req = proxy_request(p, false, "workspace/applyEdit", b.data, agents_applied_cb, ag);
    if (ag->apply_req) {
        snprintf(ag->apply_job, sizeof ag->apply_job, "%s", j->id);
        ev_timer_set(&ag->apply_timer, AGENTS_APPLY_WAIT_S, 0);
        ev_timer_start(p->loop, &ag->apply_timer);
    }
    buf_release(&b);
    free(label);
    free(edit);
    job_end(j, JOB_SUCCEEDED, "proof found and applied%s", j->gate_note ? j->gate_note : "");
}

static void
agents_apply_next(struct agents *ag)
{
    if (ag->apply_req || ag->freeing)
        return;
    struct job *oldest = NULL;
    for (struct job *j = ag->jobs; j; j = j->next)
        if (j->apply_waiting)
            oldest = j;
    if (oldest)
        job_apply(oldest);
}

static void
job_succeeded(struct job *j)
{
    struct proxy *p = j->ag->p;
    j->proof = j->candidate;
    j->proof_helpers = j->helpers;
    j->candidate = j->helpers = NULL;
    j->proved_by_tactics = !j->in_llm;
    if (p->cfg.agents_auto_apply && documents_get(p->docs, j->uri)) {
        j->apply_waiting = true; /* the job stays active until its edit goes out */
        shadow_close(j->sd);
        j->sd = NULL;
        agents_apply_next(j->ag);
        return;
    }
    j->proposal = true;
    job_end(j, JOB_SUCCEEDED, "proof found: apply it with the code action on `%s`%s", j->name,
            j->gate_note ? j->gate_note : "");
}

static void
job_verdict_cb(struct shadow_doc *sd, const struct shadow_verdict *v, void *arg)
{
    struct job *j = arg;
    (void)sd;
    if (j->state == JOB_CANCELLED)
        return;
    j->state = JOB_RUNNING;
    if (j->kind == AGENTS_KIND_FIX) {
        job_fix_elaborated(j, v);
        return;
    }
    if (j->kind == AGENTS_KIND_REVIEW) {
        if (j->det_pending == 2)
            job_refute_verdict(j, v);
        else
            job_vacuity_verdict(j, v);
        return;
    }
    if (v->lean_failed) {
        if (j->ag->p->phase != PROXY_LEAN_UP && j->lean_retries++ < 1) {
            /* Lean exited under the candidate: check it once more after the restart */
            log_info("agents", "%s: %s; the candidate is checked again after the restart", j->id,
                     v->reason);
            j->steps--;
            j->recheck = true;
            j->state = JOB_QUEUED;
            return;
        }
        job_end(j, JOB_FAILED, "%s", v->reason);
        return;
    }
    job_audit(j, "job.candidate", "candidate", j->candidate, "helpers", j->helpers, "verdict",
              v->accepted ? "accepted" : "rejected", "reason", *v->reason ? v->reason : NULL,
              "errors", *v->errors ? v->errors : NULL, (const char *)NULL);
    if (v->accepted && !j->candidate_is_search) {
        if (job_contract_gate(j))
            job_succeeded(j);
        return;
    }
    char *line = xasprintf("`%s`: %s", j->candidate,
                           v->accepted ? "a search tactic is never applied itself" : v->reason);
    job_progress_send(j, "report", line, true);
    free(line);
    if (j->candidate_is_search && v->try_this) {
        char *t = xstrdup(v->try_this);
        job_check(j, t, NULL, false); /* the suggestion, as a proof of its own */
        free(t);
        return;
    }
    if (v->accepted)
        job_set_feedback(j, "Lean accepted the search tactic but suggested nothing");
    else
        job_set_feedback(j, "Lean rejected the candidate:\n%s%s%s",
                         *v->errors ? v->errors : v->reason,
                         v->goal ? "\n\nThe goal at the error:\n" : "", v->goal ? v->goal : "");
    job_step(j);
}

/* ---- the LLM rounds ---- */

static void
job_push_msg(struct job *j, const char *role, const char *content)
{
    j->msgs = xreallocarray(j->msgs, j->nmsgs + 1, sizeof *j->msgs);
    j->msgs[j->nmsgs].role = xstrdup(role);
    j->msgs[j->nmsgs].content = xstrdup(content);
    j->nmsgs++;
}

/* What the first request says of the node's surroundings (context.h), built when the job
 * starts, from the text it starts from. */
static char *
job_context_text(struct proxy *p, const struct document *doc, const struct analysis *a,
                 const struct analysis_node *node)
{
    struct context *c = context_new(doc, a, node, AGENTS_CONTEXT_MAX);
    struct buf b;
    buf_init(&b, 0);
    if (c->latex_statement)
        buf_addf(&b, "Its statement in the blueprint (LaTeX):\n%s\n\n", c->latex_statement);
    if (c->latex_proof)
        buf_addf(&b, "The blueprint's proof sketch (LaTeX):\n%s\n\n", c->latex_proof);
    if (c->ndeps) {
        buf_adds(&b, "The blueprint nodes it depends on (in scope; use them):\n```lean\n");
        for (size_t k = 0; k < c->ndeps; k++) {
            const struct context_dep *d = &c->deps[k];
            if (d->statement)
                buf_addf(&b, "-- %s (%s)\n%s\n  -- (proof omitted)\n\n", d->name, d->status,
                         d->statement);
            else
                buf_addf(&b, "-- %s (not declared in this file)\n\n", d->name);
        }
        buf_adds(&b, "```\n\n");
    }
    buf_addf(&b, "The file before it, as Lean has it in scope (imports, opens, variables, "
                 "definitions; earlier proofs omitted%s):\n```lean\n%s```\n\n",
             c->file_omitted ? ", and a middle part left out" : "", c->file);
    buf_addf(&b, "Helper lemmas are %sallowed.\n", p->cfg.agents_allow_helpers ? "" : "not ");
    if (p->cfg.agents_allow_native_decide)
        buf_adds(&b, "`native_decide` is allowed (the project trusts the compiler).\n");
    context_free(c);
    return buf_detach(&b, NULL);
}

/* The first request of a job: the node and the file it lives in. */
static char *
job_first_prompt(const struct job *j)
{
    struct buf b;
    buf_init(&b, 0);
    buf_addf(&b, "Prove the declaration `%s` (Lean name `%s`).\n\n", j->name, j->full_name);
    buf_addf(&b, "Its statement (frozen):\n```lean\n%.*s\n```\n\n",
             (int)(j->anchor - j->node_start), j->text + j->node_start);
    if (j->kind == AGENTS_KIND_REPAIR)
        buf_addf(&b, "Its current proof, which Lean rejects:\n```lean\n%.*s\n```\n\n",
                 (int)(j->body_end - j->anchor), j->text + j->anchor);
    buf_adds(&b, j->context);
    if (j->feedback)
        buf_addf(&b, "\nThe tactic portfolio failed; the last attempt: %s\n", j->feedback);
    return buf_detach(&b, NULL);
}

static void job_llm_done_cb(struct llm_request *q, const struct llm_result *res, void *arg);

static void
job_llm_round(struct job *j, struct llm *l)
{
    struct proxy *p = j->ag->p;
    if (j->attempts >= p->cfg.agents_max_attempts) {
        job_end(j, JOB_FAILED, "no proof after %d LLM rounds; Lean's last word: %s", j->attempts,
                j->feedback ? j->feedback : "none");
        return;
    }
    if (j->nmsgs == 0) {
        char *first = job_first_prompt(j);
        job_push_msg(j, "user", first);
        free(first);
    } else {
        char *next = xasprintf("%s\n\nReply with a corrected proof in one fenced lean block.",
                               j->feedback ? j->feedback : "The candidate failed.");
        job_push_msg(j, "user", next);
        free(next);
    }
    struct llm_message *msgs = xcalloc(j->nmsgs, sizeof *msgs);
    for (size_t i = 0; i < j->nmsgs; i++) {
        msgs[i].role = j->msgs[i].role;
        msgs[i].content = j->msgs[i].content;
    }
    j->attempts++;
    char *line = xasprintf("LLM round %d of %ld", j->attempts, p->cfg.agents_max_attempts);
    job_progress_send(j, "report", line, true);
    free(line);
    const char *system = j->kind == AGENTS_KIND_REPAIR ? prompt_repairer : prompt_prover;
    j->llm = llm_request_start(l, system, msgs, j->nmsgs, job_llm_done_cb, j);
    free(msgs);
    if (j->llm == NULL)
        job_end(j, JOB_FAILED, "the LLM request could not be started");
    else
        j->state = JOB_RUNNING;
}

static void
job_llm_done_cb(struct llm_request *q, const struct llm_result *res, void *arg)
{
    struct job *j = arg;
    (void)q;
    j->llm = NULL;
    if (j->ag->freeing)
        return;
    if (j->state == JOB_CANCELLED) {
        agents_pump(j->ag);
        return;
    }
    if (j->kind == AGENTS_KIND_FIX) {
        if (j->fix_phase == 2) {
            job_fix_reviewed(j, res);
        } else if (!res->ok) {
            job_end(j, JOB_FAILED, "the LLM request failed: %s", res->error);
        } else {
            job_push_msg(j, "assistant", res->text);
            job_fix_candidate(j, res->text);
        }
        return;
    }
    if (j->kind == AGENTS_KIND_REVIEW) {
        char *msg = NULL;
        bool ok = review_reply(j->ag->p, j->uri, j->name, j->review_key, res, &msg);
        job_end(j, ok ? JOB_SUCCEEDED : JOB_FAILED, "%s", msg);
        free(msg);
        return;
    }
    if (!res->ok) {
        job_end(j, JOB_FAILED, "the LLM request failed: %s", res->error);
        return;
    }
    job_push_msg(j, "assistant", res->text);
    job_audit(j, "job.llm", "reply", res->text, (const char *)NULL);
    log_info("agents", "%s: round %d reply (%zu bytes, %ld+%ld tokens)", j->id, j->attempts,
             res->text_len, res->tokens_in, res->tokens_out);
    struct reply_candidate c;
    bool helpers = j->ag->p->cfg.agents_allow_helpers;
    if (reply_extract(res->text, res->text_len, helpers, &c) < 0) {
        job_set_feedback(j, "Your reply had no fenced code block with a proof.");
        job_step(j);
        return;
    }
    char *why = reply_refusal(&c, j->ag->p->cfg.agents_allow_native_decide, helpers);
    if (why) {
        job_set_feedback(j, "The candidate was refused before Lean saw it: %s", why);
        char *line = xasprintf("round %d refused: %s", j->attempts, why);
        job_progress_send(j, "report", line, true);
        free(line);
        free(why);
        reply_candidate_release(&c);
        job_step(j);
        return;
    }
    job_check(j, c.script, c.helpers, false);
    reply_candidate_release(&c);
}

/* Jobs of one class exclude each other on a node: proofs, reviews, statement repairs. */
static int
job_class(enum agents_kind k)
{
    return k == AGENTS_KIND_REVIEW ? 1 : k == AGENTS_KIND_FIX ? 2 : 0;
}

/* fixStatement: where the declaration head (keyword .. type) and the LaTeX statement lie in
 * the snapshot. Returns 0 or -1. */
static int
job_fix_spans(struct job *j, const struct analysis_node *node)
{
    const char *t = j->text;
    /* the head ends at the `:=` before the body */
    size_t e = j->anchor;
    while (e > j->node_start && (t[e - 1] == ' ' || t[e - 1] == '\n'))
        e--;
    if (e >= j->node_start + 2 && t[e - 1] == 'y' && t[e - 2] == 'b') {
        e -= 2;
        while (e > j->node_start && (t[e - 1] == ' ' || t[e - 1] == '\n'))
            e--;
    }
    if (e < j->node_start + 2 || t[e - 1] != '=' || t[e - 2] != ':')
        return -1;
    e -= 2;
    while (e > j->node_start && (t[e - 1] == ' ' || t[e - 1] == '\n'))
        e--;
    /* the head starts at the keyword before the name */
    size_t kl = strlen(node->keyword);
    char *key = xasprintf("%s ", node->keyword);
    size_t from = j->node_start, at = SIZE_MAX;
    for (const char *q = t + from; (q = strstr(q, key)) != NULL && (size_t)(q - t) < e; q++)
        at = (size_t)(q - t);
    free(key);
    if (at == SIZE_MAX || at + kl >= e)
        return -1;
    j->head_start = at;
    j->head_end = e;
    /* the LaTeX statement: the attribute read again from the head's prefix */
    struct lean_lex *lx = lean_lex_new(t + j->node_start, e - j->node_start);
    struct decls *d = decls_new(lx);
    struct blueprint *bp = blueprint_new(lx, d);
    for (size_t i = 0; i < blueprint_count(bp) && j->latex_end == 0; i++) {
        const struct blueprint_field *f =
            blueprint_attr_field(blueprint_get(bp, i), BLUEPRINT_FIELD_STATEMENT);
        if (f && f->value_kind == BLUEPRINT_VALUE_DOC) {
            j->latex_start = j->node_start + f->text_span.start;
            j->latex_end = j->node_start + f->text_span.end;
        }
    }
    blueprint_free(bp);
    decls_free(d);
    lean_lex_free(lx);
    return 0;
}

/* A review job's one request: the reviewer's prompt (src/prompts/reviewer.txt) and the
 * message review_prompt() made. */
/* The binders of the declaration head: what follows the name up to the colon of the type,
 * outside brackets; NULL when there are none. */
static char *
job_binders(const struct job *j)
{
    const char *t = j->text;
    const char *name = strstr(t + j->head_start, j->name);
    if (name == NULL || (size_t)(name - t) >= j->head_end)
        return NULL;
    size_t from = (size_t)(name - t) + strlen(j->name);
    int depth = 0;
    for (size_t i = from; i < j->head_end; i++) {
        char c = t[i];
        if (c == '(' || c == '[' || c == '{')
            depth++;
        else if (c == ')' || c == ']' || c == '}')
            depth--;
        else if (!strncmp(t + i, "\xe2\xa6\x83", 3)) /* ⦃ */
            depth++;
        else if (!strncmp(t + i, "\xe2\xa6\x84", 3)) /* ⦄ */
            depth--;
        else if (c == ':' && depth == 0) {
            size_t a = from, z = i;
            while (a < z && (t[a] == ' ' || t[a] == '\n'))
                a++;
            while (z > a && (t[z - 1] == ' ' || t[z - 1] == '\n'))
                z--;
            return z > a ? xstrndup(t + a, z - a) : NULL;
        }
    }
    return NULL;
}

#define AGENTS_VACUITY_TACTIC "intros; first | contradiction | (simp_all; done) | omega"

/* A review job's deterministic check: example (a declaration) in a shadow document, in the
 * node's place (the file before the node, then it). phase says which check
 * (j->det_pending); job_verdict_cb() hands the verdict on. Returns false when it cannot
 * start (Lean is not running): then the next step goes on without it. */
static bool
job_det_check(struct job *j, const char *example, int phase, const char *progress)
{
    struct buf b;
    buf_init(&b, j->node_start + strlen(example) + 1);
    buf_add(&b, j->text, j->node_start);
    buf_adds(&b, example);
    uint32_t region = 0;
    for (size_t i = 0; i < j->node_start; i++)
        region += j->text[i] == '\n';
    if (j->sd == NULL)
        j->sd = shadow_open(j->ag->p->shadow, j->uri);
    struct shadow_check_options o = {.region_line = region};
    int rc = shadow_check(j->sd, b.data, b.len, &o, job_verdict_cb, j);
    buf_release(&b);
    if (rc < 0)
        return false;
    j->steps++;
    j->det_pending = phase;
    j->state = JOB_VERIFYING;
    job_progress_send(j, "report", progress, true);
    return true;
}

/* The deterministic check before the reviewer: can Lean derive False from the hypotheses
 * alone? `example BINDERS : False := by …` in a shadow document, in the node's place. */
static bool
job_vacuity_check(struct job *j)
{
    j->vacuity_checked = true;
    if (j->binders == NULL)
        return false;
    char *example = xasprintf("example %s : False := by " AGENTS_VACUITY_TACTIC "\n", j->binders);
    bool started = job_det_check(j, example, 1, "checking whether the hypotheses contradict each other");
    free(example);
    return started;
}

/* A deterministic check's finding, recorded like a reviewer's verdict (cached, shown as a
 * marathon-review diagnostic); ends the job without an LLM request. */
static void
job_det_finding(struct job *j, const char *category, const char *explanation)
{
    cJSON *o = cJSON_CreateObject(), *fs = cJSON_CreateArray(), *f = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "verdict", "unfaithful");
    cJSON_AddStringToObject(f, "category", category);
    cJSON_AddStringToObject(f, "explanation", explanation);
    cJSON_AddItemToArray(fs, f);
    cJSON_AddItemToObject(o, "findings", fs);
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    struct llm_result res = {.ok = true, .text = json, .text_len = strlen(json), .error = ""};
    char *msg = NULL;
    bool ok = review_reply(j->ag->p, j->uri, j->name, j->review_key, &res, &msg);
    job_end(j, ok ? JOB_SUCCEEDED : JOB_FAILED, "%s (deterministic check, no LLM request)", msg);
    free(msg);
    cJSON_free(json);
}

/* The vacuity check's verdict: a vacuous statement is a finding without asking the LLM. */
static void
job_vacuity_verdict(struct job *j, const struct shadow_verdict *v)
{
    bool refuted = !v->lean_failed && !*v->errors; /* v dies with the document */
    j->det_pending = 0;
    shadow_close(j->sd);
    j->sd = NULL;
    if (!refuted) {
        job_step(j); /* not vacuous (or not known): on to the next check, then the reviewer */
        return;
    }
    char *expl = xasprintf("Lean derives False from the hypotheses alone (`example %s : False := "
                           "by " AGENTS_VACUITY_TACTIC "` is accepted): the statement is "
                           "vacuously true.",
                           j->binders);
    job_det_finding(j, "vacuous-hypothesis", expl);
    free(expl);
}

/* ---- the refutation check: `decide` on the negation, over small instances ---- */

#define AGENTS_REFUTE_BOUND 8 /* ℕ variables are checked below this */
#define AGENTS_REFUTE_MAX_NAT 3 /* at most 8^3 instances: cheap for the kernel */

static bool
refute_is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* t[a, z) trimmed, as a new string. */
static char *
refute_trim(const char *t, size_t a, size_t z)
{
    while (a < z && refute_is_space(t[a]))
        a++;
    while (z > a && refute_is_space(t[z - 1]))
        z--;
    return xstrndup(t + a, z - a);
}

/* How a binder's type is quantified over: 1 ℕ (bounded), 2 a finite type (Bool, Fin k),
 * 3 a proposition (a hypothesis: an implication), 0 none of these (no check). */
static int
refute_type_class(const char *ty)
{
    if (!strcmp(ty, "\xe2\x84\x95") || !strcmp(ty, "Nat"))
        return 1;
    if (!strcmp(ty, "Bool"))
        return 2;
    if (!strncmp(ty, "Fin ", 4)) {
        const char *q = ty + 4;
        while (*q == ' ')
            q++;
        char *end;
        long k = strtol(q, &end, 10);
        return end != q && *end == '\0' && k > 0 && k <= 16 ? 2 : 0;
    }
    static const char *const rel[] = {"<", ">", "=", "\xe2\x89\xa4" /* ≤ */, "\xe2\x89\xa5" /* ≥ */,
                                      "\xe2\x89\xa0" /* ≠ */, "\xe2\x88\xa3" /* ∣ */,
                                      "\xe2\x88\xa7" /* ∧ */, "\xe2\x88\xa8" /* ∨ */,
                                      "\xc2\xac" /* ¬ */};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++)
        if (strstr(ty, rel[i]))
            return 3;
    return 0;
}

/* The proposition whose negation `decide` may prove: ¬ (∀ BINDERS, TYPE) with each ℕ
 * variable bounded (`∀ n < 8,`), Bool and `Fin k` variables over their values, hypotheses
 * as implications. NULL when it cannot be made cheap and decidable: no head, an instance
 * or other binder, a binder of another type, more than AGENTS_REFUTE_MAX_NAT ℕ variables. */
static char *
job_refutation(const struct job *j)
{
    const char *t = j->text;
    const char *name = strstr(t + j->head_start, j->name);
    if (name == NULL || (size_t)(name - t) >= j->head_end)
        return NULL;
    size_t i = (size_t)(name - t) + strlen(j->name), e = j->head_end;
    struct buf b;
    buf_init(&b, 256);
    buf_adds(&b, "\xc2\xac (");
    int nats = 0;
    for (;;) {
        while (i < e && refute_is_space(t[i]))
            i++;
        if (i >= e)
            goto fail; /* no type */
        if (t[i] == ':')
            break;
        char open = t[i];
        if (open != '(' && open != '{')
            goto fail; /* instance, strict-implicit, anonymous or bare binders */
        char close = open == '(' ? ')' : '}';
        size_t k = i + 1, colon = 0;
        int depth = 0;
        for (; k < e; k++) {
            char c = t[k];
            if (c == '(' || c == '[' || c == '{')
                depth++;
            else if ((c == ')' || c == ']' || c == '}') && depth > 0)
                depth--;
            else if (c == close)
                break;
            else if (c == ':' && depth == 0 && colon == 0 && t[k + 1] != '=')
                colon = k;
        }
        if (k >= e || colon == 0)
            goto fail;
        char *names = refute_trim(t, i + 1, colon), *ty = refute_trim(t, colon + 1, k);
        int cls = refute_type_class(ty);
        bool good = cls != 0 && *names != '\0';
        for (char *n = names; good && *n;) {
            char *sp = n + strcspn(n, " \t\n");
            char save = *sp;
            *sp = '\0';
            if (cls == 1) {
                good = ++nats <= AGENTS_REFUTE_MAX_NAT;
                buf_addf(&b, "\xe2\x88\x80 %s < %d, ", n, AGENTS_REFUTE_BOUND);
            } else if (cls == 2) {
                buf_addf(&b, "\xe2\x88\x80 %s : %s, ", n, ty);
            } else {
                buf_addf(&b, "\xe2\x88\x80 %s : (%s), ", n, ty);
            }
            *sp = save;
            n = sp;
            while (*n && refute_is_space(*n))
                n++;
        }
        free(names);
        free(ty);
        if (!good)
            goto fail;
        i = k + 1;
    }
    char *concl = refute_trim(t, i + 1, e);
    if (*concl == '\0') {
        free(concl);
        goto fail;
    }
    buf_addf(&b, "(%s))", concl);
    free(concl);
    return buf_detach(&b, NULL);
fail:
    buf_release(&b);
    return NULL;
}

/* The refutation check: `example : ¬ (…) := by decide` in a shadow document in the node's
 * place. Returns false when it cannot run (then the reviewer is next). */
static bool
job_refute_check(struct job *j)
{
    j->refute_checked = true;
    if (j->refutation == NULL)
        return false;
    char *example = xasprintf("example : %s := by decide\n", j->refutation);
    bool started = job_det_check(j, example, 2, "checking the statement on small instances (decide)");
    free(example);
    return started;
}

/* The refutation check's verdict: `decide` proving the negation means the statement is
 * false, whatever the paper says: a finding without asking the LLM. */
static void
job_refute_verdict(struct job *j, const struct shadow_verdict *v)
{
    bool refuted = !v->lean_failed && !*v->errors;
    j->det_pending = 0;
    shadow_close(j->sd);
    j->sd = NULL;
    if (!refuted) {
        job_step(j); /* not refuted (or not decidable): on to the reviewer */
        return;
    }
    char *expl = xasprintf("Lean refutes the statement: `decide` proves `%s` (natural-number "
                           "variables checked below %d), so the Lean statement is false.",
                           j->refutation, AGENTS_REFUTE_BOUND);
    job_det_finding(j, "too-strong", expl);
    free(expl);
}

static void
job_review_round(struct job *j)
{
    if (!j->vacuity_checked && job_vacuity_check(j))
        return; /* job_vacuity_verdict() follows */
    if (!j->refute_checked && job_refute_check(j))
        return; /* job_refute_verdict() follows */
    struct llm *l = agents_llm(j->ag);
    if (l == NULL) {
        char *msg = NULL;
        struct llm_result res = {.ok = false, .text = "", .error = "no LLM is configured (llm.provider)"};
        review_reply(j->ag->p, j->uri, j->name, j->review_key, &res, &msg);
        job_end(j, JOB_FAILED, "%s", msg);
        free(msg);
        return;
    }
    struct llm_message m = {"user", j->context};
    j->attempts++;
    job_progress_send(j, "report", "reviewing the statement", true);
    j->llm = llm_request_start(l, prompt_reviewer, &m, 1, job_llm_done_cb, j);
    if (j->llm == NULL)
        job_end(j, JOB_FAILED, "the LLM request could not be started");
    else
        j->state = JOB_RUNNING;
}

/* ---- fixStatement: propose (LLM), elaborate (Lean, proof sorry), review again ---- */

/* The last fenced block tagged with one of tags ("lean", "latex"), trimmed; NULL if none. */
static char *
fenced_block(const char *text, const char *const *tags)
{
    char *found = NULL;
    for (const char *q = text; (q = strstr(q, "```")) != NULL;) {
        const char *tag = q + 3, *nl = strchr(tag, '\n');
        if (nl == NULL)
            break;
        const char *close = strstr(nl + 1, "```");
        if (close == NULL)
            break;
        bool want = false;
        for (const char *const *t = tags; *t; t++)
            want |= (size_t)(nl - tag) == strlen(*t) && strncmp(tag, *t, strlen(*t)) == 0;
        if (want) {
            const char *a = nl + 1, *z = close;
            while (a < z && (*a == ' ' || *a == '\n'))
                a++;
            while (z > a && (z[-1] == ' ' || z[-1] == '\n'))
                z--;
            free(found);
            found = xstrndup(a, (size_t)(z - a));
        }
        q = close + 3;
    }
    return found;
}

static bool
ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '\'' || (unsigned char)c >= 0x80;
}

/* Why a candidate statement must not reach Lean (a word that cheats), or NULL. */
static char *
statement_refusal(const char *stmt)
{
    static const char *const banned[] = {"sorry", "admit", "sorry_using", "axiom",
                                         "native_decide"};
    for (size_t i = 0; i < sizeof banned / sizeof *banned; i++) {
        size_t n = strlen(banned[i]);
        for (const char *q = stmt; (q = strstr(q, banned[i])) != NULL; q += n)
            if ((q == stmt || !ident_char(q[-1])) && !ident_char(q[n]))
                return xasprintf("it uses `%s`", banned[i]);
    }
    return NULL;
}

static void
job_fix_round(struct job *j)
{
    struct proxy *p = j->ag->p;
    struct llm *l = agents_llm(j->ag);
    if (l == NULL) {
        job_end(j, JOB_FAILED, "no LLM is configured (llm.provider)");
        return;
    }
    if (j->attempts >= p->cfg.agents_max_attempts) {
        job_end(j, JOB_FAILED, "no corrected statement after %d rounds; last: %s", j->attempts,
                j->feedback ? j->feedback : "none");
        return;
    }
    if (j->nmsgs == 0) {
        job_push_msg(j, "user", j->context);
    } else {
        char *next = xasprintf("%s\n\nReply with a corrected statement in one fenced lean block.",
                               j->feedback ? j->feedback : "The candidate failed.");
        job_push_msg(j, "user", next);
        free(next);
    }
    struct llm_message *msgs = xcalloc(j->nmsgs, sizeof *msgs);
    for (size_t i = 0; i < j->nmsgs; i++) {
        msgs[i].role = j->msgs[i].role;
        msgs[i].content = j->msgs[i].content;
    }
    j->attempts++;
    j->fix_phase = 0;
    char *line = xasprintf("statement round %d of %ld", j->attempts, p->cfg.agents_max_attempts);
    job_progress_send(j, "report", line, true);
    free(line);
    j->llm = llm_request_start(l, prompt_statement, msgs, j->nmsgs, job_llm_done_cb, j);
    free(msgs);
    if (j->llm == NULL)
        job_end(j, JOB_FAILED, "the LLM request could not be started");
    else
        j->state = JOB_RUNNING;
}

/* The LLM proposed: check the form, then let Lean elaborate it with `sorry` as its proof. */
static void
job_fix_candidate(struct job *j, const char *reply)
{
    static const char *const lean_tags[] = {"lean", "lean4", "", NULL};
    static const char *const latex_tags[] = {"latex", "tex", NULL};
    char *stmt = fenced_block(reply, lean_tags);
    char *latex = fenced_block(reply, latex_tags);
    char *head = xasprintf("%.*s", (int)(j->head_end - j->head_start), j->text + j->head_start);
    /* the keyword and the name as they are now */
    const char *sp = strchr(head, ' ');
    size_t prefix = 0;
    if (sp) {
        const char *nm = sp + 1;
        while (*nm == ' ')
            nm++;
        prefix = (size_t)(nm - head) + strlen(j->name);
    }
    const char *why = NULL;
    char *refusal = stmt ? statement_refusal(stmt) : NULL;
    if (stmt == NULL)
        why = "Your reply had no fenced lean block with the statement.";
    else if (prefix == 0 || strncmp(stmt, head, prefix) != 0 ||
             !(stmt[prefix] == ' ' || stmt[prefix] == '\n' || stmt[prefix] == ':'))
        why = "The block must start with the keyword and the name as they are now.";
    else if (strstr(stmt, ":=") != NULL)
        why = "The block must hold the statement only: no `:=` and no proof.";
    else if (refusal)
        why = refusal;
    else if (latex && strstr(latex, "-/") != NULL)
        why = "The LaTeX statement must not contain `-/` (it ends the doc comment).";
    else if (latex && j->latex_end == 0)
        why = "The node has no LaTeX statement field to replace; give the Lean statement only.";
    if (why) {
        job_set_feedback(j, "The candidate was refused before Lean saw it: %s", why);
        free(refusal);
        free(stmt);
        free(latex);
        free(head);
        job_step(j);
        return;
    }
    free(head);
    free(j->new_statement);
    free(j->new_latex);
    j->new_statement = stmt;
    j->new_latex = latex;
    struct buf b;
    buf_init(&b, j->head_start + strlen(stmt) + 32);
    buf_add(&b, j->text, j->head_start);
    buf_adds(&b, stmt);
    buf_adds(&b, "\n    := by\n  sorry\n");
    uint32_t region = 0;
    for (size_t i = 0; i < j->node_start; i++)
        region += j->text[i] == '\n';
    if (j->sd == NULL)
        j->sd = shadow_open(j->ag->p->shadow, j->uri);
    struct shadow_check_options o = {.region_line = region};
    j->fix_phase = 1;
    j->steps++;
    int rc2 = shadow_check(j->sd, b.data, b.len, &o, job_verdict_cb, j);
    buf_release(&b);
    if (rc2 < 0) {
        job_end(j, JOB_FAILED, "Lean is not running: the candidate cannot be checked");
        return;
    }
    j->state = JOB_VERIFYING;
}

/* Lean elaborated the candidate: on to the reviewer, or back to the LLM with Lean's errors. */
static void
job_fix_elaborated(struct job *j, const struct shadow_verdict *v)
{
    struct proxy *p = j->ag->p;
    if (v->lean_failed) {
        job_end(j, JOB_FAILED, "%s", v->reason);
        return;
    }
    if (*v->errors) {
        char *line = xasprintf("statement round %d: Lean rejects it", j->attempts);
        job_progress_send(j, "report", line, true);
        free(line);
        job_set_feedback(j, "Lean rejects the statement (elaborated with `sorry` as its proof):\n%s",
                         v->errors);
        job_step(j);
        return;
    }
    struct document *doc = documents_get(p->docs, j->uri);
    struct analysis *a = doc ? workspace_analysis(p, doc) : NULL;
    const struct analysis_node *node = a ? analysis_node_by_name(a, j->name) : NULL;
    struct llm *l = agents_llm(j->ag);
    if (node == NULL || l == NULL) {
        job_end(j, JOB_FAILED, "`%s` is gone from the document", j->name);
        return;
    }
    char *msg = review_candidate_prompt(p, doc, a, node, j->new_statement, j->new_latex);
    struct llm_message m = {"user", msg};
    j->fix_phase = 2;
    job_progress_send(j, "report", "Lean accepts the statement; the reviewer checks it", true);
    j->llm = llm_request_start(l, prompt_reviewer, &m, 1, job_llm_done_cb, j);
    free(msg);
    if (j->llm == NULL)
        job_end(j, JOB_FAILED, "the LLM request could not be started");
    else
        j->state = JOB_RUNNING;
}

/* The names of the nodes of the job's document that depend on it, ", "-separated. */
static char *
job_dependents(struct job *j)
{
    struct proxy *p = j->ag->p;
    struct document *doc = documents_get(p->docs, j->uri);
    struct analysis *a = doc ? workspace_analysis(p, doc) : NULL;
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; a && i < analysis_node_count(a); i++) {
        const struct analysis_node *n = analysis_node(a, i);
        for (size_t k = 0; k < n->ndeps; k++)
            if (strcmp(n->deps[k], j->name) == 0) {
                buf_addf(&b, "%s`%s`", b.len ? ", " : "", n->name);
                break;
            }
    }
    return buf_detach(&b, NULL);
}

static void
job_fix_reviewed(struct job *j, const struct llm_result *res)
{
    if (!res->ok) {
        job_end(j, JOB_FAILED, "the review of the candidate failed: %s", res->error);
        return;
    }
    char *why = NULL;
    int r = review_candidate_verdict(res->text, res->text_len, &why);
    if (r == 1) {
        free(why);
        char *deps = job_dependents(j);
        j->proposal = true;
        job_end(j, JOB_SUCCEEDED,
                "a corrected statement of `%s` elaborates and the reviewer finds it faithful: "
                "apply it with the code action%s%s",
                j->name, *deps ? "; these nodes depend on it and their proofs may break: " : "",
                deps);
        free(deps);
        return;
    }
    job_set_feedback(j, r == 0 ? "The Target-Reviewer still finds, for your candidate:\n%s"
                               : "The review of your candidate failed: %s",
                     why ? why : "?");
    free(why);
    job_step(j);
}


/* The next thing to try: a portfolio tactic, else an LLM round, else give up. */
static void
job_step(struct job *j)
{
    struct proxy *p = j->ag->p;
    if (j->kind == AGENTS_KIND_REVIEW) {
        job_review_round(j);
        return;
    }
    if (j->kind == AGENTS_KIND_FIX) {
        job_fix_round(j);
        return;
    }
    char **tactics = p->cfg.agents_tactics;
    if (!j->in_llm && tactics && tactics[j->tactic]) {
        const char *t = tactics[j->tactic++];
        job_check(j, t, NULL, agents_is_search(t));
        return;
    }
    j->in_llm = true;
    struct llm *l = j->portfolio_only ? NULL : agents_llm(j->ag);
    if (l == NULL) {
        job_end(j, JOB_FAILED, "the tactic portfolio found no proof%s; last: %s",
                j->portfolio_only ? "" : " and no LLM is configured (llm.provider)",
                j->feedback ? j->feedback : "nothing tried");
        return;
    }
    job_llm_round(j, l);
}

/* One line of the audit log (<stateDir>/audit.jsonl): the job, and the given members
 * (key, string value) pairs, NULL-terminated. Values may be NULL (left out). */
static void
job_audit(const struct job *j, const char *event, ...)
{
    if (j->audit == NULL)
        return;
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "job", j->id);
    cJSON_AddStringToObject(f, "kind", job_kind_names[j->kind]);
    cJSON_AddStringToObject(f, "uri", j->uri);
    cJSON_AddStringToObject(f, "name", j->name);
    va_list ap;
    va_start(ap, event);
    for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
        const char *v = va_arg(ap, const char *);
        if (v)
            cJSON_AddStringToObject(f, k, v);
    }
    va_end(ap);
    statedir_audit(j->audit, event, f);
    cJSON_Delete(f);
}

static void
job_end(struct job *j, enum job_state state, const char *fmt, ...)
{
    struct agents *ag = j->ag;
    struct buf b;
    va_list ap;
    buf_init(&b, 0);
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    free(j->message);
    j->message = buf_detach(&b, NULL);
    j->state = state;
    shadow_close(j->sd); /* safe inside its callback (shadow.h) */
    j->sd = NULL;
    log_info("agents", "%s %s `%s`: %s: %s", j->id, job_kind_names[j->kind], j->name,
             job_state_names[state], j->message);
    job_audit(j, "job.end", "state", job_state_names[state], "message", j->message, "proof",
              j->proof, "statement", j->new_statement, (const char *)NULL);
    job_progress_send(j, "end", j->message, false);
    if (state == JOB_FAILED && j->user_started)
        proxy_show_message(ag->p, 2, "lsp-proxy: %s `%s`: %s", job_kind_names[j->kind], j->name,
                           j->message);
    agents_publish(ag, j->uri);
    agents_pump(ag);
}

/* Starts queued jobs (oldest first) while fewer than agents.maxParallel run. */
static void
agents_pump(struct agents *ag)
{
    if (ag->freeing || ag->p->phase != PROXY_LEAN_UP)
        return; /* agents_lean_ready() pumps again */
    long running = 0;
    for (struct job *j = ag->jobs; j; j = j->next)
        running += j->state == JOB_RUNNING || j->state == JOB_VERIFYING || j->llm != NULL;
    long max = ag->p->cfg.agents_max_parallel > 0 ? ag->p->cfg.agents_max_parallel : 1;
    while (running < max) {
        struct job *oldest = NULL;
        for (struct job *j = ag->jobs; j; j = j->next)
            if (j->state == JOB_QUEUED)
                oldest = j;
        if (oldest == NULL)
            return;
        oldest->state = JOB_RUNNING;
        running++;
        if (oldest->recheck) {
            oldest->recheck = false;
            char *c = xstrdup(oldest->candidate);
            char *h = oldest->helpers ? xstrdup(oldest->helpers) : NULL;
            job_check(oldest, c, h, oldest->candidate_is_search);
            free(c);
            free(h);
        } else {
            job_step(oldest);
        }
    }
}

/* ---- starting, cancelling ---- */

const char *
agents_start(struct proxy *p, struct document *doc, const char *name, enum agents_kind kind,
             bool user_started, char **err)
{
    struct agents *ag = p->agents;
    struct analysis *a = workspace_analysis(p, doc);
    const struct analysis_node *node = analysis_node_by_name(a, name);
    *err = NULL;
    if (node == NULL || node->kind == ANALYSIS_KIND_DEFINITION) {
        *err = xasprintf("no theorem or lemma `%s` in %s", name, document_uri(doc));
        return NULL;
    }
    bool review = kind == AGENTS_KIND_REVIEW, fix = kind == AGENTS_KIND_FIX;
    if (fix && !review_has_findings(p, document_uri(doc), node->name)) {
        *err = xasprintf("`%s` has no review finding to fix (run marathon.review first)", name);
        return NULL;
    }
    if (kind == AGENTS_KIND_REPAIR && node->status != ANALYSIS_STATUS_ERROR) {
        *err = xasprintf("`%s` has no Lean error to repair (status %s)", name,
                         node->status == ANALYSIS_STATUS_SORRY ? "sorry: prove it instead"
                                                               : "not error");
        return NULL;
    }
    if (!review && !fix && kind != AGENTS_KIND_REPAIR && node->status == ANALYSIS_STATUS_PROVED) {
        *err = xasprintf("`%s` is proved already", name);
        return NULL;
    }
    for (struct job *j = ag->jobs; j; j = j->next) {
        if (job_active(j) && job_class(j->kind) == job_class(kind) &&
            strcmp(j->uri, document_uri(doc)) == 0 && strcmp(j->name, node->name) == 0) {
            *err = xasprintf("%s is already working on `%s`", j->id, node->name);
            return NULL;
        }
    }
    size_t len;
    const char *text = document_text(doc, &len);
    struct job *j = xcalloc(1, sizeof *j);
    j->ag = ag;
    snprintf(j->id, sizeof j->id, "job-%lu", ++ag->next_id);
    snprintf(j->token, sizeof j->token, "marathon/%s", j->id);
    j->kind = kind;
    j->portfolio_only = kind == AGENTS_KIND_TACTICS;
    j->user_started = user_started;
    j->uri = xstrdup(document_uri(doc));
    j->name = xstrdup(node->name);
    j->full_name = xstrdup(node->full_name ? node->full_name : node->name);
    j->base_version = document_version(doc);
    j->text = xstrndup(text, len);
    j->text_len = len;
    struct lsp_pos line_start = {node->range.start.line, 0};
    j->node_start = document_offset(doc, line_start);
    j->indent = node->range.start.character;
    j->anchor = edits_body_anchor(text, document_offset(doc, node->body_range.start));
    j->body_end = document_offset(doc, node->body_range.end);
    if (j->anchor < j->node_start)
        j->anchor = j->node_start;
    if (j->body_end < j->anchor)
        j->body_end = j->anchor;
    j->statement = xstrndup(text + j->node_start, j->anchor - j->node_start);
    j->context = review ? review_prompt(p, doc, a, node, j->review_key)
                 : fix  ? review_fix_prompt(p, doc, a, node)
                        : job_context_text(p, doc, a, node);
    if (review && job_fix_spans(j, node) == 0) {
        j->binders = job_binders(j);
        j->refutation = job_refutation(j);
    }
    if (fix && job_fix_spans(j, node) < 0) {
        *err = xasprintf("cannot find where the statement of `%s` starts and ends", name);
        ag->jobs = j->next;
        job_free(j);
        return NULL;
    }
    j->state = JOB_QUEUED;
    j->next = ag->jobs;
    ag->jobs = j;
    /* a new job supersedes what older ones left on this node */
    for (struct job *o = j->next; o && !review; o = o->next)
        if (!job_active(o) && job_class(o->kind) == job_class(kind) &&
            strcmp(o->uri, j->uri) == 0 && strcmp(o->name, j->name) == 0)
            o->proposal = false;
    if (p->client_work_done_progress) {
        struct buf b;
        buf_init(&b, 0);
        buf_adds(&b, "{\"token\":");
        buf_add_json_string(&b, j->token, strlen(j->token));
        buf_addch(&b, '}');
        j->create_req = proxy_request(p, false, "window/workDoneProgress/create", b.data,
                                      job_progress_created_cb, j);
        buf_release(&b);
    }
    log_info("agents", "%s: %s `%s` in %s (version %ld)", j->id, job_kind_names[kind], j->name,
             j->uri, j->base_version);
    j->audit = review_statedir_of(p, doc);
    char version[32];
    snprintf(version, sizeof version, "%ld", j->base_version);
    job_audit(j, "job.start", "version", version, (const char *)NULL);
    agents_prune(ag);
    agents_pump(ag);
    return j->id;
}

static bool
job_cancel(struct job *j)
{
    if (!job_active(j))
        return false;
    bool waiting_llm = j->llm != NULL;
    if (waiting_llm)
        llm_request_cancel(j->llm); /* its callback comes later and sees the state */
    j->state = JOB_CANCELLED;
    j->apply_waiting = false;
    free(j->message);
    j->message = xstrdup("cancelled");
    shadow_close(j->sd);
    j->sd = NULL;
    job_progress_send(j, "end", "cancelled", false);
    log_info("agents", "%s cancelled", j->id);
    if (!waiting_llm)
        agents_pump(j->ag);
    return true;
}

int
agents_cancel(struct proxy *p, const char *id)
{
    int n = 0;
    for (struct job *j = p->agents->jobs; j; j = j->next)
        if ((id == NULL || strcmp(j->id, id) == 0) && job_cancel(j))
            n++;
    return n;
}

bool
agents_progress_cancel(struct proxy *p, struct jspan token)
{
    for (struct job *j = p->agents->jobs; j; j = j->next) {
        if (jscan_string_eq(token, j->token)) {
            job_cancel(j);
            return true;
        }
    }
    return false;
}

/* ---- results in the editor ---- */

/* The node of job j in the current document when its statement is unchanged, else NULL. */
static const struct analysis_node *
job_current_node(struct proxy *p, const struct job *j, struct document *doc, size_t *node_start,
                 size_t *anchor, size_t *body_end)
{
    struct analysis *a = workspace_analysis(p, doc);
    const struct analysis_node *node = analysis_node_by_name(a, j->name);
    if (node == NULL)
        return NULL;
    size_t len;
    const char *text = document_text(doc, &len);
    struct lsp_pos line_start = {node->range.start.line, 0};
    *node_start = document_offset(doc, line_start);
    *anchor = edits_body_anchor(text, document_offset(doc, node->body_range.start));
    *body_end = document_offset(doc, node->body_range.end);
    if (*anchor < *node_start || *body_end < *anchor)
        return NULL;
    if (*anchor - *node_start != strlen(j->statement) ||
        memcmp(text + *node_start, j->statement, *anchor - *node_start) != 0)
        return NULL;
    return node;
}

static struct job *
agents_proposal_of(struct agents *ag, const char *uri, const char *name, bool statement)
{
    for (struct job *j = ag->jobs; j; j = j->next)
        if (j->proposal && (j->kind == AGENTS_KIND_FIX) == statement && strcmp(j->uri, uri) == 0 &&
            strcmp(j->name, name) == 0)
            return j;
    return NULL;
}

char *
agents_proposal_edit(struct proxy *p, struct document *doc, const char *name)
{
    struct job *j = agents_proposal_of(p->agents, document_uri(doc), name, false);
    return j ? job_edit(p, j, doc) : NULL;
}

/* The WorkspaceEdit of job j's proof against doc's current text, or NULL. */
static char *
job_edit(struct proxy *p, const struct job *j, struct document *doc)
{
    if (j->proof == NULL)
        return NULL;
    size_t node_start, anchor, body_end;
    if (job_current_node(p, j, doc, &node_start, &anchor, &body_end) == NULL)
        return NULL;
    size_t len;
    const char *text = document_text(doc, &len);
    char *body = edits_body_text(text, anchor, j->proof, j->indent);
    char *helpers =
        j->proof_helpers && *j->proof_helpers ? edits_helpers_text(j->proof_helpers) : NULL;
    struct edits_change ch[3];
    size_t n = 0;
    if (helpers) {
        ch[n].range.start = ch[n].range.end = document_position(doc, node_start);
        ch[n++].text = helpers;
    }
    if (j->proof_cites && node_start + j->cites_end <= anchor) {
        /* the attribute is frozen (job_current_node checked it): same offsets */
        ch[n].range.start = document_position(doc, node_start + j->cites_start);
        ch[n].range.end = document_position(doc, node_start + j->cites_end);
        ch[n++].text = j->proof_cites;
    }
    ch[n].range.start = document_position(doc, anchor);
    ch[n].range.end = document_position(doc, body_end);
    ch[n++].text = body;
    char *edit = edits_workspace_edit(document_uri(doc), document_version(doc),
                                      p->client_document_changes, ch, n);
    free(body);
    free(helpers);
    return edit;
}

/* Republishes the marathon-agent diagnostics of uri: proofs waiting, jobs that failed. */
static void
agents_publish(struct agents *ag, const char *uri)
{
    struct proxy *p = ag->p;
    struct document *doc = documents_get(p->docs, uri);
    if (doc == NULL || ag->freeing)
        return;
    struct buf b;
    buf_init(&b, 0);
    buf_addch(&b, '[');
    bool first = true;
    for (struct job *j = ag->jobs; j; j = j->next) {
        if (strcmp(j->uri, uri) != 0 || !(j->proposal || j->state == JOB_FAILED) ||
            j->kind == AGENTS_KIND_REVIEW)
            continue;
        bool newer = false; /* only the newest job of a node speaks */
        for (struct job *o = ag->jobs; o != j; o = o->next)
            newer |= o->kind != AGENTS_KIND_REVIEW && strcmp(o->uri, uri) == 0 &&
                     strcmp(o->name, j->name) == 0;
        size_t ns, an, be;
        const struct analysis_node *node =
            newer ? NULL : job_current_node(p, j, doc, &ns, &an, &be);
        if (node == NULL)
            continue;
        bool fix = j->kind == AGENTS_KIND_FIX;
        char *msg = j->proposal && fix
                        ? xasprintf("lsp-proxy agent: %s. The statement: %s", j->message,
                                    j->new_statement)
                    : j->proposal
                        ? xasprintf("lsp-proxy agent: a proof of `%s` was found and checked by "
                                    "Lean (%s): use the code action \"Apply proof found for "
                                    "`%s`\"",
                                    j->name, j->in_llm ? "LLM prover" : "tactic portfolio", j->name)
                        : xasprintf("lsp-proxy agent: no proof of `%s`: %s", j->name, j->message);
        buf_addf(&b,
                 "%s{\"range\":{\"start\":{\"line\":%u,\"character\":%u},\"end\":{\"line\":%u,"
                 "\"character\":%u}},\"severity\":%d,\"source\":\"marathon-agent\",\"code\":\"%s\","
                 "\"message\":",
                 first ? "" : ",", node->name_range.start.line, node->name_range.start.character,
                 node->name_range.end.line, node->name_range.end.character, j->proposal ? 3 : 2,
                 j->proposal ? (fix ? "agent.statement-found" : "agent.proof-found")
                             : "agent.failed");
        buf_add_json_string(&b, msg, strlen(msg));
        buf_addf(&b, ",\"data\":{\"jobId\":\"%s\"}}", j->id);
        free(msg);
        first = false;
    }
    buf_addch(&b, ']');
    if (diagnostics_set_own(p->diags, uri, "marathon-agent", b.data))
        proxy_publish(p, uri);
    buf_release(&b);
}

void
agents_status_json(struct proxy *p, struct buf *out)
{
    bool first = true;
    buf_addch(out, '[');
    for (struct job *j = p->agents->jobs; j; j = j->next) {
        const char *kind = job_kind_names[j->proved_by_tactics ? AGENTS_KIND_TACTICS : j->kind];
        buf_addf(out, "%s{\"id\":\"%s\",\"kind\":\"%s\",\"uri\":", first ? "" : ",", j->id, kind);
        buf_add_json_string(out, j->uri, strlen(j->uri));
        buf_adds(out, ",\"name\":");
        buf_add_json_string(out, j->name, strlen(j->name));
        buf_addf(out, ",\"state\":\"%s\",\"attempts\":%d,\"candidates\":%d,\"message\":",
                 job_state_names[j->state], j->attempts, j->steps);
        if (j->message)
            buf_add_json_string(out, j->message, strlen(j->message));
        else
            buf_adds(out, "null");
        buf_adds(out, ",\"proof\":");
        if (j->proof)
            buf_add_json_string(out, j->proof, strlen(j->proof));
        else
            buf_adds(out, "null");
        buf_addf(out, ",\"pending\":%s}", j->proposal ? "true" : "false");
        first = false;
    }
    buf_addch(out, ']');
}

void
agents_llm_json(struct proxy *p, struct buf *out)
{
    struct agents *ag = p->agents;
    long requests = 0, failures = 0, in = 0, outt = 0;
    for (size_t i = 0; i <= ag->nretired; i++) {
        const struct llm *l = i < ag->nretired ? ag->retired[i] : ag->llm;
        const struct llm_stats *s = l ? llm_stats(l) : NULL;
        if (s) {
            requests += s->requests;
            failures += s->failures;
            in += s->tokens_in;
            outt += s->tokens_out;
        }
    }
    buf_addf(out, "\"requests\":%ld,\"failures\":%ld,\"tokensIn\":%ld,\"tokensOut\":%ld",
             requests, failures, in, outt);
}

/* ---- hooks ---- */

void
agents_lean_ready(struct proxy *p)
{
    agents_pump(p->agents);
}

void
agents_document_saved(struct proxy *p, struct document *doc)
{
    if (p->cfg.on_save == CONFIG_ON_SAVE_OFF)
        return;
    struct analysis *a = workspace_analysis(p, doc);
    size_t len;
    const char *text = document_text(doc, &len);
    for (size_t i = 0; i < analysis_node_count(a); i++) {
        const struct analysis_node *n = analysis_node(a, i);
        if (!n->leaf)
            continue;
        /* once per text of the node: a save that changed nothing tries nothing again */
        struct lsp_pos line_start = {n->range.start.line, 0};
        size_t from = document_offset(doc, line_start);
        size_t to = document_offset(doc, n->body_range.end);
        bool tried = false;
        for (struct job *j = p->agents->jobs; j && !tried; j = j->next) {
            if (strcmp(j->uri, document_uri(doc)) != 0 || strcmp(j->name, n->name) != 0)
                continue;
            tried = job_active(j) || (j->body_end - j->node_start == to - from &&
                                      memcmp(j->text + j->node_start, text + from, to - from) == 0);
        }
        if (tried)
            continue;
        enum agents_kind kind = p->cfg.on_save == CONFIG_ON_SAVE_AGENT && agents_llm(p->agents)
                                    ? AGENTS_KIND_PROVE
                                    : AGENTS_KIND_TACTICS;
        char *err = NULL;
        agents_start(p, doc, n->name, kind, false, &err);
        free(err);
        a = workspace_analysis(p, doc); /* agents_start may have refreshed it */
    }
}

void
agents_document_closing(struct proxy *p, struct document *doc)
{
    for (struct job *j = p->agents->jobs; j; j = j->next)
        if (strcmp(j->uri, document_uri(doc)) == 0) {
            job_cancel(j);
            j->proposal = false;
        }
    diagnostics_set_own(p->diags, document_uri(doc), "marathon-agent", NULL);
}

void
agents_progress(struct proxy *p, struct document *doc, struct jspan params)
{
    struct jspan processing;
    if (jscan_get(params, "processing", &processing) && jscan_array_len(processing) == 0)
        agents_publish(p->agents, document_uri(doc)); /* proposals that no longer fit go */
}

char *
agents_statement_edit(struct proxy *p, struct document *doc, const char *name, char **statement)
{
    *statement = NULL;
    struct job *j = agents_proposal_of(p->agents, document_uri(doc), name, true);
    size_t node_start, anchor, body_end;
    if (j == NULL || j->new_statement == NULL ||
        job_current_node(p, j, doc, &node_start, &anchor, &body_end) == NULL)
        return NULL;
    /* the statement is unchanged: the snapshot's offsets hold from the node's start */
    size_t shift = node_start - j->node_start;
    struct edits_change ch[2];
    size_t n = 0;
    if (j->new_latex && j->latex_end) {
        ch[n].range.start = document_position(doc, j->latex_start + shift);
        ch[n].range.end = document_position(doc, j->latex_end + shift);
        ch[n++].text = j->new_latex;
    }
    ch[n].range.start = document_position(doc, j->head_start + shift);
    ch[n].range.end = document_position(doc, j->head_end + shift);
    ch[n++].text = j->new_statement;
    *statement = xstrdup(j->new_statement);
    return edits_workspace_edit(document_uri(doc), document_version(doc),
                                p->client_document_changes, ch, n);
}
