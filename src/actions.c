/* actions: marathon.* commands and the proxy's code actions. */
#include "actions.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents.h"
#include "analysis.h"
#include "buf.h"
#include "diagnostics.h"
#include "documents.h"
#include "jsonrpc.h"
#include "lean_server.h"
#include "proxy.h"
#include "review.h"
#include "workspace.h"
#include "xalloc.h"

static const char actions_commands[] =
    "[\"marathon.dag\",\"marathon.prove\",\"marathon.repair\",\"marathon.proveLeaves\","
    "\"marathon.review\",\"marathon.cancel\",\"marathon.dismiss\",\"marathon.fixStatement\","
    "\"marathon.status\"]";

const char *
actions_commands_json(void)
{
    return actions_commands;
}

bool
actions_is_own_command(struct jspan command)
{
    return jscan_type(command) == JSCAN_STRING && command.len > 10 &&
           memcmp(command.p, "\"marathon.", 10) == 0;
}

/* The single argument object of an executeCommand, or an empty span. */
static struct jspan
actions_argument(struct jspan params)
{
    struct jspan args, first = {NULL, 0};
    size_t pos = 0;
    if (jscan_get(params, "arguments", &args) && jscan_type(args) == JSCAN_ARRAY)
        jscan_next(args, &pos, NULL, &first);
    return first;
}

/* Finds the open document named by the argument's "uri"; replies with an error if none. */
static struct document *
actions_document(struct proxy *p, struct jspan id, struct jspan arg, const char *command)
{
    struct jspan uri;
    if (!jscan_get(arg, "uri", &uri) || jscan_type(uri) != JSCAN_STRING) {
        char *msg = xasprintf("%s needs one argument object with a \"uri\" string", command);
        proxy_reply_error(p, id, JSONRPC_INVALID_PARAMS, msg);
        free(msg);
        return NULL;
    }
    char *u = jscan_strdup(uri);
    struct document *doc = documents_get(p->docs, u);
    if (doc == NULL) {
        char *msg = xasprintf("%s: %s is not open in the editor; open it first", command, u);
        proxy_reply_error(p, id, JSONRPC_INVALID_PARAMS, msg);
        free(msg);
    }
    free(u);
    return doc;
}

/* The open document named by the argument's "uri", or NULL (no reply). */
static struct document *
actions_document_quiet(struct proxy *p, struct jspan arg)
{
    struct jspan uri;
    if (!jscan_get(arg, "uri", &uri))
        return NULL;
    char *u = jscan_strdup(uri);
    struct document *doc = u ? documents_get(p->docs, u) : NULL;
    free(u);
    return doc;
}

struct actions_status_ctx {
    struct proxy *p;
    struct buf *b;
    bool first;
};

static void
actions_status_doc(struct document *doc, void *arg)
{
    struct actions_status_ctx *ctx = arg;
    struct analysis *a = workspace_analysis(ctx->p, doc);
    const char *uri = document_uri(doc);
    const char *profile = bp_profile_name(analysis_profile(a));
    if (!ctx->first)
        buf_addch(ctx->b, ',');
    ctx->first = false;
    buf_adds(ctx->b, "{\"uri\":");
    buf_add_json_string(ctx->b, uri, strlen(uri));
    buf_addf(ctx->b, ",\"version\":%ld,\"blueprint\":%s,\"profile\":", document_version(doc),
             analysis_is_blueprint(a) ? "true" : "false");
    buf_add_json_string(ctx->b, profile, strlen(profile));
    buf_addf(ctx->b, ",\"nodes\":%zu,\"findings\":%zu}", analysis_node_count(a),
             analysis_finding_count(a));
}

