/*
 * review: stage-one fidelity review (review.h).
 *
 * State: one entry per (uri, target name): the key of the text last reviewed (or being
 * reviewed), the outcome, the findings. Entries live while the document is open; the cache
 * and the dismissals live in <stateDir> (statedir.h) and outlive the proxy.
 */
#include "review.h"

#include <ev.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "agents.h"
#include "analysis.h"
#include "buf.h"
#include "config.h"
#include "context.h"
#include "diagnostics.h"
#include "documents.h"
#include "llm.h"
#include "log.h"
#include "proxy.h"
#include "statedir.h"
#include "textfile.h"
#include "verdict.h"
#include "workspace.h"
#include "xalloc.h"

/* Bump when src/prompts/reviewer.txt or review_prompt() changes what is asked: cached
 * verdicts of older prompts are then not reused. */
#define REVIEW_PROMPT_VERSION "reviewer-1"
#define REVIEW_CONTEXT_MAX 12000 /* bytes of the file in scope quoted to the reviewer */
#define REVIEW_TARGET_MAX 8000   /* bytes of a canonical target quoted */

enum entry_state { ENTRY_NONE, ENTRY_PENDING, ENTRY_FAITHFUL, ENTRY_FINDINGS, ENTRY_FAILED };

struct finding {
    char *code; /* "review.too-weak" */
    char *explanation;
    char *suggestion; /* may be NULL */
};

struct entry {
    struct entry *next;
    char *uri, *name;
    char key[REVIEW_KEY_LEN];      /* of the text reviewed (or being reviewed) */
    char stmt_hash[REVIEW_KEY_LEN]; /* of the statement alone: dismissals hang on it */
    enum entry_state state;
    struct finding *findings;
    size_t nfindings;
    char *failure;
};

struct target {
    char *label;
    char *text; /* the whole environment, capped */
};

/* A document saved, to be reviewed once the saves stop for review.debounceMs. */
struct pending_save {
    struct pending_save *next;
    struct review *r;
    char *uri;
    ev_timer timer;
};

struct review {
    struct proxy *p;
    struct pending_save *saves;
    struct target *targets; /* review.problemFile's labelled targets */
    size_t ntargets;
    struct entry *entries;
    struct statedir *sd;
    bool sd_tried;
    char *problem;     /* review.problemFile's text (NULL: none or unreadable) */
    bool problem_tried;
};

struct review *
review_new(struct proxy *p)
{
    struct review *r = xcalloc(1, sizeof *r);
    r->p = p;
    return r;
}

static void
entry_clear(struct entry *e)
{
    for (size_t i = 0; i < e->nfindings; i++) {
        free(e->findings[i].code);
        free(e->findings[i].explanation);
        free(e->findings[i].suggestion);
    }
    free(e->findings);
    e->findings = NULL;
    e->nfindings = 0;
    free(e->failure);
    e->failure = NULL;
}

static void
entry_free(struct entry *e)
{
    entry_clear(e);
    free(e->uri);
    free(e->name);
    free(e);
}

static void
pending_save_free(struct review *r, struct pending_save *ps)
{
    for (struct pending_save **pp = &r->saves; *pp; pp = &(*pp)->next)
        if (*pp == ps) {
            *pp = ps->next;
            break;
        }
    ev_timer_stop(r->p->loop, &ps->timer);
    free(ps->uri);
    free(ps);
}

void
review_free(struct review *r)
{
    if (r == NULL)
        return;
    while (r->saves)
        pending_save_free(r, r->saves);
    while (r->entries) {
        struct entry *e = r->entries;
        r->entries = e->next;
        entry_free(e);
    }
    statedir_close(r->sd);
    for (size_t i = 0; i < r->ntargets; i++) {
        free(r->targets[i].label);
        free(r->targets[i].text);
    }
    free(r->targets);
    free(r->problem);
    free(r);
}

bool
review_enabled(const struct proxy *p)
{
    if (p->cfg.review_enabled >= 0)
        return p->cfg.review_enabled != 0;
    return strcmp(config_llm_provider(&p->cfg), "none") != 0;
}

/* ---- state dir, problem file ---- */

/* <stateDir>: the setting, else .marathon in the project root of the first document that
 * needs it; NULL (no persistence, logged once) when neither is known. */
