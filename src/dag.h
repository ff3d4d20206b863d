/*
 * dag: the blueprint DAG of one file: nodes, edges, statuses, dynamic leaves, cycles and a
 * topological order (shared/blueprint-contract.md "A node", shared/INTERFACE.md "DAG JSON").
 *
 * Pure (layer 0). It takes its vocabulary (enum analysis_kind, enum analysis_status, struct
 * lean_view) from analysis.h, types only, so the front door and the DAG speak alike and
 * nothing is converted. It knows nothing of tokens: analysis.c feeds it one dag_add_decl() per
 * declaration in file order, the names each declaration references (dag_add_ref) and its
 * `uses`/`proofUses` entries (dag_add_use), then calls dag_build() once. dag_set_lean()
 * re-derives statuses and leaves from Lean's view as often as wanted, without rebuilding.
 * checks.c reads the result (resolved references, cycles) to produce contract findings.
 *
 * Declarations and nodes: in the strict profile each declaration is its own node; in the
 * architect profile declarations sharing a label (the label defaults to the Lean name) are
 * one node, as LeanArchitect merges them. Definitions (def, abbrev, structure, inductive,
 * class, instance) are nodes too, but never edge targets and never leaves.
 *
 * Ownership: strings in struct dag_decl_info are copied. Reference and use texts are
 * borrowed: they point into the analysed text, which must outlive the dag.
 * Names resolve as written, namespace-qualified from the declaration's namespace outwards,
 * through `open`ed namespaces, and `foo.symm` falls back to `foo`; lookups are hashed.
 */
#ifndef LSP_PROXY_DAG_H
#define LSP_PROXY_DAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis.h"
#include "position.h"

struct dag;

/* ---- building ---- */

struct dag_decl_info {
    const char *name;       /* Lean name as written; "" for an anonymous instance */
    const char *full_name;  /* with enclosing namespaces (NULL: same as name) */
    const char *ns;         /* enclosing namespace, "A.B" or "" (NULL: "") */
    const char *opens;      /* namespaces `open`ed where it stands, space separated, or NULL */
    const char *label;      /* blueprint label; NULL when none (defaults to the full name,
                             * as LeanArchitect's latexLabel does) */
    const char *keyword;    /* "lemma", "def", ... as written */
    enum analysis_kind kind;
    bool has_blueprint;     /* carries @[blueprint ...] */
    bool has_statement;     /* its attribute sets `statement` */
    const char *statement;  /* that statement's LaTeX text, or NULL */
    bool placeholder;       /* the body holds a sorry-like token: unproved by the text */
    bool external;          /* a constant of another module, given its blueprint by an
                             * `attribute [blueprint …] name` command: no body here */
    struct lsp_range range;      /* whole declaration, attribute included */
    struct lsp_range name_range; /* the name (the keyword when anonymous) */
    struct lsp_range body_range;
};

enum dag_ref_kind {
    DAG_REF_BODY,        /* an identifier in the proof body (complete proofs' edges) */
    DAG_REF_SORRY_USING, /* a name inside `sorry_using [...]` */
};

/* merge_labels: architect semantics (declarations sharing a label are one node). */
struct dag *dag_new(bool merge_labels);
void dag_free(struct dag *d);
/* Adds a declaration (file order); returns its index. */
size_t dag_add_decl(struct dag *d, const struct dag_decl_info *info);
/* A name the declaration references; text is borrowed. Add every declaration before the
 * first reference: body references that cannot name any of them are dropped at once. */
void dag_add_ref(struct dag *d, size_t decl, enum dag_ref_kind kind, const char *text,
                 size_t len, struct lsp_range range);
/* The pre-filter of the declarations added so far (namekey.h): a body reference whose
 * namekey_ref_head() is not namekey_in() it names none of them, and the caller may skip
 * dag_add_ref(). Valid until the next dag_add_decl(). */
