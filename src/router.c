/* router: message routing between the editor and Lean, with the proxy's own additions. */
#include "router.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <ev.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "actions.h"
#include "agents.h"
#include "buf.h"
#include "diagnostics.h"
#include "documents.h"
#include "idmap.h"
#include "jsonrpc.h"
#include "lean_server.h"
#include "log.h"
#include "proxy.h"
#include "review.h"
#include "shadow.h"
#include "transport.h"
#include "workspace.h"
#include "xalloc.h"

/* An editor request in flight to Lean. */
struct pending {
    char method[JSONRPC_METHOD_MAX];
    char *params; /* raw params, kept for textDocument/codeAction only */
};

struct router {
    struct proxy p;  /* first: router and proxy pointers convert */
    char *replay_id; /* id of the replayed initialize after a restart */
    char *init_body; /* the editor's initialize request, raw (for a restart before its reply) */
    char *init_id;   /* raw id text of the editor's initialize */
    char *config_id; /* id of our pending workspace/configuration request */
    /* The settings before any editor settings (defaults, files, environment,
     * initializationOptions). Each editor answer carries the whole "marathon" section, so it
     * is applied on a copy of this: a setting the user removes falls back to the base. */
    struct config cfg_base;
    ev_signal sigterm;
    ev_signal sigint;
};

/* A request the proxy sent, waiting for its response. */
struct own_request {
    proxy_response_cb *cb;
    void *arg;
};

static struct router *
router_of(struct proxy *p)
{
    return (struct router *)p;
}

static void
pending_free(void *v)
{
    struct pending *pd = v;
    if (pd) {
        free(pd->params);
        free(pd);
    }
}

/* ---- sending ---- */

void
proxy_to_editor(struct proxy *p, const char *body, size_t len)
{
    if (p->editor && !transport_is_closed(p->editor)) {
        transport_send(p->editor, body, len);
        p->messages_out++;
    }
}

int
proxy_to_lean(struct proxy *p, const char *body, size_t len)
{
    return lean_server_send(p->lean, body, len);
}

void
proxy_show_message(struct proxy *p, int type, const char *fmt, ...)
{
    struct buf msg, body;
    va_list ap;
    buf_init(&msg, 0);
    buf_init(&body, 0);
    va_start(ap, fmt);
    buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    buf_addf(&body,
             "{\"jsonrpc\":\"2.0\",\"method\":\"window/showMessage\",\"params\":{\"type\":%d,"
             "\"message\":",
             type);
    buf_add_json_string(&body, msg.data, msg.len);
    buf_adds(&body, "}}");
    proxy_to_editor(p, body.data, body.len);
    buf_release(&msg);
    buf_release(&body);
}

void
proxy_publish(struct proxy *p, const char *uri)
{
    struct buf b;
    buf_init(&b, 0);
    diagnostics_write_publish(p->diags, uri, &b);
    proxy_to_editor(p, b.data, b.len);
    buf_release(&b);
}

void
proxy_reply(struct proxy *p, struct jspan id, const char *result_json)
{
    struct buf b;
    buf_init(&b, 0);
    jsonrpc_write_result(&b, id, result_json);
    proxy_to_editor(p, b.data, b.len);
    buf_release(&b);
}

void
proxy_reply_error(struct proxy *p, struct jspan id, int code, const char *message)
{
    struct buf b;
    buf_init(&b, 0);
    jsonrpc_write_error(&b, id, code, message);
    proxy_to_editor(p, b.data, b.len);
    buf_release(&b);
}

/* The raw id text of the proxy's request number n. */
static int
router_own_key(unsigned long n, char *key, size_t size)
{
    return snprintf(key, size, "\"%s%lu\"", JSONRPC_PROXY_ID_PREFIX, n);
}

unsigned long
proxy_request(struct proxy *p, bool to_lean, const char *method, const char *params_json,
              proxy_response_cb *cb, void *arg)
{
    char id[48], key[64];
    unsigned long n = ++p->next_id;
    snprintf(id, sizeof id, "%s%lu", JSONRPC_PROXY_ID_PREFIX, n);
    struct buf b;
    buf_init(&b, 0);
    jsonrpc_write_request(&b, id, method, params_json);
    int rc = 0;
    if (to_lean) {
        if (p->phase != PROXY_LEAN_UP)
            rc = -EAGAIN;
        else
            rc = proxy_to_lean(p, b.data, b.len);
    } else if (p->editor == NULL || transport_is_closed(p->editor)) {
        rc = -EPIPE;
    } else {
        proxy_to_editor(p, b.data, b.len);
    }
    buf_release(&b);
    if (rc < 0)
        return 0;
    struct own_request *o = xcalloc(1, sizeof *o);
    o->cb = cb;
    o->arg = arg;
    int klen = router_own_key(n, key, sizeof key);
    free(idmap_put(to_lean ? p->own_lean : p->own_editor, key, (size_t)klen, o));
    return n;
}

void
proxy_request_forget(struct proxy *p, unsigned long n)
{
    char key[64];
    if (n == 0)
        return;
    int klen = router_own_key(n, key, sizeof key);
    free(idmap_take(p->own_lean, key, (size_t)klen));
    free(idmap_take(p->own_editor, key, (size_t)klen));
}