static struct statedir *
review_statedir(struct review *r, const struct document *doc)
{
    if (r->sd_tried)
        return r->sd;
    r->sd_tried = true;
    char *dir = NULL;
    if (r->p->cfg.state_dir) {
        dir = xstrdup(r->p->cfg.state_dir);
    } else {
        const char *uri = document_uri(doc);
        if (strncmp(uri, "file://", 7) == 0) {
            char *path = xstrdup(uri + 7);
            char *slash = strrchr(path, '/');
            if (slash)
                *slash = '\0';
            char *root = config_find_project_root(*path ? path : "/");
            if (root)
                dir = xasprintf("%s/.marathon", root);
            free(root);
            free(path);
        }
    }
    if (dir == NULL) {
        log_info("review", "no stateDir and no project root: review results are not cached");
        return NULL;
    }
    char err[256];
    r->sd = statedir_open(dir, err, sizeof err);
    if (r->sd == NULL)
        log_warn("review", "stateDir %s: %s; review results are not cached", dir, err);
    free(dir);
    return r->sd;
}

/* review.problemFile: its theorem-like environments (theorem, lemma, proposition,
 * corollary, conjecture, claim, starred or not) that carry a \label, read once. */
static bool
theorem_like(const char *env, size_t n)
{
    static const char *const envs[] = {"theorem", "lemma", "proposition", "corollary",
                                       "conjecture", "claim"};
    if (n > 0 && env[n - 1] == '*')
        n--;
    for (size_t i = 0; i < sizeof envs / sizeof *envs; i++)
        if (strlen(envs[i]) == n && memcmp(envs[i], env, n) == 0)
            return true;
    return false;
}

static void
review_load_problem(struct review *r)
{
    if (r->problem_tried)
        return;
    r->problem_tried = true;
    const char *path = r->p->cfg.review_problem_file;
    if (path == NULL)
        return;
    size_t len;
    char err[256];
    char *text = textfile_read(path, &len, err, sizeof err);
    if (text == NULL) {
        log_warn("review", "review.problemFile %s: %s", path, err);
        return;
    }
    r->problem = xstrndup(text, len);
    textfile_free(text, len);
    for (const char *s = r->problem; (s = strstr(s, "\\begin{")) != NULL;) {
        const char *env = s + 7, *close = strchr(env, '}');
        if (close == NULL)
            break;
        size_t n = (size_t)(close - env);
        if (!theorem_like(env, n)) {
            s = close;
            continue;
        }
        char *endtag = xasprintf("\\end{%.*s}", (int)n, env);
        const char *end = strstr(close, endtag);
        const char *stop = end ? end + strlen(endtag) : r->problem + len;
        free(endtag);
        const char *lab = strstr(close, "\\label{");
        if (lab && lab < stop) {
            const char *lz = strchr(lab + 7, '}');
            if (lz && lz < stop) {
                r->targets = xreallocarray(r->targets, r->ntargets + 1, sizeof *r->targets);
                struct target *t = &r->targets[r->ntargets++];
                t->label = xstrndup(lab + 7, (size_t)(lz - lab - 7));
                size_t tn = (size_t)(stop - s);
                t->text = xstrndup(s, tn > REVIEW_TARGET_MAX ? REVIEW_TARGET_MAX : tn);
            }
        }
        s = stop;
    }
    log_info("review", "review.problemFile %s: %zu labelled targets", path, r->ntargets);
}

/* The canonical target with LaTeX label `label`, a new string; NULL when there is none. */
static char *
review_target(struct review *r, const char *label)
{
    review_load_problem(r);
    for (size_t i = 0; label && i < r->ntargets; i++)
        if (strcmp(r->targets[i].label, label) == 0)
            return xstrdup(r->targets[i].text);
    return NULL;
}

/* ---- entries ---- */

static struct entry *
entry_get(struct review *r, const char *uri, const char *name, bool create)
{
    for (struct entry *e = r->entries; e; e = e->next)
        if (strcmp(e->uri, uri) == 0 && strcmp(e->name, name) == 0)
            return e;
    if (!create)
        return NULL;
    struct entry *e = xcalloc(1, sizeof *e);
    e->uri = xstrdup(uri);
    e->name = xstrdup(name);
    e->next = r->entries;
    r->entries = e;
    return e;
}

