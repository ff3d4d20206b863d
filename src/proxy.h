/*
 * proxy: the state one lsp-proxy process shares between its policy modules (router,
 * workspace, actions). Internal: main.c uses router.h only.
 *
 * One loop, one editor connection, one Lean server. The router owns this struct and every
 * object it points to; the other modules borrow it for the length of a call.
 */
#ifndef LSP_PROXY_PROXY_H
#define LSP_PROXY_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "jscan.h"

struct agents;
struct review;
struct buf;
struct diagnostics;
struct jsonrpc_msg;
struct shadow;
struct documents;
struct ev_loop;
struct idmap;
struct lean_server;
struct transport;

/* How far the Lean connection is, as the router sees it. */
enum proxy_lean_phase {
    PROXY_LEAN_UP,        /* initialized (or before the editor's initialize) */
    PROXY_LEAN_REPLAYING, /* restarted; waiting for the replayed initialize's reply */
    PROXY_LEAN_DOWN,      /* crashed; restart pending */
    PROXY_LEAN_FAILED,    /* gave up or could not start */
    PROXY_LEAN_STOPPING,  /* exit forwarded */
};

struct proxy {
    struct ev_loop *loop;
    struct config cfg;
    struct transport *editor;
    struct lean_server *lean;
    struct documents *docs;
    struct diagnostics *diags;
    struct idmap *pending;    /* editor requests in flight to Lean: raw id -> pending */
    struct idmap *own_lean;   /* the proxy's requests in flight to Lean: raw id -> own */
    struct idmap *own_editor; /* the proxy's requests in flight to the editor */
    struct shadow *shadow;    /* hidden verification documents (shadow.h) */
    struct agents *agents;    /* the job queue (agents.h) */
    struct review *review;    /* fidelity review results (review.h) */
    enum proxy_lean_phase phase;

    /* What the editor told us in initialize. */
    char *init_params;  /* raw JSON of the params, replayed after a restart */
    bool init_answered; /* Lean's reply reached the editor */
    bool initialized_seen;
    bool client_incremental;        /* capabilities.lean.incrementalDiagnosticSupport */
    bool client_document_changes;   /* workspace.workspaceEdit.documentChanges */
    bool client_configuration;      /* workspace.configuration */
    bool client_show_message;       /* always true in practice; kept for completeness */
    bool client_work_done_progress; /* window.workDoneProgress */
    bool watcher_answered;          /* the editor answered register_lean_watcher once */

    bool shutdown_requested;
    bool exiting;
    int exit_code;
    bool told_crash;       /* the user was told about a crash already */
    unsigned long next_id; /* the proxy's own request ids: "marathon:<n>" */
    struct buf *held;      /* editor messages held while Lean restarts (frames) */
    size_t nheld;
    unsigned long long messages_in, messages_out;
};

/* Sends a body to the editor (no-op once the editor is gone). */
void proxy_to_editor(struct proxy *p, const char *body, size_t len);
/* Sends a body to Lean; returns 0 or -EAGAIN when Lean is not running. */
int proxy_to_lean(struct proxy *p, const char *body, size_t len);
/* window/showMessage to the editor; type 1 error, 2 warning, 3 info, 4 log. */
void proxy_show_message(struct proxy *p, int type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Republishes the merged diagnostics of uri to the editor. */
void proxy_publish(struct proxy *p, const char *uri);
/* Replies to an editor request. */
void proxy_reply(struct proxy *p, struct jspan id, const char *result_json);
void proxy_reply_error(struct proxy *p, struct jspan id, int code, const char *message);

/* ---- requests the proxy originates (shared/ARCHITECTURE.md, "Requests the proxy
 * originates"): string ids "marathon:<n>", responses consumed here, never forwarded ---- */

/* Called with the response (m->result or m->error set), or with m NULL when the request can
 * no longer be answered: Lean exited (requests to Lean) or the proxy is stopping. */
typedef void proxy_response_cb(struct proxy *p, const struct jsonrpc_msg *m, void *arg);

/* Sends a request to Lean (to_lean) or to the editor. Returns its number (> 0), or 0 when it
 * could not be sent (Lean not running): then cb is never called. Otherwise cb is called
 * exactly once, never from inside this call, unless the request is forgotten first. */
unsigned long proxy_request(struct proxy *p, bool to_lean, const char *method,
                            const char *params_json, proxy_response_cb *cb, void *arg);
/* Forgets a request: its callback is not called (a response that comes is dropped). */
void proxy_request_forget(struct proxy *p, unsigned long n);
/* Sends a notification to the editor or to Lean. */
void proxy_notify(struct proxy *p, bool to_lean, const char *method, const char *params_json);

#endif