static void
actions_status(struct proxy *p, struct jspan id)
{
    struct buf b;
    buf_init(&b, 0);
    const char *model = p->cfg.llm_model;
    const char *lean = lean_server_state_name(lean_server_state(p->lean));
    const char *prov = config_llm_provider(&p->cfg);
    buf_adds(&b, "{\"jobs\":");
    agents_status_json(p, &b);
    buf_adds(&b, ",\"lean\":");
    buf_add_json_string(&b, lean, strlen(lean));
    buf_adds(&b, ",\"llm\":{\"provider\":");
    buf_add_json_string(&b, prov, strlen(prov));
    buf_adds(&b, ",\"model\":");
    if (model)
        buf_add_json_string(&b, model, strlen(model));
    else
        buf_adds(&b, "null");
    buf_adds(&b, ",");
    agents_llm_json(p, &b);
    buf_addf(&b, "},\"restarts\":%u,\"documents\":[", lean_server_restarts(p->lean));
    struct actions_status_ctx ctx = {p, &b, true};
    documents_foreach(p->docs, actions_status_doc, &ctx);
    buf_adds(&b, "]}");
    proxy_reply(p, id, b.data);
    buf_release(&b);
}

static void
actions_dag(struct proxy *p, struct jspan id, struct jspan arg)
{
    struct document *doc = actions_document(p, id, arg, "marathon.dag");
    if (doc == NULL)
        return;
    struct analysis *a = workspace_analysis(p, doc);
    char *json = analysis_dag_json(a, document_uri(doc), document_version(doc));
    /* the nodes' review fields come from the review state */
    cJSON *dag = cJSON_Parse(json);
    cJSON *node;
    cJSON_ArrayForEach(node, cJSON_GetObjectItemCaseSensitive(dag, "nodes"))
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "name"));
        if (name)
            cJSON_ReplaceItemInObjectCaseSensitive(
                node, "review",
                cJSON_CreateString(review_node_state(p, document_uri(doc), name)));
    }
    char *out = dag ? cJSON_PrintUnformatted(dag) : NULL;
    proxy_reply(p, id, out ? out : json);
    cJSON_free(out);
    cJSON_Delete(dag);
    free(json);
}

/* Checks that the argument names a node of an open document; replies with an error if not. */
static const struct analysis_node *
actions_node(struct proxy *p, struct jspan id, struct jspan arg, const char *command)
{
    struct document *doc = actions_document(p, id, arg, command);
    if (doc == NULL)
        return NULL;
    struct jspan name;
    if (!jscan_get(arg, "name", &name) || jscan_type(name) != JSCAN_STRING) {
        char *msg = xasprintf("%s needs {\"uri\", \"name\"}: the node's Lean name", command);
        proxy_reply_error(p, id, JSONRPC_INVALID_PARAMS, msg);
        free(msg);
        return NULL;
    }
    char *n = jscan_strdup(name);
    const struct analysis_node *node = analysis_node_by_name(workspace_analysis(p, doc), n);
    if (node == NULL) {
        char *msg = xasprintf("%s: no declaration `%s` in %s", command, n, document_uri(doc));
        proxy_reply_error(p, id, JSONRPC_INVALID_PARAMS, msg);
        free(msg);
    }
    free(n);
    return node;
}

/* marathon.prove / marathon.repair: {jobId} at once, the job runs on. */
static void
actions_start_job(struct proxy *p, struct jspan id, struct jspan arg, const char *cmd,
                  enum agents_kind kind)
{
    const struct analysis_node *node = actions_node(p, id, arg, cmd);
    if (node == NULL)
        return;
    struct document *doc = actions_document_quiet(p, arg);
    char *err = NULL;
    char *name = xstrdup(node->name);
    const char *job = agents_start(p, doc, name, kind, true, &err);
    free(name);
    if (job == NULL) {
        char *msg = xasprintf("%s: %s", cmd, err);
        proxy_reply_error(p, id, JSONRPC_INVALID_PARAMS, msg);
        free(msg);
        free(err);
        return;
    }
    char res[64];
    snprintf(res, sizeof res, "{\"jobId\":\"%s\"}", job);
    proxy_reply(p, id, res);
}