static bool
is_target(const struct proxy *p, const struct analysis_node *n)
{
    if (n->kind == ANALYSIS_KIND_THEOREM)
        return true;
    return n->kind == ANALYSIS_KIND_LEMMA && p->cfg.review_scope &&
           strcmp(p->cfg.review_scope, "all") == 0;
}

static bool
finding_dismissed(struct review *r, const struct entry *e, const char *code)
{
    return r->sd && statedir_dismissed(r->sd, e->uri, e->name, code, e->stmt_hash);
}

/* Fills e from a verdict (text of the reviewer's JSON). Returns 0, or -1 with e failed. */
static int
entry_set_verdict(struct entry *e, const char *text, size_t len)
{
    entry_clear(e);
    struct verdict v;
    char err[256];
    if (verdict_parse(text, len, &v, err, sizeof err) < 0) {
        e->state = ENTRY_FAILED;
        e->failure = xstrdup(err);
        return -1;
    }
    e->state = v.faithful ? ENTRY_FAITHFUL : ENTRY_FINDINGS;
    e->findings = v.nfindings ? xcalloc(v.nfindings, sizeof *e->findings) : NULL;
    for (size_t i = 0; i < v.nfindings; i++) {
        e->findings[i].code = xstrdup(verdict_code(v.findings[i].category));
        e->findings[i].explanation = xstrdup(v.findings[i].explanation);
        e->findings[i].suggestion =
            v.findings[i].suggestion ? xstrdup(v.findings[i].suggestion) : NULL;
    }
    e->nfindings = v.nfindings;
    verdict_release(&v);
    return 0;
}

/* ---- diagnostics ---- */

static void
add_diag(struct buf *b, bool *first, struct lsp_range r, int severity, const char *code,
         const char *message, const char *name)
{
    buf_addf(b,
             "%s{\"range\":{\"start\":{\"line\":%u,\"character\":%u},\"end\":{\"line\":%u,"
             "\"character\":%u}},\"severity\":%d,\"source\":\"marathon-review\",\"code\":\"%s\","
             "\"message\":",
             *first ? "" : ",", r.start.line, r.start.character, r.end.line, r.end.character,
             severity, code);
    buf_add_json_string(b, message, strlen(message));
    buf_adds(b, ",\"data\":{\"name\":");
    buf_add_json_string(b, name, strlen(name));
    buf_adds(b, "}}");
    *first = false;
}

/* With a problem file: every target must be some theorem's blueprint label
 * (review.coverage, on the file's first line) and every theorem must match a target
 * (review.extra-target, on its name). Deterministic: no LLM involved. */
static void
review_coverage(struct proxy *p, const struct analysis *a, struct buf *b, bool *first)
{
    struct review *r = p->review;
    review_load_problem(r);
    if (r->problem == NULL)
        return;
    const char *pf = p->cfg.review_problem_file;
    for (size_t i = 0; i < r->ntargets; i++) {
        bool matched = false;
        for (size_t k = 0; k < analysis_node_count(a) && !matched; k++) {
            const struct analysis_node *n = analysis_node(a, k);
            matched = n->kind == ANALYSIS_KIND_THEOREM && n->label &&
                      strcmp(n->label, r->targets[i].label) == 0;
        }
        if (!matched) {
            char *msg = xasprintf("target `%s` of %s is stated by no theorem of this file "
                                  "(a theorem with @[blueprint \"%s\"] is expected)",
                                  r->targets[i].label, pf, r->targets[i].label);
            struct lsp_range top = {{0, 0}, {0, 0}};
            add_diag(b, first, top, 2, "review.coverage", msg, r->targets[i].label);
            free(msg);
        }
    }
    for (size_t k = 0; k < analysis_node_count(a); k++) {
        const struct analysis_node *n = analysis_node(a, k);
        if (n->kind != ANALYSIS_KIND_THEOREM)
            continue;
        bool matched = false;
        for (size_t i = 0; i < r->ntargets && !matched; i++)
            matched = n->label && strcmp(n->label, r->targets[i].label) == 0;
        if (!matched) {
            char *msg = xasprintf("theorem `%s` (label `%s`) matches no target of %s: a "
                                  "theorem should be a target of the problem, else a lemma",
                                  n->name, n->label ? n->label : n->name, pf);
            add_diag(b, first, n->name_range, 2, "review.extra-target", msg, n->name);
            free(msg);
        }
    }
}

