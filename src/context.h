/*
 * context: what an agent is shown of the file around one node (the DAG context LeanMarathon's
 * dag-tracker gives its workers; shared/ARCHITECTURE.md, "agents"). Used by the prover and
 * repairer prompts and by the fidelity reviewer.
 *
 * For a node it gathers:
 *  - latex_statement / latex_proof: the `statement` and `proof` texts of its @[blueprint]
 *    attribute (NULL when it has none);
 *  - deps: for each dependency the DAG lists, its Lean statement (the node's text up to the
 *    proof body, attribute and docstring included) and its status;
 *  - file: the file before the node as Lean sees it in scope: imports, opens, variables,
 *    namespaces, notation and definitions verbatim, and earlier theorems and lemmas with
 *    their proofs replaced by the line `  -- (proof omitted)`. When that text is longer than
 *    the cap, its start (up to the first declaration, at most cap / 4) and its end are kept
 *    with a marker line between them.
 *
 * Layer 1: reads a document and its analysis, owns nothing of theirs. Ownership:
 * context_new() returns a struct the caller frees with context_free(); every string in it
 * belongs to it.
 */
#ifndef LSP_PROXY_CONTEXT_H
#define LSP_PROXY_CONTEXT_H

#include <stddef.h>

struct analysis;
struct analysis_node;
struct document;

struct context_dep {
    char *name;
    char *statement; /* NULL when the name is not a node of this file */
    const char *status; /* as the DAG JSON spells it (dag_status_name()); "unknown" when the
                         * name is not a node of this file */
};

struct context {
    char *latex_statement;
    char *latex_proof;
    struct context_dep *deps;
    size_t ndeps;
    char *file;          /* never NULL */
    size_t file_omitted; /* bytes left out by the cap (0: the whole prefix is there) */
};

/* The context of node (a node of a, the analysis of doc's current text), with the file part
 * capped at cap bytes. */
struct context *context_new(const struct document *doc, const struct analysis *a,
                            const struct analysis_node *node, size_t cap);
void context_free(struct context *c);

/* The Lean statement of a node: its text from its first line to where the proof body starts
 * (the `:= by` or `:=` included). A new string. */
char *context_statement(const struct document *doc, const struct analysis_node *node);

#endif