void
proxy_notify(struct proxy *p, bool to_lean, const char *method, const char *params_json)
{
    struct buf b;
    buf_init(&b, 0);
    jsonrpc_write_notification(&b, method, params_json);
    if (to_lean)
        proxy_to_lean(p, b.data, b.len);
    else
        proxy_to_editor(p, b.data, b.len);
    buf_release(&b);
}

/* Hands a response to the callback of the proxy's request it answers (if any). */
static void
router_own_dispatch(struct proxy *p, struct idmap *map, const struct jsonrpc_msg *m)
{
    struct own_request *o = idmap_take(map, m->id.p, m->id.len);
    if (o == NULL)
        return;
    proxy_response_cb *cb = o->cb;
    void *arg = o->arg;
    free(o);
    if (cb)
        cb(p, m, arg);
}

/* Fails a request of the proxy's that will not be answered (idmap_drain callback). */
static void
router_own_fail(const char *key, size_t len, void *value, void *arg)
{
    struct own_request *o = value;
    (void)key;
    (void)len;
    if (o->cb)
        o->cb(arg, NULL, o->arg);
    free(o);
}

/* Replies to a Lean request on the editor's behalf. */
static void
router_reply_to_lean(struct proxy *p, struct jspan id, const char *result_json)
{
    struct buf b;
    buf_init(&b, 0);
    jsonrpc_write_result(&b, id, result_json);
    proxy_to_lean(p, b.data, b.len);
    buf_release(&b);
}

/* ---- holding editor messages while Lean restarts ---- */

static void
router_hold(struct proxy *p, const char *body, size_t len)
{
    p->held = xreallocarray(p->held, p->nheld + 1, sizeof *p->held);
    buf_init(&p->held[p->nheld], 0);
    buf_add(&p->held[p->nheld], body, len);
    p->nheld++;
}

static void router_editor_message(struct proxy *p, const char *body, size_t len);
static struct document *router_doc_of(struct proxy *p, struct jspan params, const char *path);

/* Sends (or, with fail set, fails) every held message. */
static void
router_release_held(struct proxy *p, bool fail, const char *why)
{
    struct buf *held = p->held;
    size_t n = p->nheld;
    p->held = NULL;
    p->nheld = 0;
    for (size_t i = 0; i < n; i++) {
        if (fail) {
            struct jsonrpc_msg m;
            jsonrpc_parse(held[i].data, held[i].len, &m);
            if (m.kind == JSONRPC_REQUEST)
                proxy_reply_error(p, m.id, LEAN_WORKER_EXITED, why);
        } else {
            router_editor_message(p, held[i].data, held[i].len);
        }
        buf_release(&held[i]);
    }
    free(held);
}

/* ---- editor -> Lean ---- */

/* Records what the editor's initialize says about the client. */
static void
router_read_initialize(struct proxy *p, struct jspan params)
{
    struct jspan v;
    free(p->init_params);
    p->init_params = xstrndup(params.p, params.len);
    p->client_incremental =
        jscan_path(params, "capabilities.lean.incrementalDiagnosticSupport", &v) &&
        jscan_is_true(v);
    p->client_document_changes =
        jscan_path(params, "capabilities.workspace.workspaceEdit.documentChanges", &v) &&
        jscan_is_true(v);
    p->client_configuration =
        jscan_path(params, "capabilities.workspace.configuration", &v) && jscan_is_true(v);
    p->client_work_done_progress =
        jscan_path(params, "capabilities.window.workDoneProgress", &v) && jscan_is_true(v);
    if (jscan_path(params, "initializationOptions.marathon", &v)) {
        cJSON *obj = cJSON_ParseWithLength(v.p, v.len);
        struct buf problems;
        buf_init(&problems, 0);
        config_apply_json(&p->cfg, obj, "initializationOptions.marathon", &problems);
        if (problems.len)
            proxy_show_message(p, 2, "lsp-proxy settings: %s", problems.data);
        buf_release(&problems);
        cJSON_Delete(obj);
    }
    struct router *r = router_of(p);
    config_release(&r->cfg_base);
    config_copy(&r->cfg_base, &p->cfg);
}

/* didOpen: mirror the document. Returns it, or NULL when the params are unusable. */
static struct document *
router_did_open(struct proxy *p, struct jspan params)
{
    struct jspan td, uri, text, ver, lang, mode;
    long long version = 0;
    if (!jscan_get(params, "textDocument", &td) || !jscan_get(td, "uri", &uri) ||
        !jscan_get(td, "text", &text) || jscan_type(text) != JSCAN_STRING)
        return NULL;
    if (jscan_get(td, "version", &ver))
        jscan_int(ver, &version);
    char *u = jscan_strdup(uri);
    char *l = jscan_get(td, "languageId", &lang) ? jscan_strdup(lang) : NULL;
    char *m = jscan_get(params, "dependencyBuildMode", &mode) ? xstrndup(mode.p, mode.len) : NULL;
    struct buf t;
    buf_init(&t, 0);
    jscan_string(text, &t);
    struct document *doc = NULL;
    if (u) {
        doc = documents_open(p->docs, u, l, (long)version, t.data ? t.data : "", t.len, m);
        log_debug("router", "opened %s (version %lld, %zu bytes)", u, version, t.len);
    }
    buf_release(&t);
    free(u);
    free(l);
    free(m);
    return doc;
}