static void
review_publish(struct proxy *p, struct document *doc)
{
    struct review *r = p->review;
    const char *uri = document_uri(doc);
    struct analysis *a = workspace_analysis(p, doc);
    struct buf b;
    buf_init(&b, 0);
    buf_addch(&b, '[');
    bool first = true;
    for (struct entry *e = r->entries; e; e = e->next) {
        if (strcmp(e->uri, uri) != 0)
            continue;
        const struct analysis_node *n = analysis_node_by_name(a, e->name);
        if (n == NULL)
            continue;
        if (e->state == ENTRY_FAILED) {
            char *msg = xasprintf("review failed: %s", e->failure ? e->failure : "?");
            add_diag(&b, &first, n->name_range, 3, "review.failed", msg, e->name);
            free(msg);
            continue;
        }
        if (e->state != ENTRY_FINDINGS)
            continue;
        for (size_t i = 0; i < e->nfindings; i++) {
            const struct finding *f = &e->findings[i];
            if (finding_dismissed(r, e, f->code))
                continue;
            char *msg = f->suggestion && *f->suggestion
                            ? xasprintf("%s\n\nSuggestion: %s", f->explanation, f->suggestion)
                            : xstrdup(f->explanation);
            add_diag(&b, &first, n->name_range, 2, f->code, msg, e->name);
            free(msg);
        }
    }
    review_coverage(p, a, &b, &first);
    buf_addch(&b, ']');
    if (diagnostics_set_own(p->diags, uri, "marathon-review", b.data))
        proxy_publish(p, uri);
    buf_release(&b);
}

/* ---- prompts and keys ---- */

char *
review_prompt(struct proxy *p, const struct document *doc, const struct analysis *a,
              const struct analysis_node *node, char key_out[REVIEW_KEY_LEN])
{
    struct review *r = p->review;
    char *statement = context_statement(doc, node);
    struct context *c = context_new(doc, a, node, REVIEW_CONTEXT_MAX);
    char *target = review_target(r, node->label);
    struct buf b;
    buf_init(&b, 0);
    buf_addf(&b, "Review the statement of `%s`.\n\n", node->name);
    if (target)
        buf_addf(&b, "1. The canonical target (from the problem file):\n%s\n\n", target);
    else
        buf_adds(&b, "1. The canonical target: none was given; judge against the LaTeX "
                     "statement alone.\n\n");
    if (c->latex_statement)
        buf_addf(&b, "2. The LaTeX statement of the blueprint node:\n%s\n\n", c->latex_statement);
    else
        buf_adds(&b, "2. The LaTeX statement: the node has none; judge the Lean statement "
                     "against its name, docstring and the target.\n\n");
    buf_addf(&b, "3. The Lean statement (the proof is not your concern):\n```lean\n%s\n```\n\n",
             statement);
    buf_addf(&b, "The definitions and statements in scope before it:\n```lean\n%s```\n",
             c->file);
    /* the key: what the verdict depends on */
    struct buf k;
    buf_init(&k, 0);
    buf_addf(&k, "%s\n%s/%s\n%s\n", REVIEW_PROMPT_VERSION, config_llm_provider(&p->cfg),
             p->cfg.llm_model ? p->cfg.llm_model : "", target ? target : "");
    buf_adds(&k, statement);
    buf_addch(&k, '\n');
    buf_adds(&k, c->file);
    statedir_hash(k.data, k.len, key_out);
    buf_release(&k);
    context_free(c);
    free(target);
    free(statement);
    return buf_detach(&b, NULL);
}

static void
statement_hash(const struct document *doc, const struct analysis_node *n, char out[REVIEW_KEY_LEN])
{
    char *s = context_statement(doc, n);
    statedir_hash(s, strlen(s), out);
    free(s);
}

/* ---- running ---- */

/* Brings target n of doc up to date: the cached verdict for its current key, else a job
 * (when start_jobs). Appends a started job's id to ids. Returns 1 when handled. */
