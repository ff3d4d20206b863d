/*
 * router: the routing table of lsp-proxy (shared/ARCHITECTURE.md): which messages pass
 * through untouched, which are observed (document sync, diagnostics, progress), which are
 * edited (initialize's capabilities, codeAction results) and which the proxy answers
 * itself (marathon.* commands, resolve of its own actions, its own ids' responses).
 *
 * It owns the proxy's state (proxy.h): the editor connection on two fds, the Lean server,
 * the document mirror, the diagnostics store, and runs Lean's crash recovery: requests in
 * flight fail with -32901, the server restarts with backoff, initialize/initialized and
 * every open document (current text) are replayed, the user is told once.
 */
#ifndef LSP_PROXY_ROUTER_H
#define LSP_PROXY_ROUTER_H

#include <stddef.h>

struct config;
struct ev_loop;
struct router;

struct router_options {
    char **server_argv;     /* the Lean server command, NULL-terminated */
    int in_fd, out_fd;      /* the editor connection (normally 0 and 1) */
    size_t max_frame;       /* bytes; 0: the default 64 MiB */
};

/* A router using cfg (copied shallowly: the router takes ownership of its strings). */
struct router *router_new(struct ev_loop *loop, const struct router_options *opts,
                          struct config *cfg);
/* Starts Lean and serves until the editor says exit or goes away; returns the process's
 * exit code (0 after shutdown + exit, 1 for exit without shutdown). */
int router_run(struct router *r);
void router_free(struct router *r);

/* For tests and fuzzing: hand one message body to the router as if it came from the editor
 * (router_feed_editor) or from Lean (router_feed_lean), without any I/O on the way in.
 * Replies still go out through the editor fds and the Lean server (if started). */
void router_feed_editor(struct router *r, const char *body, size_t len);
void router_feed_lean(struct router *r, const char *body, size_t len);

#endif
