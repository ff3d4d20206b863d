/*
 * blueprint: LeanArchitect's `@[blueprint …]` attributes of one file (shared/lean-lsp-facts.md
 * §10, shared/blueprint-contract.md), read from the attribute token ranges decls found.
 *
 * For every `blueprint` / `blueprint?` attribute (alone, beside others in one bracket, as
 * `to_additive (attr := blueprint "…")`, or in an `attribute [blueprint …] name` command,
 * which LeanArchitect users write for constants of other modules) it reports the
 * positional label, each `(field := value)` with its name and value ranges (duplicates
 * kept, in order: checks reports them), `uses`/`proofUses` entries with exclusions,
 * `\cref{…}`/`\Cref{…}` labels in the LaTeX texts, and the brace balance of statement,
 * title and proof. It does not resolve names
 * or labels, build the DAG or judge the contract (dag, checks do).
 *
 * Ownership: blueprint_new() returns a new object the caller frees with blueprint_free();
 * it borrows the lexer and the decls (both must outlive it). Everything reachable from it
 * (structs, arrays, strings) is owned by it and valid until blueprint_free(). All structs
 * below are public and read-only.
 */
#ifndef LSP_PROXY_BLUEPRINT_H
#define LSP_PROXY_BLUEPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lean_lex.h"

struct decls;
struct blueprint;

enum blueprint_field_kind {
    BLUEPRINT_FIELD_STATEMENT,
    BLUEPRINT_FIELD_PROOF,
    BLUEPRINT_FIELD_TITLE,
    BLUEPRINT_FIELD_LATEX_ENV,
    BLUEPRINT_FIELD_LATEX_LABEL,
    BLUEPRINT_FIELD_USES,
    BLUEPRINT_FIELD_PROOF_USES,
    BLUEPRINT_FIELD_HAS_PROOF,
    BLUEPRINT_FIELD_NOT_READY,
    BLUEPRINT_FIELD_DISCUSSION,
    BLUEPRINT_FIELD_UNKNOWN, /* any other `(name := …)` */
};

enum blueprint_value_kind {
    BLUEPRINT_VALUE_NONE,   /* nothing after `:=` */
    BLUEPRINT_VALUE_DOC,    /* /-- … -/ : text is the content, trimmed */
    BLUEPRINT_VALUE_STRING, /* "…" (or raw): text is the decoded string */
    BLUEPRINT_VALUE_LIST,   /* [ … ] : see uses */
    BLUEPRINT_VALUE_BOOL,   /* true / false : see bool_value */
    BLUEPRINT_VALUE_NUMBER, /* 12 : see number */
    BLUEPRINT_VALUE_OTHER,  /* anything else (an identifier, a term): text is as written */
};

/* A `\cref{a, b}` / `\Cref{…}` label (one per comma-separated entry). */
struct blueprint_cref {
    const char *label;     /* trimmed of spaces */
    struct lean_span span; /* the label inside the braces (trimmed) */
    bool capital;          /* \Cref */
};

/* One entry of `uses := […]` / `proofUses := […]`. */
struct blueprint_use {
    const char *text;       /* the Lean name, or the label without quotes (decoded) */
    bool is_label;          /* written as a string: a LaTeX label */
    bool exclude;           /* written with a leading `-`: removes the edge */
    struct lean_span span;  /* the whole entry, `-` included */
    struct lean_span value; /* the name or the string token (quotes included) */
};