static int
review_target_refresh(struct proxy *p, struct document *doc, const struct analysis *a,
                      const struct analysis_node *n, bool force, bool start_jobs,
                      struct buf *ids, char **err)
{
    struct review *r = p->review;
    const char *uri = document_uri(doc);
    char key[REVIEW_KEY_LEN];
    char *prompt = review_prompt(p, doc, a, n, key);
    free(prompt);
    struct entry *e = entry_get(r, uri, n->name, true);
    statement_hash(doc, n, e->stmt_hash);
    bool explicit = ids != NULL; /* marathon.review asks again after a failure */
    if (!force && strcmp(e->key, key) == 0 && e->state != ENTRY_NONE &&
        !(explicit && e->state == ENTRY_FAILED))
        return 1; /* reviewed, being reviewed, or failed on this very text */
    struct statedir *sd = review_statedir(r, doc);
    char *cached = !force && sd ? statedir_cache_get(sd, key) : NULL;
    if (cached) {
        memcpy(e->key, key, sizeof key);
        entry_set_verdict(e, cached, strlen(cached));
        log_debug("review", "`%s`: cached verdict", n->name);
        free(cached);
        return 1;
    }
    if (!start_jobs)
        return 0;
    const char *job = agents_start(p, doc, n->name, AGENTS_KIND_REVIEW, ids != NULL, err);
    if (job == NULL)
        return 0;
    memcpy(e->key, key, sizeof key);
    entry_clear(e);
    e->state = ENTRY_PENDING;
    if (ids)
        buf_addf(ids, "%s\"%s\"", ids->len ? "," : "", job);
    return 1;
}

static void
review_refresh_all(struct proxy *p, struct document *doc)
{
    if (!review_enabled(p)) {
        if (p->cfg.review_problem_file)
            review_publish(p, doc); /* coverage needs no LLM */
        return;
    }
    struct analysis *a = workspace_analysis(p, doc);
    bool llm = strcmp(config_llm_provider(&p->cfg), "none") != 0;
    for (size_t i = 0; i < analysis_node_count(a); i++) {
        const struct analysis_node *n = analysis_node(a, i);
        if (!is_target(p, n))
            continue;
        char *err = NULL;
        review_target_refresh(p, doc, a, n, false, llm, NULL, &err);
        if (err)
            log_debug("review", "`%s`: %s", n->name, err);
        free(err);
        a = workspace_analysis(p, doc); /* agents_start may have refreshed it */
    }
    review_publish(p, doc);
}

void
review_document_opened(struct proxy *p, struct document *doc)
{
    review_refresh_all(p, doc);
}

static void
review_save_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct pending_save *ps = (struct pending_save *)((char *)w - offsetof(struct pending_save, timer));
    struct review *r = ps->r;
    (void)loop;
    (void)revents;
    struct document *doc = documents_get(r->p->docs, ps->uri);
    pending_save_free(r, ps);
    if (doc)
        review_refresh_all(r->p, doc);
}

/* On save, after review.debounceMs without another save of the document: a person who
 * saves three times in a row pays for one review of the last text. */
void
review_document_saved(struct proxy *p, struct document *doc)
{
    struct review *r = p->review;
    if (p->cfg.review_debounce_ms <= 0) {
        review_refresh_all(p, doc);
        return;
    }
    const char *uri = document_uri(doc);
    struct pending_save *ps = r->saves;
    while (ps && strcmp(ps->uri, uri) != 0)
        ps = ps->next;
    if (ps == NULL) {
        ps = xcalloc(1, sizeof *ps);
        ps->r = r;
        ps->uri = xstrdup(uri);
        ev_init(&ps->timer, review_save_timer_cb);
        ps->next = r->saves;
        r->saves = ps;
    }
    ev_timer_stop(p->loop, &ps->timer);
    ev_timer_set(&ps->timer, (double)p->cfg.review_debounce_ms / 1000.0, 0.);
    ev_timer_start(p->loop, &ps->timer);
}

void
review_document_closing(struct proxy *p, struct document *doc)
{
    struct review *r = p->review;
    const char *uri = document_uri(doc);
    for (struct pending_save *ps = r->saves; ps; ps = ps->next)
        if (strcmp(ps->uri, uri) == 0) {
            pending_save_free(r, ps);
            break;
        }
    for (struct entry **ep = &r->entries; *ep;) {
        struct entry *e = *ep;
        if (strcmp(e->uri, uri) == 0) {
            *ep = e->next;
            entry_free(e);
        } else {
            ep = &e->next;
        }
    }
}