static bool
router_read_pos(struct jspan v, struct lsp_pos *pos)
{
    struct jspan l, c;
    long long line, ch;
    if (!jscan_get(v, "line", &l) || !jscan_get(v, "character", &c) || !jscan_int(l, &line) ||
        !jscan_int(c, &ch) || line < 0 || ch < 0)
        return false;
    pos->line = (uint32_t)line;
    pos->character = (uint32_t)ch;
    return true;
}

/* didChange: apply every change to the mirror. */
static struct document *
router_did_change(struct proxy *p, struct jspan params)
{
    struct jspan uri, ver, changes, ch;
    if (!jscan_path(params, "textDocument.uri", &uri) ||
        !jscan_get(params, "contentChanges", &changes))
        return NULL;
    char *u = jscan_strdup(uri);
    struct document *doc = u ? documents_get(p->docs, u) : NULL;
    if (doc == NULL) {
        log_warn("router", "didChange for %s, which is not open; ignored", u ? u : "?");
        free(u);
        return NULL;
    }
    free(u);
    long long version = 0;
    if (jscan_path(params, "textDocument.version", &ver))
        jscan_int(ver, &version);
    size_t pos = 0;
    struct buf t;
    buf_init(&t, 0);
    while (jscan_next(changes, &pos, NULL, &ch)) {
        struct jspan text, range, start, end;
        if (!jscan_get(ch, "text", &text))
            continue;
        buf_reset(&t);
        jscan_string(text, &t);
        if (jscan_get(ch, "range", &range) && jscan_get(range, "start", &start) &&
            jscan_get(range, "end", &end)) {
            struct lsp_range r;
            if (router_read_pos(start, &r.start) && router_read_pos(end, &r.end))
                document_apply_change(doc, r, t.data ? t.data : "", t.len);
        } else {
            document_set_text(doc, t.data ? t.data : "", t.len);
        }
    }
    buf_release(&t);
    document_set_version(doc, (long)version);
    return doc;
}

/* Sends a request to Lean, remembering it for crash recovery and response editing. */
static void
router_forward_request(struct proxy *p, const struct jsonrpc_msg *m, const char *body, size_t len)
{
    struct pending *pd = xcalloc(1, sizeof *pd);
    memcpy(pd->method, m->method, sizeof pd->method);
    if (strcmp(m->method, "textDocument/codeAction") == 0 && m->params.p)
        pd->params = xstrndup(m->params.p, m->params.len);
    pending_free(idmap_put(p->pending, m->id.p, m->id.len, pd));
    proxy_to_lean(p, body, len);
}

static void
router_editor_request(struct proxy *p, const struct jsonrpc_msg *m, const char *body, size_t len)
{
    struct router *r = router_of(p);
    if (strcmp(m->method, "workspace/executeCommand") == 0) {
        struct jspan cmd;
        if (jscan_get(m->params, "command", &cmd) && actions_is_own_command(cmd)) {
            actions_execute(p, m->id, m->params);
            return;
        }
    } else if (strcmp(m->method, "codeAction/resolve") == 0) {
        if (actions_is_own_action(m->params)) {
            actions_resolve(p, m->id, m->params);
            return;
        }
    } else if (strcmp(m->method, "initialize") == 0) {
        router_read_initialize(p, m->params);
        free(r->init_body);
        r->init_body = xstrndup(body, len);
        free(r->init_id);
        r->init_id = xstrndup(m->id.p, m->id.len);
        p->init_answered = false;
    } else if (strcmp(m->method, "shutdown") == 0) {
        p->shutdown_requested = true;
    }
    if (p->phase == PROXY_LEAN_FAILED && strcmp(m->method, "shutdown") == 0) {
        proxy_reply(p, m->id, "null"); /* nothing to shut down: the editor may exit */
        return;
    }
    if (p->phase == PROXY_LEAN_FAILED) {
        proxy_reply_error(p, m->id, LEAN_WORKER_EXITED,
                          "the Lean server is not running: it crashed too often; restart the "
                          "Lean server from your editor");
        return;
    }
    router_forward_request(p, m, body, len);
}

/* Applies a settings object from the editor and re-analyses every document. */
static void
router_apply_settings(struct proxy *p, struct jspan v, const char *source)
{
    struct router *r = router_of(p);
    cJSON *obj = cJSON_ParseWithLength(v.p, v.len);
    struct buf problems;
    buf_init(&problems, 0);
    config_release(&p->cfg);
    config_copy(&p->cfg, &r->cfg_base);
    config_apply_json(&p->cfg, obj, source, &problems);
    if (problems.len)
        proxy_show_message(p, 2, "lsp-proxy settings: %s", problems.data);
    buf_release(&problems);
    cJSON_Delete(obj);
    agents_settings_changed(p);
    workspace_refresh_all(p);
}