/* marathon.proveLeaves: a prove job per dynamic leaf. */
static void
actions_start_leaves(struct proxy *p, struct jspan id, struct document *doc)
{
    struct analysis *a = workspace_analysis(p, doc);
    size_t n = analysis_node_count(a);
    char **leaves = xcalloc(n + 1, sizeof *leaves);
    size_t nleaves = 0;
    for (size_t i = 0; i < n; i++)
        if (analysis_node(a, i)->leaf)
            leaves[nleaves++] = xstrdup(analysis_node(a, i)->name);
    struct buf b;
    buf_init(&b, 0);
    buf_adds(&b, "{\"jobIds\":[");
    size_t started = 0;
    for (size_t i = 0; i < nleaves; i++) {
        char *err = NULL;
        const char *job = agents_start(p, doc, leaves[i], AGENTS_KIND_PROVE, true, &err);
        if (job)
            buf_addf(&b, "%s\"%s\"", started++ ? "," : "", job);
        free(err);
        free(leaves[i]);
    }
    free(leaves);
    buf_adds(&b, "]}");
    proxy_reply(p, id, b.data);
    buf_release(&b);
}

#define ACTIONS_PROVE_ANYWAY "Prove anyway"

struct leaves_ask {
    char *id;  /* the command's raw request id */
    char *uri;
};

static void
actions_leaves_answer(struct proxy *p, const struct jsonrpc_msg *m, void *arg)
{
    struct leaves_ask *ask = arg;
    struct jspan id = {ask->id, strlen(ask->id)};
    struct jspan title;
    struct document *doc = documents_get(p->docs, ask->uri);
    bool go = m && m->result.p && jscan_get(m->result, "title", &title) &&
              jscan_string_eq(title, ACTIONS_PROVE_ANYWAY);
    if (m == NULL) {
        /* the proxy is stopping: the editor gets no answer either way */
    } else if (go && doc) {
        actions_start_leaves(p, id, doc);
    } else {
        proxy_reply(p, id,
                    "{\"jobIds\":[],\"declined\":true,\"message\":\"theorems of this file have "
                    "open review findings: fix or dismiss them first (stage one before stage "
                    "two), or prove anyway\"}");
    }
    free(ask->id);
    free(ask->uri);
    free(ask);
}

/* marathon.proveLeaves {uri, force?}: while theorems have open review findings, asks the
 * person first (window/showMessageRequest) unless force. */
static void
actions_prove_leaves(struct proxy *p, struct jspan id, struct jspan arg)
{
    struct document *doc = actions_document(p, id, arg, "marathon.proveLeaves");
    if (doc == NULL)
        return;
    struct jspan v;
    bool force = jscan_get(arg, "force", &v) && jscan_is_true(v);
    if (force || !review_open_findings(p, doc)) {
        actions_start_leaves(p, id, doc);
        return;
    }
    struct leaves_ask *ask = xcalloc(1, sizeof *ask);
    ask->id = xstrndup(id.p, id.len);
    ask->uri = xstrdup(document_uri(doc));
    struct buf b;
    buf_init(&b, 0);
    buf_adds(&b, "{\"type\":2,\"message\":\"lsp-proxy: theorems of this file have open "
                 "review findings: their statements may not be what the paper means. Prove the "
                 "dynamic leaves anyway?\",\"actions\":[{\"title\":\"" ACTIONS_PROVE_ANYWAY
                 "\"},{\"title\":\"Review first\"}]}");
    if (proxy_request(p, false, "window/showMessageRequest", b.data, actions_leaves_answer, ask) ==
        0) {
        free(ask->id);
        free(ask->uri);
        free(ask);
        actions_start_leaves(p, id, doc);
    }
    buf_release(&b);
}