int
review_run(struct proxy *p, struct document *doc, const char *name, bool force,
           struct buf *ids, char **err)
{
    *err = NULL;
    struct analysis *a = workspace_analysis(p, doc);
    int handled = 0;
    bool any = false;
    for (size_t i = 0; i < analysis_node_count(a); i++) {
        const struct analysis_node *n = analysis_node(a, i);
        if (name ? strcmp(n->name, name) != 0 : !is_target(p, n))
            continue;
        if (n->kind == ANALYSIS_KIND_DEFINITION) {
            *err = xasprintf("`%s` is a definition: only theorems and lemmas are reviewed", name);
            return -1;
        }
        any = true;
        char *e = NULL;
        handled += review_target_refresh(p, doc, a, n, force, true, ids, &e);
        if (e && name) {
            *err = e;
            return -1;
        }
        free(e);
        a = workspace_analysis(p, doc);
    }
    if (name && !any) {
        *err = xasprintf("no theorem or lemma `%s` in %s", name, document_uri(doc));
        return -1;
    }
    review_publish(p, doc);
    return handled;
}

bool
review_reply(struct proxy *p, const char *uri, const char *name, const char *key,
             const struct llm_result *res, char **message)
{
    struct review *r = p->review;
    struct entry *e = entry_get(r, uri, name, false);
    bool current = e && strcmp(e->key, key) == 0;
    struct entry tmp = {0};
    struct entry *into = current ? e : &tmp; /* an outdated reply is still cached */
    bool ok;
    if (!res->ok) {
        entry_clear(into);
        into->state = ENTRY_FAILED;
        into->failure = xasprintf("the LLM request failed: %s", res->error);
        ok = false;
    } else {
        ok = entry_set_verdict(into, res->text, res->text_len) == 0;
        if (ok && r->sd)
            statedir_cache_put(r->sd, key, res->text, res->text_len);
        /* the statement reviewed is the current one: dismissals made for earlier texts of
         * it are void for good (a dismissal lives until the statement changes) */
        if (ok && current && r->sd && e->stmt_hash[0]) {
            int n = statedir_dismissals_prune(r->sd, uri, name, e->stmt_hash);
            if (n > 0)
                log_debug("review", "`%s`: %d void dismissal%s removed", name, n, n == 1 ? "" : "s");
        }
    }
    if (!ok)
        *message = xasprintf("review failed: %s", into->failure);
    else if (into->state == ENTRY_FAITHFUL)
        *message = xasprintf("`%s`: faithful", name);
    else
        *message = xasprintf("`%s`: %zu finding%s (%s%s)", name, into->nfindings,
                             into->nfindings == 1 ? "" : "s", into->findings[0].code,
                             into->nfindings > 1 ? ", …" : "");
    entry_clear(&tmp);
    struct document *doc = documents_get(p->docs, uri);
    if (doc && current)
        review_publish(p, doc);
    return ok;
}

int
review_dismiss(struct proxy *p, struct document *doc, const char *name, const char *code,
               char **err)
{
    struct review *r = p->review;
    *err = NULL;
    struct entry *e = entry_get(r, document_uri(doc), name, false);
    bool has = false;
    for (size_t i = 0; e && i < e->nfindings; i++)
        has |= strcmp(e->findings[i].code, code) == 0;
    if (!has) {
        *err = xasprintf("`%s` has no open review finding %s", name, code);
        return -1;
    }
    struct statedir *sd = review_statedir(r, doc);
    if (sd == NULL || statedir_dismiss(sd, e->uri, e->name, code, e->stmt_hash) < 0) {
        *err = xasprintf("the dismissal cannot be stored (no usable stateDir)");
        return -1;
    }
    review_publish(p, doc);
    return 0;
}

const char *
review_node_state(struct proxy *p, const char *uri, const char *name)
{
    struct review *r = p->review;
    struct entry *e = r ? entry_get(r, uri, name, false) : NULL;
    if (e == NULL)
        return "unreviewed";
    switch (e->state) {
    case ENTRY_FAITHFUL: return "faithful";
    case ENTRY_FINDINGS:
        for (size_t i = 0; i < e->nfindings; i++)
            if (!finding_dismissed(r, e, e->findings[i].code))
                return "findings";
        return "dismissed";
    default: return "unreviewed";
    }
}