/* Asks the editor for the "marathon" settings section (when it supports the request). */
static void
router_request_configuration(struct proxy *p)
{
    struct router *r = router_of(p);
    if (!p->client_configuration)
        return;
    free(r->config_id);
    r->config_id = xasprintf("%s%lu", JSONRPC_PROXY_ID_PREFIX, ++p->next_id);
    struct buf b;
    buf_init(&b, 0);
    jsonrpc_write_request(&b, r->config_id, "workspace/configuration",
                          "{\"items\":[{\"section\":\"marathon\"}]}");
    proxy_to_editor(p, b.data, b.len);
    buf_release(&b);
}

/* The editor answered one of the proxy's own requests. */
static void
router_own_response(struct proxy *p, const struct jsonrpc_msg *m)
{
    struct router *r = router_of(p);
    struct jspan first;
    size_t pos = 0;
    if (r->config_id && jscan_string_eq(m->id, r->config_id)) {
        free(r->config_id);
        r->config_id = NULL;
        if (jscan_next(m->result, &pos, NULL, &first) && jscan_type(first) == JSCAN_OBJECT)
            router_apply_settings(p, first, "workspace/configuration");
        return;
    }
    router_own_dispatch(p, p->own_editor, m);
}

static void
router_finish(struct proxy *p)
{
    if (p->editor)
        transport_flush(p->editor, true, 1000);
    ev_break(p->loop, EVBREAK_ALL);
}

static void
router_editor_notification(struct proxy *p, const struct jsonrpc_msg *m, const char *body,
                           size_t len)
{
    const char *method = m->method;
    struct document *doc = NULL;
    if (strcmp(method, "textDocument/didOpen") == 0) {
        doc = router_did_open(p, m->params);
        proxy_to_lean(p, body, len);
        if (doc) {
            workspace_opened(p, doc);
            review_document_opened(p, doc);
        }
        return;
    }
    if (strcmp(method, "textDocument/didChange") == 0) {
        doc = router_did_change(p, m->params);
        proxy_to_lean(p, body, len);
        if (doc)
            workspace_changed(p, doc);
        return;
    }
    if (strcmp(method, "textDocument/didClose") == 0) {
        struct jspan uri;
        proxy_to_lean(p, body, len);
        if (jscan_path(m->params, "textDocument.uri", &uri)) {
            char *u = jscan_strdup(uri);
            doc = u ? documents_get(p->docs, u) : NULL;
            if (doc) {
                agents_document_closing(p, doc);
                review_document_closing(p, doc);
                bool had_own = diagnostics_has_own(p->diags, u);
                workspace_closing(p, doc);
                documents_close(p->docs, u);
                if (had_own)
                    proxy_publish(p, u);
            }
            free(u);
        }
        return;
    }
    if (strcmp(method, "workspace/didChangeConfiguration") == 0) {
        struct jspan v;
        if (jscan_path(m->params, "settings.marathon", &v) && jscan_type(v) == JSCAN_OBJECT)
            router_apply_settings(p, v, "settings.marathon");
        else
            router_request_configuration(p); /* pull model: settings are null */
        proxy_to_lean(p, body, len);
        return;
    }
    if (strcmp(method, "textDocument/didSave") == 0) {
        proxy_to_lean(p, body, len);
        doc = router_doc_of(p, m->params, "textDocument.uri");
        if (doc) {
            agents_document_saved(p, doc);
            review_document_saved(p, doc);
        }
        return;
    }
    if (strcmp(method, "window/workDoneProgress/cancel") == 0) {
        struct jspan token;
        if (jscan_get(m->params, "token", &token) && agents_progress_cancel(p, token))
            return; /* one of the proxy's progress tokens: Lean never saw it */
    }
    if (strcmp(method, "initialized") == 0) {
        p->initialized_seen = true;
        router_request_configuration(p);
    }
    if (strcmp(method, "exit") == 0) {
        p->exiting = true;
        p->exit_code = p->shutdown_requested ? 0 : 1;
        if (lean_server_state(p->lean) == LEAN_SERVER_STATE_RUNNING) {
            proxy_to_lean(p, body, len);
            p->phase = PROXY_LEAN_STOPPING;
            lean_server_stop(p->lean, 2000);
        } else {
            router_finish(p);
        }
        return;
    }
    proxy_to_lean(p, body, len);
}

/* Is this a document-sync notification the replay after a restart makes redundant? */
static bool
router_is_sync(const char *method)
{
    return strncmp(method, "textDocument/did", 16) == 0;
}