/* marathon.review {uri, name?, force?}: {jobIds, jobId (the first or null), reviewed}. */
static void
actions_review(struct proxy *p, struct jspan id, struct jspan arg)
{
    struct document *doc = actions_document(p, id, arg, "marathon.review");
    if (doc == NULL)
        return;
    struct jspan v;
    char *name = jscan_get(arg, "name", &v) && jscan_type(v) == JSCAN_STRING ? jscan_strdup(v)
                                                                              : NULL;
    bool force = jscan_get(arg, "force", &v) && jscan_is_true(v);
    struct buf ids;
    buf_init(&ids, 0);
    char *err = NULL;
    int n = review_run(p, doc, name, force, &ids, &err);
    if (n < 0) {
        char *msg = xasprintf("marathon.review: %s", err);
        proxy_reply_error(p, id, JSONRPC_INVALID_PARAMS, msg);
        free(msg);
    } else {
        struct buf b;
        buf_init(&b, 0);
        buf_addf(&b, "{\"jobIds\":[%s],\"jobId\":", ids.len ? ids.data : "");
        if (ids.len) {
            const char *comma = strchr(ids.data, ',');
            buf_add(&b, ids.data, comma ? (size_t)(comma - ids.data) : ids.len);
        } else {
            buf_adds(&b, "null");
        }
        buf_addf(&b, ",\"reviewed\":%d}", n);
        proxy_reply(p, id, b.data);
        buf_release(&b);
    }
    free(err);
    free(name);
    buf_release(&ids);
}

/* marathon.dismiss {uri, name, code}: {}. */
static void
actions_dismiss(struct proxy *p, struct jspan id, struct jspan arg)
{
    const struct analysis_node *node = actions_node(p, id, arg, "marathon.dismiss");
    if (node == NULL)
        return;
    struct document *doc = actions_document_quiet(p, arg);
    struct jspan v;
    char *code = jscan_get(arg, "code", &v) && jscan_type(v) == JSCAN_STRING ? jscan_strdup(v)
                                                                              : NULL;
    if (code == NULL) {
        proxy_reply_error(p, id, JSONRPC_INVALID_PARAMS,
                          "marathon.dismiss needs {\"uri\", \"name\", \"code\"}: the finding's "
                          "code, e.g. \"review.too-weak\"");
        return;
    }
    char *err = NULL;
    char *name = xstrdup(node->name);
    if (review_dismiss(p, doc, name, code, &err) < 0) {
        char *msg = xasprintf("marathon.dismiss: %s", err);
        proxy_reply_error(p, id, JSONRPC_INVALID_PARAMS, msg);
        free(msg);
    } else {
        proxy_reply(p, id, "{}");
    }
    free(err);
    free(name);
    free(code);
}

void
actions_execute(struct proxy *p, struct jspan id, struct jspan params)
{
    struct jspan command;
    jscan_get(params, "command", &command);
    char *cmd = jscan_strdup(command);
    struct jspan arg = actions_argument(params);
    if (strcmp(cmd, "marathon.status") == 0) {
        actions_status(p, id);
    } else if (strcmp(cmd, "marathon.dag") == 0) {
        actions_dag(p, id, arg);
    } else if (strcmp(cmd, "marathon.prove") == 0 || strcmp(cmd, "marathon.repair") == 0) {
        actions_start_job(p, id, arg, cmd,
                          strcmp(cmd, "marathon.repair") == 0 ? AGENTS_KIND_REPAIR
                                                              : AGENTS_KIND_PROVE);
    } else if (strcmp(cmd, "marathon.fixStatement") == 0) {
        actions_start_job(p, id, arg, cmd, AGENTS_KIND_FIX);
    } else if (strcmp(cmd, "marathon.proveLeaves") == 0) {
        actions_prove_leaves(p, id, arg);
    } else if (strcmp(cmd, "marathon.review") == 0) {
        actions_review(p, id, arg);
    } else if (strcmp(cmd, "marathon.cancel") == 0) {
        struct jspan job;
        char *jid = jscan_get(arg, "jobId", &job) ? jscan_strdup(job) : NULL;
        char res[48];
        snprintf(res, sizeof res, "{\"cancelled\":%d}", agents_cancel(p, jid));
        free(jid);
        proxy_reply(p, id, res);
    } else if (strcmp(cmd, "marathon.dismiss") == 0) {
        actions_dismiss(p, id, arg);
    } else {
        char *msg =
            xasprintf("unknown command `%s`; lsp-proxy knows %s", cmd, actions_commands_json());
        proxy_reply_error(p, id, JSONRPC_INVALID_PARAMS, msg);
        free(msg);
    }
    free(cmd);
}

