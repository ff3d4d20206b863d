/*
 * headless: `lsp-proxy prove` (shared/INTERFACE.md, "Command line"): the agents without an
 * editor, for scripts and CI.
 *
 * The proxy runs as it does for an editor (router.h, with the Lean server it starts), and an
 * in-process driver plays the editor over a pair of pipes: initialize (applyEdit and
 * documentChanges announced), didOpen of the file, textDocument/waitForDiagnostics, then
 * marathon.prove / marathon.repair on the chosen nodes, marathon.status until every job has
 * finished. The proxy's settings are forced to agents.autoApply true, onSave off, review
 * off and agents.maxParallel = jobs, so each verified proof reaches the driver as a
 * workspace/applyEdit, which it applies to its copy of the text (only when the edit names
 * the version it holds) and sends back as a didChange, as an editor would.
 *
 * Targets: with names, those nodes (a `sorry` node is proved, an `error` node repaired,
 * a proved one is left alone). With --leaves (the default when no name is given) the
 * dynamic leaves, in rounds: once a round's jobs are done and Lean has checked the new
 * text, the nodes that became leaves are taken next, until a round adds none. A node is
 * tried once.
 *
 * Output: a line per node on out (stdout) (`FILE: proved NAME (tactics): PROOF`, `FILE: failed
 * NAME: WHY`; a proof or reason of several lines follows indented by four spaces) and a
 * summary line; errors and the proxy's messages on stderr. The file is
 * rewritten atomically (temporary file in its directory, then rename; its mode kept) when
 * a proof was applied, unless dry_run, and only when the file on disk still holds the text
 * that was read: otherwise nothing is written and the run fails.
 *
 * Exit code: 0 when every node tried was proved (or there was nothing to do), 1 when some
 * were not, 2 on usage or I/O errors, an unknown node name, or a Lean server that could
 * not run.
 */
#ifndef LSP_PROXY_HEADLESS_H
#define LSP_PROXY_HEADLESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config;

struct headless_options {
    const char *path;             /* the Lean file (absolute: the run may change directory) */
    const char *display;          /* how messages name it (NULL: path) */
    const char *const *names;     /* nodes to prove (NULL-terminated), or NULL: leaves */
    bool dry_run;                 /* print, do not write */
    long jobs;                    /* agents.maxParallel; <= 0: the settings' value */
    char **server_argv;           /* the Lean server command */
    FILE *out;                    /* the per-node lines and the summary (stdout) */
    struct config *cfg;           /* the settings (sources applied); the run takes its
                                   * strings (config.h's router_new rule) */
};

/* Runs the agents on one file. Returns the process's exit code. */
int headless_prove(const struct headless_options *o);

#endif