static void
router_editor_message(struct proxy *p, const char *body, size_t len)
{
    struct jsonrpc_msg m;
    jsonrpc_parse(body, len, &m);
    p->messages_in++;
    if (m.kind == JSONRPC_INVALID) {
        log_error("router", "editor sent an unusable message (%s at byte %zu); not forwarded",
                  m.problem, m.problem_offset);
        if (m.parse_error)
            proxy_reply_error(p, m.id, JSONRPC_PARSE_ERROR,
                              "Parse error: the message is not valid JSON");
        else if (m.id.p)
            proxy_reply_error(p, m.id, JSONRPC_INVALID_REQUEST, m.problem);
        return;
    }
    if (m.kind == JSONRPC_RESPONSE) {
        if (jsonrpc_is_proxy_id(m.id)) {
            router_own_response(p, &m); /* answers to the proxy's own requests: consumed */
            return;
        }
        if (jscan_string_eq(m.id, "register_lean_watcher"))
            p->watcher_answered = true;
        if (p->phase == PROXY_LEAN_UP || p->phase == PROXY_LEAN_REPLAYING)
            proxy_to_lean(p, body, len);
        return;
    }
    /* Lean's watchdog dies on a request or notification without params (§5.1): refuse. */
    if (m.params.p == NULL && strcmp(m.method, "shutdown") != 0 && strcmp(m.method, "exit") != 0) {
        log_error("router", "editor sent `%s` without params; not forwarded (Lean would stop)",
                  m.method);
        if (m.kind == JSONRPC_REQUEST)
            proxy_reply_error(p, m.id, JSONRPC_INVALID_REQUEST,
                              "the Lean server requires \"params\" on every request");
        return;
    }
    if (p->phase == PROXY_LEAN_DOWN || p->phase == PROXY_LEAN_REPLAYING) {
        /* Lean is restarting. Document sync updates the mirror (the replay sends the current
         * text); requests wait; other notifications are stale after a restart. */
        if (router_is_sync(m.method)) {
            if (strcmp(m.method, "textDocument/didOpen") == 0) {
                struct document *doc = router_did_open(p, m.params);
                if (doc)
                    workspace_opened(p, doc);
            } else if (strcmp(m.method, "textDocument/didChange") == 0) {
                struct document *doc = router_did_change(p, m.params);
                if (doc)
                    workspace_changed(p, doc);
            } else if (strcmp(m.method, "textDocument/didClose") == 0) {
                router_editor_notification(p, &m, body, len);
            }
            return;
        }
        if (m.kind == JSONRPC_REQUEST) {
            struct jspan cmd;
            bool own =
                (strcmp(m.method, "workspace/executeCommand") == 0 &&
                 jscan_get(m.params, "command", &cmd) && actions_is_own_command(cmd)) ||
                (strcmp(m.method, "codeAction/resolve") == 0 && actions_is_own_action(m.params));
            if (own)
                router_editor_request(p, &m, body, len);
            else
                router_hold(p, body, len);
            return;
        }
        if (strcmp(m.method, "exit") == 0)
            router_editor_notification(p, &m, body, len);
        return;
    }
    if (m.kind == JSONRPC_REQUEST)
        router_editor_request(p, &m, body, len);
    else
        router_editor_notification(p, &m, body, len);
}

static void
router_editor_frame_cb(struct transport *t, const char *body, size_t len, void *arg)
{
    (void)t;
    router_editor_message(arg, body, len);
}

static void
router_editor_event_cb(struct transport *t, enum transport_event ev, void *arg)
{
    struct proxy *p = arg;
    (void)t;
    switch (ev) {
    case TRANSPORT_EVENT_EOF:
    case TRANSPORT_EVENT_ERROR:
        if (p->exiting)
            break;
        log_info("router", "the editor closed the connection; stopping");
        p->exiting = true;
        p->exit_code = p->shutdown_requested ? 0 : 1;
        if (lean_server_state(p->lean) == LEAN_SERVER_STATE_RUNNING) {
            p->phase = PROXY_LEAN_STOPPING;
            lean_server_stop(p->lean, 2000);
        } else {
            router_finish(p);
        }
        break;
    case TRANSPORT_EVENT_FULL:
        lean_server_pause_read(p->lean, true);
        break;
    case TRANSPORT_EVENT_DRAINED:
        lean_server_pause_read(p->lean, false);
        break;
    }
}

/* ---- Lean -> editor ---- */

/* Adds executeCommandProvider to the initialize result and forwards it. */
static void
router_initialize_result(struct proxy *p, const struct jsonrpc_msg *m, const char *body, size_t len)
{
    struct jspan caps, ecp;
    p->init_answered = true;
    if (!jscan_get(m->result, "capabilities", &caps) || jscan_type(caps) != JSCAN_OBJECT) {
        proxy_to_editor(p, body, len);
        return;
    }
    struct buf out;
    buf_init(&out, 0);
    if (!jscan_get(caps, "executeCommandProvider", &ecp)) {
        /* Splice right after the capabilities' opening brace: every other byte stays. */
        size_t at = (size_t)(caps.p - body) + 1;
        buf_add(&out, body, at);
        buf_adds(&out, "\"executeCommandProvider\":{\"commands\":");
        buf_adds(&out, actions_commands_json());
        size_t pos = 0;
        struct jspan k, v;
        bool empty = !jscan_next(caps, &pos, &k, &v); /* `{}` or `{ }`: no comma */
        buf_adds(&out, empty ? "}" : "},");
        buf_add(&out, body + at, len - at);
    } else {
        /* A future Lean with commands of its own: merge the lists. */
        cJSON *root = cJSON_ParseWithLength(body, len);
        cJSON *cmds = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "result"),
                                                 "capabilities"),
                "executeCommandProvider"),
            "commands");
        cJSON *ours = cJSON_Parse(actions_commands_json());
        if (cJSON_IsArray(cmds) && ours) {
            for (cJSON *it = ours->child; it; it = it->next)
                cJSON_AddItemToArray(cmds, cJSON_Duplicate(it, true));
        }
        char *s = root ? cJSON_PrintUnformatted(root) : NULL;
        if (s)
            buf_adds(&out, s);
        else
            buf_add(&out, body, len);
        free(s);
        cJSON_Delete(ours);
        cJSON_Delete(root);
    }
    proxy_to_editor(p, out.data, out.len);
    buf_release(&out);
}

