/*
 * analysis: the blueprint engine's front door. One file's text, plus what Lean has said
 * about it, goes in; the DAG, the contract findings and their renderings come out.
 *
 * Pure (layer 0): no loop, no I/O. It runs lean_lex -> decls -> blueprint -> dag -> checks.
 * The proxy (router) calls it on every debounced change and whenever Lean's diagnostics or
 * fileProgress move; the CLI (`lsp-proxy check`, `lsp-proxy dag`) calls it once per file.
 * Ownership: an analysis owns everything it returns by pointer (valid until the next
 * analysis_set_lean() or analysis_free()); the render functions return new strings the
 * caller free()s. The text passed to analysis_new() is copied.
 * Shapes, codes and rules: shared/INTERFACE.md and shared/blueprint-contract.md.
 */
#ifndef LSP_PROXY_ANALYSIS_H
#define LSP_PROXY_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "position.h"

/* ---- profiles (setting blueprint.profile, `check --profile`) ---- */

enum bp_profile { BP_PROFILE_AUTO, BP_PROFILE_STRICT, BP_PROFILE_ARCHITECT, BP_PROFILE_OFF };

/* "auto" | "strict" | "architect" | "off". Returns 0, or -1 for an unknown name. */
int bp_profile_parse(const char *name, enum bp_profile *out);
const char *bp_profile_name(enum bp_profile profile);

/* ---- what Lean said about the file ---- */

struct lean_diag {
    int severity;          /* 1 error, 2 warning, 3 information, 4 hint */
    struct lsp_range range; /* Lean's fullRange when present, else range */
    bool is_sorry;         /* the "declaration uses sorry" warning, in any wording */
};

struct lean_view {
    bool known;              /* false: Lean has said nothing (CLI; before the first publish):
                              * statuses come from the text alone */
    const struct lean_diag *diags; /* Lean's current set for this document */
    size_t ndiags;
    bool done;               /* fileProgress reported `processing: []` for this version */
    uint32_t processed_line; /* when !done: lines >= this one are not elaborated yet */
};

/* ---- nodes ---- */

enum analysis_kind { ANALYSIS_KIND_THEOREM, ANALYSIS_KIND_LEMMA, ANALYSIS_KIND_DEFINITION };
enum analysis_status {
    ANALYSIS_STATUS_PROVED,
    ANALYSIS_STATUS_SORRY,
    ANALYSIS_STATUS_ERROR,
    ANALYSIS_STATUS_PENDING,
    ANALYSIS_STATUS_DEFINITION,
};

struct analysis_node {
    const char *name;       /* Lean name as written in the file */
    const char *full_name;  /* with enclosing namespaces */
    const char *label;      /* blueprint label, or the Lean name when there is none */
    const char *title;      /* NULL when absent */
    const char *keyword;    /* "theorem", "lemma", "def", "instance", ... as written */
    enum analysis_kind kind;
    enum analysis_status status;
    bool leaf;              /* dynamic leaf: status sorry and every dep proved */
    const char *const *deps; /* proof-node names (as written), ndeps of them */
    size_t ndeps;
    struct lsp_range range;      /* whole node, attribute included */
    struct lsp_range name_range; /* the declaration name */
    struct lsp_range body_range; /* the proof body after `:=` (for `:= by`, after `by`);
                                  * empty at the end of the header when there is none */
    bool has_blueprint;     /* carries @[blueprint ...] */
};

/* ---- findings (the contract's diagnostics, source "marathon") ---- */

struct analysis_finding {
    const char *code;       /* e.g. "blueprint.label-name" (shared/INTERFACE.md) */
    int severity;           /* 1 error, 2 warning */
    struct lsp_range range; /* the offending token (shared/blueprint-contract.md) */
    const char *message;    /* what is wrong and how to fix it */
};

struct analysis;

/* Analyses text (any bytes; need not be valid Lean). Never fails: bad input gives an empty
 * or partial result. */
