/*
 * dagrender: the DAG as a picture outside the editor (`lsp-proxy dag --format svg|html`).
 *
 * The layout is Graphviz's: the DOT text of analysis_dag_dot() is handed to the `dot`
 * program (`dot -Tsvg`), found as $LSP_PROXY_DOT or `dot` on PATH. We use the program, not
 * libgvc: it keeps a large library with its plugins out of the proxy binary for one CLI
 * feature, and a missing Graphviz is then a clear message instead of a build failure.
 * The page is self-contained: inline SVG and CSS, no script, nothing from the network.
 * Colours are INTERFACE.md's ("DAG colours"), the same as DOT, Mermaid and the VS Code view.
 *
 * Layer 1 (spawns a process, blocks until it exits): for the CLI, never for the proxy loop.
 * Prefix dagrender_.
 */
#ifndef LSP_PROXY_DAGRENDER_H
#define LSP_PROXY_DAGRENDER_H

#include <stddef.h>

struct analysis;
struct buf;

/* The Graphviz program used: $LSP_PROXY_DOT when set and not empty, else "dot". */
const char *dagrender_dot_program(void);

/* Appends the laid-out graph as an SVG document (no XML prolog or DOCTYPE: it can be
 * inlined in HTML) to out. Returns 0, or -1 with a one-line reason in err (Graphviz not
 * installed: the reason names the package; dot failed: its exit status). */
int dagrender_svg(const struct analysis *a, struct buf *out, char *err, size_t errlen);

/* Appends the whole page to out: the title (file), the summary counts, the legend, the
 * picture (svg, when not NULL) or else a note saying why there is none (why), and a table
 * of the nodes (name, label, kind, status, deps, line). */
void dagrender_html(const struct analysis *a, const char *file, const char *svg, const char *why,
                    struct buf *out);

#endif
