/*
 * actions: the proxy's code actions and its workspace/executeCommand commands
 * (shared/INTERFACE.md, "workspace/executeCommand" and "Code actions the proxy adds").
 *
 * Code actions are computed from the document's analysis (workspace.h) and appended to
 * Lean's array by the router; they carry `data.source = "marathon"` so a codeAction/resolve
 * for them is answered here and never reaches Lean (lean-lsp-facts.md §6.1).
 * Commands named marathon.* are answered here; everything else goes to Lean.
 */
#ifndef LSP_PROXY_ACTIONS_H
#define LSP_PROXY_ACTIONS_H

#include <stdbool.h>

#include "jscan.h"

struct buf;
struct proxy;

/* The JSON array of the commands the proxy advertises. */
const char *actions_commands_json(void);
/* True for a command the proxy answers itself. */
bool actions_is_own_command(struct jspan command);
/* Answers a workspace/executeCommand request for one of the proxy's commands. */
void actions_execute(struct proxy *p, struct jspan id, struct jspan params);
/* Appends the proxy's code actions for a textDocument/codeAction request (its params) to
 * out as comma-separated JSON objects (nothing when there are none). Returns how many. */
int actions_code_actions(struct proxy *p, struct jspan params, struct buf *out);
/* True when a codeAction/resolve request's params are one of the proxy's actions. */
bool actions_is_own_action(struct jspan params);
/* Answers codeAction/resolve for one of the proxy's actions. */
void actions_resolve(struct proxy *p, struct jspan id, struct jspan params);

#endif