/* Appends the proxy's code actions to Lean's array and forwards the result. */
static void
router_code_action_result(struct proxy *p, const struct jsonrpc_msg *m, struct pending *pd,
                          const char *body, size_t len)
{
    struct buf ours;
    buf_init(&ours, 0);
    if (pd->params) {
        struct jspan params = {pd->params, strlen(pd->params)};
        actions_code_actions(p, params, &ours);
    }
    enum jscan_type t = jscan_type(m->result);
    if (ours.len == 0 || (t != JSCAN_ARRAY && t != JSCAN_NULL)) {
        proxy_to_editor(p, body, len);
        buf_release(&ours);
        return;
    }
    struct buf out;
    buf_init(&out, 0);
    size_t start = (size_t)(m->result.p - body);
    size_t end = start + m->result.len;
    if (t == JSCAN_NULL || jscan_array_len(m->result) == 0) {
        buf_add(&out, body, start);
        buf_addch(&out, '[');
        buf_add(&out, ours.data, ours.len);
        buf_addch(&out, ']');
    } else {
        buf_add(&out, body, end - 1); /* up to the closing bracket */
        buf_addch(&out, ',');
        buf_add(&out, ours.data, ours.len);
        buf_addch(&out, ']');
    }
    buf_add(&out, body + end, len - end);
    proxy_to_editor(p, out.data, out.len);
    buf_release(&out);
    buf_release(&ours);
}

