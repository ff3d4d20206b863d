/*
 * flm_server.h: the fake LLM server's network side on a libev loop: the listening socket
 * on 127.0.0.1 (kernel-chosen port), the connections (keep-alive, pipelined requests
 * answered in order), the timing of each reply (delay, chunk delay, stall, early close),
 * the control endpoints under /_fake/ and the --record lines.
 *
 * Owns the connections; borrows the script and the record fd (both must outlive it).
 * A connection is never freed inside one of its own callbacks: it is closed, marked dead
 * and freed by the server's ev_prepare watcher. Prefix flm_server_ (and flm_conn_ inside).
 */
#ifndef LSP_PROXY_FLM_SERVER_H
#define LSP_PROXY_FLM_SERVER_H

#include <stddef.h>

struct ev_loop;
struct flm_script;
struct flm_server;

/* Listens on 127.0.0.1 port 0 and serves on loop. record_fd: where request lines go (-1:
 * nowhere). Returns NULL with a message in err when the socket cannot be set up. */
struct flm_server *flm_server_new(struct ev_loop *loop, struct flm_script *script,
                                  int record_fd, char *err, size_t errlen);
/* The port the kernel chose. */
int flm_server_port(const struct flm_server *s);
/* Closes the listener and every connection and frees everything. NULL: no-op. */
void flm_server_free(struct flm_server *s);

#endif