struct blueprint_field {
    enum blueprint_field_kind kind;
    const char *name;            /* as written: "statement", "proofUses", "foo" */
    struct lean_span name_span;  /* the field's name token */
    struct lean_span span;       /* `(` through `)` (to the attribute's end if unclosed) */
    enum blueprint_value_kind value_kind;
    struct lean_span value_span; /* the value's tokens (empty after `:=` when NONE) */
    const char *text;            /* DOC: content trimmed; STRING: decoded; OTHER, BOOL,
                                  * NUMBER: as written; LIST: as written, brackets included;
                                  * NONE: "" */
    struct lean_span text_span;  /* where text lies in the file (DOC: the trimmed content;
                                  * STRING: between the quotes; else value_span) */
    bool bool_value;             /* BOOL */
    long number;                 /* NUMBER (decimal; 0 when out of range) */
    const struct blueprint_use *uses; /* LIST: its entries */
    size_t nuses;
    const struct blueprint_cref *crefs; /* DOC / STRING: \cref labels in text */
    size_t ncrefs;
    bool braces_balanced;        /* DOC / STRING: unescaped `{` `}` balance (true otherwise) */
    struct lean_span brace_error; /* when unbalanced: the first `}` without its `{`, or else
                                   * the first `{` never closed (one character) */
};

/* One `@[blueprint …]` attribute, or one in an `attribute [blueprint …] name` command. */
struct blueprint_attr {
    size_t decl;                 /* index in decls (decls_get()) of the declaration; SIZE_MAX
                                  * for an attribute command */
    size_t attr;                 /* index of the attribute in that decl's attrs (in the
                                  * command's bracket for an attribute command) */
    size_t cmd;                  /* attribute command: its index in decls_cmd(); else
                                  * SIZE_MAX */
    bool has_target;             /* attribute command naming a constant after `]` */
    struct lean_span target;     /* that name (the first, when several) */
    const char *target_name;     /* its text; NULL when !has_target */
    struct lean_span span;       /* the attribute: `blueprint` through its last token */
    struct lean_span keyword;    /* the `blueprint` / `blueprint?` token */
    bool trace;                  /* written `blueprint?` */
    bool via_to_additive;        /* inside `to_additive (attr := blueprint …)` */
    bool has_label;              /* a positional "label" string */
    const char *label;           /* decoded; "" when !has_label */
    struct lean_span label_span; /* the string token, quotes included */
    const struct blueprint_field *fields; /* in the order written, duplicates kept */
    size_t nfields;
    bool has_junk;               /* tokens that are neither the label nor `( … )` fields */
    struct lean_span junk;       /* the first such token */
};

/* ---- the file ---- */

/* Reads every blueprint attribute of every declaration in d (built from lx). Borrows both.
 * Never fails; malformed attributes give best-effort fields. */
struct blueprint *blueprint_new(const struct lean_lex *lx, const struct decls *d);
/* Frees everything; NULL is a no-op. */
void blueprint_free(struct blueprint *bp);

/* Attributes in text order, those of attribute commands included (their decl is SIZE_MAX);
 * blueprint_get() returns NULL when i >= blueprint_count(). */
size_t blueprint_count(const struct blueprint *bp);
const struct blueprint_attr *blueprint_get(const struct blueprint *bp, size_t i);
/* The first blueprint attribute of declaration decl_index, or NULL when it has none. */
const struct blueprint_attr *blueprint_for_decl(const struct blueprint *bp, size_t decl_index);

/* The first field of that kind in a, or NULL. */
const struct blueprint_field *blueprint_attr_field(const struct blueprint_attr *a,
                                                   enum blueprint_field_kind kind);
/* The canonical name of a field kind: "statement", "proofUses", …; "?" for UNKNOWN. */
const char *blueprint_field_name(enum blueprint_field_kind kind);

/* ---- LaTeX text helpers (also used for proof docstrings inside tactic blocks) ---- */

/* Finds the \cref / \Cref labels in text[start, end) of lx's text. Returns a new array of
 * *n entries (NULL when none); free it with blueprint_crefs_free(). */
struct blueprint_cref *blueprint_scan_crefs(const struct lean_lex *lx, size_t start, size_t end,
                                            size_t *n);
void blueprint_crefs_free(struct blueprint_cref *crefs, size_t n);
/* Checks unescaped brace balance of text[start, end). Returns true when balanced; else
 * false and *error (if not NULL) is the first unmatched `}` or else the first unclosed `{`. */
bool blueprint_braces_balanced(const struct lean_lex *lx, size_t start, size_t end,
                               struct lean_span *error);

#endif