static void
router_reopen_doc(struct document *doc, void *arg)
{
    struct proxy *p = arg;
    struct buf b;
    size_t len;
    const char *text = document_text(doc, &len);
    const char *uri = document_uri(doc);
    const char *lang = document_language_id(doc);
    buf_init(&b, 0);
    buf_adds(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{"
                 "\"textDocument\":{\"uri\":");
    buf_add_json_string(&b, uri, strlen(uri));
    buf_adds(&b, ",\"languageId\":");
    buf_add_json_string(&b, lang, strlen(lang));
    buf_addf(&b, ",\"version\":%ld,\"text\":", document_version(doc));
    buf_add_json_string(&b, text, len);
    buf_addch(&b, '}');
    if (document_build_mode(doc)) {
        buf_adds(&b, ",\"dependencyBuildMode\":");
        buf_adds(&b, document_build_mode(doc));
    }
    buf_adds(&b, "}}");
    proxy_to_lean(p, b.data, b.len);
    buf_release(&b);
}

/* The replayed initialize was answered: finish the replay. */
static void
router_replay_done(struct proxy *p)
{
    static const char initialized[] =
        "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}";
    if (p->initialized_seen)
        proxy_to_lean(p, initialized, sizeof initialized - 1);
    documents_foreach(p->docs, router_reopen_doc, p);
    p->phase = PROXY_LEAN_UP;
    log_info("router", "Lean restarted; %zu documents re-opened", documents_count(p->docs));
    router_release_held(p, false, NULL);
    agents_lean_ready(p);
}

static void
router_lean_response(struct proxy *p, const struct jsonrpc_msg *m, const char *body, size_t len)
{
    struct router *r = router_of(p);
    if (jsonrpc_is_proxy_id(m->id)) {
        if (r->replay_id && m->id.len == strlen(r->replay_id) &&
            memcmp(m->id.p, r->replay_id, m->id.len) == 0) {
            free(r->replay_id);
            r->replay_id = NULL;
            router_replay_done(p);
            return;
        }
        router_own_dispatch(p, p->own_lean, m);
        return;
    }
    struct pending *pd = m->id.p ? idmap_take(p->pending, m->id.p, m->id.len) : NULL;
    if (pd && strcmp(pd->method, "initialize") == 0 && m->result.p)
        router_initialize_result(p, m, body, len);
    else if (pd && strcmp(pd->method, "textDocument/codeAction") == 0 && m->result.p)
        router_code_action_result(p, m, pd, body, len);
    else
        proxy_to_editor(p, body, len);
    pending_free(pd);
}

static struct document *
router_doc_of(struct proxy *p, struct jspan params, const char *path)
{
    struct jspan uri;
    if (!jscan_path(params, path, &uri))
        return NULL;
    char *u = jscan_strdup(uri);
    struct document *doc = u ? documents_get(p->docs, u) : NULL;
    free(u);
    return doc;
}

static void
router_lean_message(struct proxy *p, const char *body, size_t len)
{
    struct jsonrpc_msg m;
    jsonrpc_parse(body, len, &m);
    if (m.kind == JSONRPC_INVALID) {
        log_error("router", "Lean sent an unusable message (%s); not forwarded", m.problem);
        return;
    }
    if (m.kind == JSONRPC_RESPONSE) {
        router_lean_response(p, &m, body, len);
        return;
    }
    if (m.kind == JSONRPC_REQUEST) {
        /* After a restart Lean registers its file watcher again; the editor has it. */
        if (p->watcher_answered && strcmp(m.method, "client/registerCapability") == 0 &&
            jscan_string_eq(m.id, "register_lean_watcher")) {
            router_reply_to_lean(p, m.id, "null");
            return;
        }
        proxy_to_editor(p, body, len);
        return;
    }
    if ((strcmp(m.method, "textDocument/publishDiagnostics") == 0 ||
         strcmp(m.method, "$/lean/fileProgress") == 0) &&
        shadow_lean_notification(p->shadow, m.method, m.params))
        return; /* about a shadow document: never the editor's business */
    if (strcmp(m.method, "textDocument/publishDiagnostics") == 0) {
        char *uri = NULL;
        bool incremental = false;
        if (diagnostics_lean_publish(p->diags, m.params, &uri, &incremental) < 0) {
            proxy_to_editor(p, body, len);
            return;
        }
        struct document *doc = documents_get(p->docs, uri);
        if (doc)
            workspace_lean_changed(p, doc);
        if (!incremental && !diagnostics_has_own(p->diags, uri))
            proxy_to_editor(p, body, len); /* already the full set: pass it as it is */
        else
            proxy_publish(p, uri);
        free(uri);
        return;
    }
    if (strcmp(m.method, "$/lean/fileProgress") == 0) {
        struct document *doc = router_doc_of(p, m.params, "textDocument.uri");
        if (doc) {
            workspace_progress(p, doc, m.params);
            agents_progress(p, doc, m.params);
        }
    }
    proxy_to_editor(p, body, len);
}

static void
router_lean_frame_cb(struct lean_server *ls, const char *body, size_t len, void *arg)
{
    (void)ls;
    router_lean_message(arg, body, len);
}

/* Fails every request in flight to Lean. */
static void
router_fail_one(const char *key, size_t len, void *value, void *arg)
{
    struct proxy *p = arg;
    struct router *r = router_of(p);
    struct pending *pd = value;
    struct jspan id = {key, len};
    /* An unanswered initialize is replayed instead. */
    if (strcmp(pd->method, "initialize") == 0 && p->phase != PROXY_LEAN_FAILED && r->init_id &&
        strlen(r->init_id) == len && memcmp(r->init_id, key, len) == 0) {
        pending_free(pd);
        return;
    }
    char *msg = xasprintf("The Lean server exited while handling `%s`; lsp-proxy is restarting "
                          "it. Try again in a moment.",
                          pd->method);
    if (p->phase == PROXY_LEAN_FAILED) {
        free(msg);
        msg = xasprintf("The Lean server exited while handling `%s` and will not be restarted "
                        "(it crashed too often).",
                        pd->method);
    }
    proxy_reply_error(p, id, LEAN_WORKER_EXITED, msg);
    free(msg);
    pending_free(pd);
}

static void
router_lean_event_cb(struct lean_server *ls, enum lean_server_event ev, int status, void *arg)
{
    struct proxy *p = arg;
    struct router *r = router_of(p);
    switch (ev) {
    case LEAN_SERVER_EVENT_STARTED:
        if (lean_server_restarts(ls) == 0) {
            p->phase = PROXY_LEAN_UP;
            break;
        }
        if (p->init_answered && p->init_params) {
            free(r->replay_id);
            r->replay_id = xasprintf("\"%s%lu\"", JSONRPC_PROXY_ID_PREFIX, ++p->next_id);
            struct buf b;
            buf_init(&b, 0);
            buf_addf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"initialize\",\"params\":%s}",
                     r->replay_id, p->init_params);
            p->phase = PROXY_LEAN_REPLAYING;
            proxy_to_lean(p, b.data, b.len);
            buf_release(&b);
        } else {
            p->phase = PROXY_LEAN_UP;
            if (r->init_body) {
                /* The editor still waits for its initialize: send it again as it was. */
                struct jsonrpc_msg m;
                jsonrpc_parse(r->init_body, strlen(r->init_body), &m);
                router_forward_request(p, &m, r->init_body, strlen(r->init_body));
            }
            router_release_held(p, false, NULL);
        }
        break;
    case LEAN_SERVER_EVENT_EXITED: {
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        p->phase = PROXY_LEAN_DOWN;
        idmap_drain(p->pending, router_fail_one, p);
        shadow_lean_exited(p->shadow);
        idmap_drain(p->own_lean, router_own_fail, p);
        if (!p->told_crash) {
            p->told_crash = true;
            if (code == 127)
                proxy_show_message(p, 1,
                                   "lsp-proxy could not run the Lean server command `%s` (not "
                                   "found or not executable). Check PATH, or give the command "
                                   "after `--`.",
                                   lean_server_command(ls));
            else if (sig)
                proxy_show_message(p, 1,
                                   "The Lean server was killed by signal %d. lsp-proxy is "
                                   "restarting it and re-opening your %zu open files.",
                                   sig, documents_count(p->docs));
            else
                proxy_show_message(p, 1,
                                   "The Lean server exited unexpectedly (code %d). lsp-proxy is "
                                   "restarting it and re-opening your %zu open files.",
                                   code, documents_count(p->docs));
        }
        break;
    }
    case LEAN_SERVER_EVENT_GAVE_UP:
        p->phase = PROXY_LEAN_FAILED;
        if (!p->init_answered && r->init_id) {
            /* Kept for a replay that will not come: answer it now, once. */
            struct jspan id = {r->init_id, strlen(r->init_id)};
            pending_free(idmap_take(p->pending, id.p, id.len));
            proxy_reply_error(p, id, LEAN_WORKER_EXITED,
                              "The Lean server could not be started (it exited at once, "
                              "repeatedly); see the log of lsp-proxy.");
            p->init_answered = true;
        }
        idmap_drain(p->pending, router_fail_one, p);
        idmap_drain(p->own_lean, router_own_fail, p);
        router_release_held(p, true,
                            "The Lean server is not running: it crashed too often and will not "
                            "be restarted.");
        proxy_show_message(p, 1,
                           "The Lean server crashed %d times within %.0f seconds; lsp-proxy "
                           "stopped restarting it. Check its log, then restart the Lean server "
                           "from your editor.",
                           LEAN_SERVER_MAX_CRASHES, LEAN_SERVER_CRASH_WINDOW);
        break;
    case LEAN_SERVER_EVENT_STOPPED:
        if (p->exiting)
            router_finish(p);
        break;
    case LEAN_SERVER_EVENT_FULL:
        if (p->editor)
            transport_pause_read(p->editor, true);
        break;
    case LEAN_SERVER_EVENT_DRAINED:
        if (p->editor)
            transport_pause_read(p->editor, false);
        break;
    }
}

