/*
 * fl_server.h: the fake Lean server's protocol core: watchdog rules (initialize handshake,
 * validation, shutdown), documents, simulated elaboration with fileProgress and
 * publishDiagnostics, and the request handlers. Follows shared/lean-lsp-facts.md.
 *
 * Owns every document, deferred request and delayed response. It writes frames to out_fd
 * itself (blocking) and may end the process (exit, $/fake/crash, watchdog errors).
 * fake_lean.c owns the command line, the read loop, --record and the crash/hang modes.
 * Prefix fl_server_.
 */
#ifndef LSP_PROXY_FL_SERVER_H
#define LSP_PROXY_FL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fl_scan.h"

struct fl_options {
    enum fl_sorry_style sorry_style;
    int report_delay_ms; /* edit -> first publish (Lean's server.reportDelayMs) */
    int chunk_ms;        /* between two diagnostic batches of one version */
    int chunks;          /* batches per version (>= 1) */
    int slow_ms;         /* extra delay of every response */
    int refresh_ms;      /* semanticTokens/refresh period while processing; 0 = off */
    int rpc_expire_ms;   /* RPC session lifetime after the last keepAlive/call */
    bool imports_outdated; /* files opened with dependencyBuildMode "never" fail their header */
    enum fl_judge_style judge_style; /* texts of judge diagnostics (fl_judge.h) */
    int max_open;          /* more open files than this get no worker; 0 = no limit */
};

struct fl_server;

/* A new server writing to out_fd; o is copied. */
struct fl_server *fl_server_new(const struct fl_options *o, int out_fd);
void fl_server_free(struct fl_server *s);

/* Handles one frame body (need not be NUL-terminated). May exit the process. */
void fl_server_message(struct fl_server *s, const char *body, size_t len);

/* Runs what is due at `now` (ms, fl_now_ms); returns ms until the next timer, or -1. */
int fl_server_run_timers(struct fl_server *s, int64_t now);

/* Stdin reached EOF: exits (0 after initialize, 1 before; lean-lsp-facts §7). */
void fl_server_eof(struct fl_server *s) __attribute__((noreturn));

/* Prints "Watchdog error: <msg>" to stderr and exits 1 (lean-lsp-facts §7). */
void fl_server_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