struct analysis *analysis_new(const char *text, size_t len, enum bp_profile profile);
/* The same without the copy: takes ownership of text, a block of len + 1 bytes from
 * xbig_alloc() whose text[len] is '\0' (textfile_read() gives one; len at most
 * LEAN_LEX_MAX_LEN), freed by analysis_free(). */
struct analysis *analysis_new_take(char *text, size_t len, enum bp_profile profile);
/* The analysis of text after an edit of old's text: the same result as analysis_new(text,
 * len, profile), cheaper when the two texts differ in one stretch (what changed is found by
 * comparing them; the lines around it are lexed again, the rest of the tokens reused).
 * Consumes old (freed; NULL: analysis_new). */
struct analysis *analysis_update(struct analysis *old, const char *text, size_t len,
                                 enum bp_profile profile);
void analysis_free(struct analysis *a);
/* Re-derives statuses and leaves from Lean's view without re-reading the text (cheap).
 * lean may be NULL (= not known). The view is copied. */
void analysis_set_lean(struct analysis *a, const struct lean_view *lean);

/* True when the file uses @[blueprint (contract findings apply). */
bool analysis_is_blueprint(const struct analysis *a);
/* The profile in force, with auto resolved (OFF for a file that is not a blueprint). */
enum bp_profile analysis_profile(const struct analysis *a);

size_t analysis_node_count(const struct analysis *a);
/* Nodes in file order. */
const struct analysis_node *analysis_node(const struct analysis *a, size_t i);
/* The innermost node whose range contains pos, or NULL. */
const struct analysis_node *analysis_node_at(const struct analysis *a, struct lsp_pos pos);
/* By Lean name as written, or namespace-qualified; NULL when absent. */
const struct analysis_node *analysis_node_by_name(const struct analysis *a, const char *name);

size_t analysis_finding_count(const struct analysis *a);
/* Findings sorted by position. */
const struct analysis_finding *analysis_finding(const struct analysis *a, size_t i);

/* ---- renderings (new strings; free() them) ---- */

/* The DAG JSON of shared/INTERFACE.md; version < 0 writes "version": null. */
char *analysis_dag_json(const struct analysis *a, const char *uri, long version);
/* Graphviz DOT: proved green, leaf blue, sorry grey, error red, definitions as boxes. */
char *analysis_dag_dot(const struct analysis *a);
/* Mermaid flowchart with the same colours. */
char *analysis_dag_mermaid(const struct analysis *a);
/* The findings as a JSON array of LSP Diagnostic objects: range, severity, code,
 * source "marathon", message. "[]" when there are none. */
char *analysis_diagnostics_json(const struct analysis *a);
/* `lsp-proxy check` lines, one per finding: "FILE:LINE:COL: severity: message [code]\n"
 * (1-based line and column; column in UTF-16 units + 1). */
char *analysis_check_text(const struct analysis *a, const char *filename);
/* The same findings as JSON objects appended to the array text (for `check --json`):
 * {"file","line","column","endLine","endColumn","severity","code","message"}, comma
 * separated, no brackets; "" when none. */
char *analysis_check_json_items(const struct analysis *a, const char *filename);

/* ---- rendering notes (decisions where shared/INTERFACE.md is silent) ----
 * DAG JSON: one node per line; "title" is null when the attribute has no title (a title
 * given as a string or a docstring is its text); "label" is the written label, else the
 * full Lean name (LeanArchitect's default); "deps" name proof nodes as written. Additions:
 * a top-level "profile" (the profile in force: strict, architect or off) and
 * summary.pending / summary.definitions beside the documented counts; summary.nodes counts
 * every node listed, definitions included.
 * Statuses: error (a Lean error starting inside the node) > sorry (a placeholder or a sorry
 * warning) > pending (Lean known, not done, the node ends at/after processed_line) >
 * proved. A placeholder stays `sorry` while Lean is still elaborating it.
 * DOT/Mermaid: edges point from a node to what it uses; proved #a5d6a7, leaf #90caf9, sorry
 * #e0e0e0, error #ef9a9a, pending #fff59d, definitions white boxes. */

#endif