/* Reads an LSP range object. */
static bool
actions_read_range(struct jspan v, struct lsp_range *r)
{
    struct jspan x;
    long long a, b, c, d;
    if (!jscan_path(v, "start.line", &x) || !jscan_int(x, &a) ||
        !jscan_path(v, "start.character", &x) || !jscan_int(x, &b) ||
        !jscan_path(v, "end.line", &x) || !jscan_int(x, &c) ||
        !jscan_path(v, "end.character", &x) || !jscan_int(x, &d) || a < 0 || b < 0 || c < 0 ||
        d < 0)
        return false;
    r->start.line = (uint32_t)a;
    r->start.character = (uint32_t)b;
    r->end.line = (uint32_t)c;
    r->end.character = (uint32_t)d;
    return true;
}

/* True when context.only (if present) admits kind. */
static bool
actions_kind_wanted(struct jspan params, const char *kind)
{
    struct jspan only, k;
    if (!jscan_path(params, "context.only", &only) || jscan_type(only) != JSCAN_ARRAY)
        return true;
    size_t pos = 0;
    while (jscan_next(only, &pos, NULL, &k)) {
        char *s = jscan_strdup(k);
        size_t n = s ? strlen(s) : 0;
        bool match = s && strncmp(kind, s, n) == 0 && (kind[n] == '\0' || kind[n] == '.');
        free(s);
        if (match)
            return true;
    }
    return false;
}

/* True when the request's context carries a diagnostic inside the node's range. */
static bool
actions_has_diagnostic(struct jspan params, const struct analysis_node *node)
{
    struct jspan diags, d, r;
    size_t pos = 0;
    if (!jscan_path(params, "context.diagnostics", &diags))
        return false;
    while (jscan_next(diags, &pos, NULL, &d)) {
        struct lsp_range range;
        if (jscan_get(d, "range", &r) && actions_read_range(r, &range) &&
            lsp_range_overlaps(range, node->range))
            return true;
    }
    return false;
}

/* Appends a code action running command with {uri, name, EXTRA} (extra: JSON members, or
 * NULL). */
static void
actions_add_with(struct buf *out, int *count, const char *title, const char *kind,
                 const char *command, const char *uri, const char *name, const char *extra)
{
    struct buf args;
    buf_init(&args, 0);
    buf_adds(&args, "{\"uri\":");
    buf_add_json_string(&args, uri, strlen(uri));
    if (name) {
        buf_adds(&args, ",\"name\":");
        buf_add_json_string(&args, name, strlen(name));
    }
    if (extra)
        buf_addf(&args, ",%s", extra);
    buf_addch(&args, '}');
    if (out->len)
        buf_addch(out, ',');
    buf_adds(out, "{\"title\":");
    buf_add_json_string(out, title, strlen(title));
    buf_adds(out, ",\"kind\":");
    buf_add_json_string(out, kind, strlen(kind));
    buf_adds(out, ",\"command\":{\"title\":");
    buf_add_json_string(out, title, strlen(title));
    buf_adds(out, ",\"command\":");
    buf_add_json_string(out, command, strlen(command));
    buf_addf(out, ",\"arguments\":[%s]},\"data\":{\"source\":\"marathon\",\"command\":", args.data);
    buf_add_json_string(out, command, strlen(command));
    buf_addf(out, ",\"arguments\":[%s]}}", args.data);
    buf_release(&args);
    (*count)++;
}

static void
actions_add(struct buf *out, int *count, const char *title, const char *kind, const char *command,
            const char *uri, const char *name)
{
    actions_add_with(out, count, title, kind, command, uri, name, NULL);
}

struct review_actions {
    struct buf *out;
    int *count;
    const char *uri, *name;
};

static void
actions_add_dismiss(const char *code, void *arg)
{
    struct review_actions *ra = arg;
    char *title = xasprintf("Dismiss review finding (%s)", code);
    char *extra = xasprintf("\"code\":\"%s\"", code);
    actions_add_with(ra->out, ra->count, title, "quickfix", "marathon.dismiss", ra->uri, ra->name,
                     extra);
    free(extra);
    free(title);
}