void
review_foreach_finding(struct proxy *p, const char *uri, const char *name,
                       void (*fn)(const char *code, void *arg), void *arg)
{
    struct review *r = p->review;
    struct entry *e = entry_get(r, uri, name, false);
    if (e == NULL || e->state != ENTRY_FINDINGS)
        return;
    for (size_t i = 0; i < e->nfindings; i++)
        if (!finding_dismissed(r, e, e->findings[i].code))
            fn(e->findings[i].code, arg);
}

bool
review_open_findings(struct proxy *p, struct document *doc)
{
    struct review *r = p->review;
    const char *uri = document_uri(doc);
    for (struct entry *e = r->entries; e; e = e->next)
        if (strcmp(e->uri, uri) == 0 && strcmp(review_node_state(p, uri, e->name), "findings") == 0)
            return true;
    return false;
}

/* ---- statement repair ---- */

bool
review_has_findings(struct proxy *p, const char *uri, const char *name)
{
    struct entry *e = entry_get(p->review, uri, name, false);
    return e && e->state == ENTRY_FINDINGS && e->nfindings > 0;
}

/* The file in scope, target and LaTeX parts shared by both prompts. */
static void
add_sources(struct proxy *p, struct buf *b, const struct document *doc, const struct analysis *a,
            const struct analysis_node *node, const char *latex)
{
    struct context *c = context_new(doc, a, node, REVIEW_CONTEXT_MAX);
    char *target = review_target(p->review, node->label);
    if (target)
        buf_addf(b, "The canonical target (from the problem file):\n%s\n\n", target);
    if (latex || c->latex_statement)
        buf_addf(b, "The LaTeX statement of the blueprint node:\n%s\n\n",
                 latex ? latex : c->latex_statement);
    buf_addf(b, "The definitions and statements in scope before it:\n```lean\n%s```\n", c->file);
    free(target);
    context_free(c);
}

char *
review_fix_prompt(struct proxy *p, const struct document *doc, const struct analysis *a,
                  const struct analysis_node *node)
{
    struct entry *e = entry_get(p->review, document_uri(doc), node->name, false);
    char *statement = context_statement(doc, node);
    struct buf b;
    buf_init(&b, 0);
    buf_addf(&b, "Propose a corrected statement of `%s`.\n\nIts Lean statement now:\n```lean\n%s\n"
                 "```\n\nThe reviewer's findings:\n",
             node->name, statement);
    for (size_t i = 0; e && i < e->nfindings; i++) {
        buf_addf(&b, "- %s: %s", e->findings[i].code + 7, e->findings[i].explanation);
        if (e->findings[i].suggestion)
            buf_addf(&b, " (suggested: %s)", e->findings[i].suggestion);
        buf_addch(&b, '\n');
    }
    buf_addch(&b, '\n');
    add_sources(p, &b, doc, a, node, NULL);
    free(statement);
    return buf_detach(&b, NULL);
}

char *
review_candidate_prompt(struct proxy *p, const struct document *doc, const struct analysis *a,
                        const struct analysis_node *node, const char *lean, const char *latex)
{
    struct buf b;
    buf_init(&b, 0);
    buf_addf(&b, "Review the corrected statement of `%s`.\n\nThe Lean statement (the proof is "
                 "not your concern):\n```lean\n%s\n```\n\n",
             node->name, lean);
    add_sources(p, &b, doc, a, node, latex);
    return buf_detach(&b, NULL);
}

int
review_candidate_verdict(const char *text, size_t len, char **why)
{
    struct verdict v;
    char err[256];
    *why = NULL;
    if (verdict_parse(text, len, &v, err, sizeof err) < 0) {
        *why = xstrdup(err);
        return -1;
    }
    if (v.faithful) {
        verdict_release(&v);
        return 1;
    }
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < v.nfindings; i++)
        buf_addf(&b, "%s- %s: %s", i ? "\n" : "", verdict_code(v.findings[i].category) + 7,
                 v.findings[i].explanation);
    verdict_release(&v);
    *why = buf_detach(&b, NULL);
    return 0;
}

struct statedir *
review_statedir_of(struct proxy *p, const struct document *doc)
{
    return review_statedir(p->review, doc);
}