const uint64_t *dag_name_filter(struct dag *d);
/* A `uses`/`proofUses` entry: a Lean name or (is_label) a label; exclude for `-x`. */
void dag_add_use(struct dag *d, size_t decl, const char *text, size_t len, bool is_label,
                 bool exclude, struct lsp_range range);
/* Resolves every reference, builds nodes, edges, cycles and the order. Call once. */
void dag_build(struct dag *d);
/* Statuses and leaves from Lean's view (NULL or !known: from the text alone). */
void dag_set_lean(struct dag *d, const struct lean_view *lean);

/* ---- reading (after dag_build) ---- */

struct dag_node {
    /* all fields read-only */
    size_t first_decl;           /* the declaration that names the node */
    const size_t *decls;         /* its declarations (more than one only when merged) */
    size_t ndecls;
    const char *name, *full_name, *label, *keyword; /* of the first declaration */
    enum analysis_kind kind;
    enum analysis_status status;
    bool leaf;
    bool has_blueprint;
    const size_t *deps;          /* node indices, in order of first mention */
    const struct lsp_range *dep_ranges; /* where each dep is first mentioned */
    size_t ndeps;
    struct lsp_range range, name_range, body_range;
};

struct dag_ref {
    /* all fields read-only */
    size_t decl;                 /* the declaration holding the reference */
    enum dag_ref_kind kind;
    const char *text;            /* borrowed, len bytes */
    size_t len;
    struct lsp_range range;
    long target;                 /* declaration index it resolves to, -1 when unknown */
};

struct dag_use {
    size_t decl;
    const char *text;
    size_t len;
    bool is_label, exclude;
    struct lsp_range range;
    long target;                 /* node index, -1 when unknown */
};

struct dag_cycle {
    size_t closing;              /* node where the search closed the cycle */
    const size_t *path;          /* nodes: path[0] -> path[1] -> ... -> closing -> path[0] */
    size_t npath;
};

size_t dag_decl_count(const struct dag *d);
const struct dag_decl_info *dag_decl(const struct dag *d, size_t i);
/* The node a declaration belongs to. */
size_t dag_decl_node(const struct dag *d, size_t decl);
/* The status of one declaration (before merging). */
enum analysis_status dag_decl_status(const struct dag *d, size_t decl);

size_t dag_node_count(const struct dag *d);
const struct dag_node *dag_node(const struct dag *d, size_t i);

/* Declaration index for a name as written or fully qualified, -1 when absent. */
long dag_find_name(const struct dag *d, const char *name, size_t len);
/* The first declaration with this full name, -1 when absent. */
long dag_find_full(const struct dag *d, const char *full_name, size_t len);
/* Node index carrying the label (explicit or defaulted), -1 when absent. */
long dag_find_label(const struct dag *d, const char *label, size_t len);
/* How many declarations share this full name / this effective label. */
size_t dag_name_count(const struct dag *d, const char *full_name, size_t len);
size_t dag_label_count(const struct dag *d, const char *label, size_t len);
/* The declaration whose range holds p, -1 when none. */
long dag_decl_at(const struct dag *d, struct lsp_pos p);

/* References of the sorry_using kind, and every body reference that resolved to a
 * declaration (unresolved body identifiers are dropped), in the order added. */
size_t dag_ref_count(const struct dag *d);
const struct dag_ref *dag_ref(const struct dag *d, size_t i);
size_t dag_use_count(const struct dag *d);
const struct dag_use *dag_use(const struct dag *d, size_t i);

/* Cycles, one per back edge of a depth-first search in file order. */
size_t dag_cycle_count(const struct dag *d);
const struct dag_cycle *dag_cycle(const struct dag *d, size_t i);

/* Every node, dependencies before dependents (edges closing a cycle are ignored). */
const size_t *dag_topo_order(const struct dag *d);

/* Helpers shared with checks and analysis */
const char *dag_status_name(enum analysis_status status);
const char *dag_kind_name(enum analysis_kind kind);

#endif