int
actions_code_actions(struct proxy *p, struct jspan params, struct buf *out)
{
    struct jspan uri_span, range_span;
    struct lsp_range range;
    if (!jscan_path(params, "textDocument.uri", &uri_span) ||
        !jscan_get(params, "range", &range_span) || !actions_read_range(range_span, &range))
        return 0;
    char *uri = jscan_strdup(uri_span);
    struct document *doc = uri ? documents_get(p->docs, uri) : NULL;
    int count = 0;
    if (doc == NULL)
        goto out;
    struct analysis *a = workspace_analysis(p, doc);
    const struct analysis_node *node = analysis_node_at(a, range.start);
    if (node == NULL || node->kind == ANALYSIS_KIND_DEFINITION)
        goto out;
    const char *kind = actions_has_diagnostic(params, node) ? "quickfix" : "refactor.rewrite";
    if (!actions_kind_wanted(params, kind))
        goto out;
    char *edit = agents_proposal_edit(p, doc, node->name);
    if (edit) {
        char *t = xasprintf("Apply proof found for `%s`", node->name);
        if (out->len)
            buf_addch(out, ',');
        buf_adds(out, "{\"title\":");
        buf_add_json_string(out, t, strlen(t));
        buf_addf(out,
                 ",\"kind\":\"%s\",\"isPreferred\":true,\"edit\":%s,"
                 "\"data\":{\"source\":\"marathon\",\"apply\":",
                 kind, edit);
        buf_add_json_string(out, node->name, strlen(node->name));
        buf_adds(out, "}}");
        count++;
        free(t);
        free(edit);
    }
    char *title = NULL;
    if (node->status == ANALYSIS_STATUS_SORRY) {
        title = xasprintf("Prove `%s` with agent", node->name);
        actions_add(out, &count, title, kind, "marathon.prove", uri, node->name);
        if (node->leaf)
            actions_add(out, &count, "Prove all dynamic leaves", kind, "marathon.proveLeaves", uri,
                        NULL);
    } else if (node->status == ANALYSIS_STATUS_ERROR) {
        title = xasprintf("Repair `%s` with agent", node->name);
        actions_add(out, &count, title, kind, "marathon.repair", uri, node->name);
    }
    free(title);
    const char *state = review_node_state(p, uri, node->name);
    if (strcmp(state, "findings") == 0 || strcmp(state, "dismissed") == 0) {
        struct review_actions ra = {out, &count, uri, node->name};
        review_foreach_finding(p, uri, node->name, actions_add_dismiss, &ra);
        actions_add_with(out, &count, "Re-run review", kind, "marathon.review", uri, node->name,
                         "\"force\":true");
        actions_add(out, &count, "Propose a corrected statement", kind, "marathon.fixStatement",
                    uri, node->name);
    }
    char *stmt = NULL;
    char *sedit = agents_statement_edit(p, doc, node->name, &stmt);
    if (sedit) {
        /* the person reads the new statement in the title before taking it */
        char *t = xasprintf("Apply corrected statement of `%s`: %.300s", node->name, stmt);
        if (out->len)
            buf_addch(out, ',');
        buf_adds(out, "{\"title\":");
        buf_add_json_string(out, t, strlen(t));
        buf_addf(out, ",\"kind\":\"%s\",\"edit\":%s,\"data\":{\"source\":\"marathon\",\"statement\":",
                 kind, sedit);
        buf_add_json_string(out, node->name, strlen(node->name));
        buf_adds(out, "}}");
        count++;
        free(t);
    }
    free(sedit);
    free(stmt);
out:
    free(uri);
    return count;
}

bool
actions_is_own_action(struct jspan params)
{
    struct jspan source;
    return jscan_path(params, "data.source", &source) && jscan_string_eq(source, "marathon");
}

void
actions_resolve(struct proxy *p, struct jspan id, struct jspan params)
{
    /* The proxy's actions are complete when offered (they carry their command). */
    char *action = xstrndup(params.p, params.len);
    proxy_reply(p, id, action);
    free(action);
}