static void
router_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct router *r = w->data;
    (void)loop;
    (void)revents;
    log_info("router", "signal %d: stopping", w->signum);
    r->p.exiting = true;
    r->p.exit_code = 1;
    if (lean_server_state(r->p.lean) == LEAN_SERVER_STATE_RUNNING)
        lean_server_stop(r->p.lean, 1000);
    else
        router_finish(&r->p);
}

struct router *
router_new(struct ev_loop *loop, const struct router_options *opts, struct config *cfg)
{
    struct router *r = xcalloc(1, sizeof *r);
    struct proxy *p = &r->p;
    p->loop = loop;
    p->cfg = *cfg;
    memset(cfg, 0, sizeof *cfg); /* ownership moved */
    config_copy(&r->cfg_base, &p->cfg);
    p->docs = documents_new();
    p->diags = diagnostics_new();
    p->pending = idmap_new();
    p->own_lean = idmap_new();
    p->own_editor = idmap_new();
    p->phase = PROXY_LEAN_UP;
    p->editor = transport_new(loop, opts->in_fd, opts->out_fd, "editor", opts->max_frame, false,
                              router_editor_frame_cb, router_editor_event_cb, p);
    p->lean =
        lean_server_new(loop, opts->server_argv, router_lean_frame_cb, router_lean_event_cb, p);
    lean_server_unset_env(p->lean, config_api_key_env(&p->cfg));
    p->shadow = shadow_new(p);
    p->agents = agents_new(p);
    p->review = review_new(p);
    ev_signal_init(&r->sigterm, router_signal_cb, SIGTERM);
    ev_signal_init(&r->sigint, router_signal_cb, SIGINT);
    r->sigterm.data = r;
    r->sigint.data = r;
    ev_signal_start(loop, &r->sigterm);
    ev_signal_start(loop, &r->sigint);
    return r;
}

static void
router_close_doc(struct document *doc, void *arg)
{
    workspace_closing(arg, doc);
}

void
router_free(struct router *r)
{
    if (r == NULL)
        return;
    struct proxy *p = &r->p;
    ev_signal_stop(p->loop, &r->sigterm);
    ev_signal_stop(p->loop, &r->sigint);
    agents_free(p->agents);
    review_free(p->review); /* after the agents: their review jobs report to it */
    /* what still waits for the editor hears that no answer will come (the agents forgot
     * theirs above) */
    idmap_drain(p->own_editor, router_own_fail, p);
    shadow_free(p->shadow);
    documents_foreach(p->docs, router_close_doc, p);
    lean_server_free(p->lean);
    transport_free(p->editor);
    documents_free(p->docs);
    diagnostics_free(p->diags);
    idmap_free(p->pending, pending_free);
    idmap_free(p->own_lean, free);
    idmap_free(p->own_editor, free);
    for (size_t i = 0; i < p->nheld; i++)
        buf_release(&p->held[i]);
    free(p->held);
    free(p->init_params);
    config_release(&p->cfg);
    config_release(&r->cfg_base);
    free(r->replay_id);
    free(r->init_body);
    free(r->init_id);
    free(r->config_id);
    free(r);
}

void
router_feed_editor(struct router *r, const char *body, size_t len)
{
    router_editor_message(&r->p, body, len);
}

void
router_feed_lean(struct router *r, const char *body, size_t len)
{
    router_lean_message(&r->p, body, len);
}

int
router_run(struct router *r)
{
    struct proxy *p = &r->p;
    if (lean_server_start(p->lean) < 0) {
        p->phase = PROXY_LEAN_FAILED;
        log_error("router", "the Lean server could not be started; answering with errors");
    }
    ev_run(p->loop, 0);
    return p->exit_code;
}
