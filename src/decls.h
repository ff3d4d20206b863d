/*
 * decls: the commands of one Lean file, read from lean_lex's tokens (shared/lean-lsp-facts.md
 * §9): every declaration with its modifiers, attributes, name, full name, spans, body kind
 * and proof placeholder, and every other command (namespace, section, end, mutual, open,
 * variable, `#`-commands, …) with its range. It does not know what `@[blueprint]` means
 * (blueprint.h parses that from the attribute token ranges given here) and makes no
 * judgement about the blueprint contract (checks does); it only reports what is written.
 *
 * Where commands start: Lean has no terminator, so a command ends where the next one
 * starts. Keywords that cannot occur inside a term or tactic (`theorem`, `def`,
 * `namespace`, `end`, `@[`, `private`, …) start a command in any column; ones that can
 * (`open … in`, `set_option … in`, `#adaptation_note`, a doc comment before a tactic)
 * start one inside a declaration only in column 0 (a doc comment only when a declaration
 * keyword or modifier follows it; `open … in` / `set_option … in` only when a command
 * follows the `in`: otherwise it is the tactic of that name). `local notation …`,
 * `scoped[NS] infix …` are commands, `local instance` a declaration. A `let`/`have … :=`
 * inside a statement is not the body's `:=`. `#exit` ends the file.
 *
 * What a `|` is: in a signature at bracket depth 0, `|x|` (bars glued to what they enclose,
 * Mathlib's `"|" noWs term noWs "|"`) is an absolute value, and the alternatives of a
 * `match`/`fun |` in the type belong to it; any other `|` starts equations (and, for
 * inductive types, constructors). Inside brackets a bar is never an alternative. The
 * body's trailing clauses (`where` declarations, `termination_by`, `decreasing_by`,
 * `deriving`) belong to the declaration but not to body_main. `«…»` names may span lines.
 *
 * Naming: functions are decls_<verb>; one declaration is a `struct decl`, its parts
 * `struct decl_*`. Ownership: decls_new() returns a new object the caller frees with
 * decls_free(); it borrows the lexer (which must outlive it). Every pointer reachable from
 * it (structs, arrays, strings) is owned by it and valid until decls_free(). All structs
 * below are public and read-only.
 */
#ifndef LSP_PROXY_DECLS_H
#define LSP_PROXY_DECLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lean_lex.h"

struct decls;

/* ---- declarations ---- */

enum decl_kind {
    DECL_KIND_DEF,
    DECL_KIND_THEOREM,
    DECL_KIND_LEMMA,
    DECL_KIND_ABBREV,
    DECL_KIND_INSTANCE,
    DECL_KIND_STRUCTURE,
    DECL_KIND_INDUCTIVE,
    DECL_KIND_CLASS,
    DECL_KIND_CLASS_INDUCTIVE, /* `class inductive` */
    DECL_KIND_AXIOM,
    DECL_KIND_OPAQUE,
    DECL_KIND_EXAMPLE,
    DECL_KIND_IRREDUCIBLE_DEF, /* Mathlib's irreducible_def */
    DECL_KIND_ALIAS,           /* Batteries' alias */
    DECL_KIND_OTHER,           /* modifiers followed by another command (`@[simp] notation`);
                                * keyword = that command's first token */
};

/* Modifier flags (decl.modifiers) and the modifiers' spans (decl.mods). */
enum decl_mod {
    DECL_MOD_PRIVATE = 1u << 0,
    DECL_MOD_PROTECTED = 1u << 1,
    DECL_MOD_NONCOMPUTABLE = 1u << 2,
    DECL_MOD_UNSAFE = 1u << 3,
    DECL_MOD_PARTIAL = 1u << 4,
    DECL_MOD_NONREC = 1u << 5,
    DECL_MOD_LOCAL = 1u << 6,  /* `local instance` (attrKind) */
    DECL_MOD_SCOPED = 1u << 7, /* `scoped instance` */
    DECL_MOD_PUBLIC = 1u << 8,
    DECL_MOD_META = 1u << 9,
};

struct decl_modifier {
    enum decl_mod mod;     /* exactly one flag */
    struct lean_span span; /* the keyword */
};

/* One attribute inside `@[…]`. One bracket may hold several: `@[simp, blueprint "x" (…)]`. */
struct decl_attr {
    struct lean_span span; /* the attribute, first to last token, without the comma */
    struct lean_span name; /* its name token: `simp`, `blueprint`, `blueprint?`, `to_additive`
                            * (after a `local`/`scoped` kind, which is not the name) */
    size_t tok_first;      /* token indices [tok_first, tok_end) of the attribute, comments */
    size_t tok_end;        /* included (blueprint.h parses these) */
    size_t bracket;        /* which `@[…]` block of the declaration (0 for the first) */
};

/* How a body is written. */
enum decl_body {
    DECL_BODY_NONE,      /* no body (axiom, opaque without value, structure without fields,
                          * or text cut short) */
    DECL_BODY_TACTIC,    /* `:= by …` */
    DECL_BODY_TERM,      /* `:= t` (t not starting with `by`) */
    DECL_BODY_EQUATIONS, /* `| pat => rhs` equations (or inductive constructors) */
    DECL_BODY_WHERE,     /* `where` fields (structure, class, instance) */
};

/* The state of a body with respect to proof placeholders (shared/blueprint-contract.md,
 * rule 9). Computed for every declaration with a body; checks decide where it matters. */
enum decl_proof {
    DECL_PROOF_NONE,        /* no body */
    DECL_PROOF_COMPLETE,    /* no sorry / sorry_using / admit token in the body */
    DECL_PROOF_SORRY,       /* exactly `:= by` newline `sorry` */
    DECL_PROOF_SORRY_USING, /* exactly `:= by` newline `sorry_using [a, b]` */
    DECL_PROOF_MALFORMED,   /* any other body holding one of those tokens */
};

/* Why a body is DECL_PROOF_MALFORMED (decl.malformed). */
enum decl_malformed {
    DECL_MALFORMED_NONE,
    DECL_MALFORMED_SAME_LINE,   /* `:= by sorry` / `:= by sorry_using [...]` on one line */
    DECL_MALFORMED_MIXED,       /* placeholder mixed with tactics: `by intro; sorry`, or a
                                 * sorry nested in a term */
    DECL_MALFORMED_SEVERAL,     /* more than one sorry_using */
    DECL_MALFORMED_TERM_SORRY,  /* term-mode `:= sorry` (or `:= sorry_using …`) */
    DECL_MALFORMED_ADMIT,       /* `admit` (a tactic synonym of sorry) */
    DECL_MALFORMED_BAD_LIST,    /* `sorry_using` not followed by a closed `[…]` list */
};

/* An identifier occurrence: for DAG edges (referenced names) and sorry_using lists. The
 * text is lean_lex_text()[span.start, span.end), as written (dots and «» included). */
struct decl_ref {
    uint32_t tok;  /* its token (an identifier), e.g. `Foo.bar_baz`: decls_ref_span() */
    uint32_t head; /* namekey_ref_head() of the identifier: the DAG's pre-filter key,
                    * computed once when the reference is read */
};

/* A sorry-like token in a declaration. */
enum decl_sorry_kind { DECL_SORRY_SORRY, DECL_SORRY_USING, DECL_SORRY_ADMIT };
struct decl_sorry {
    enum decl_sorry_kind kind;
    struct lean_span span; /* the token */
    size_t tok;            /* its token index */
    bool in_body;          /* after `:=` / `|` / `where`; false: in the signature */
};

/* One `sorry_using [a, b]` occurrence (whatever the body's state). */
struct decl_using {
    struct lean_span keyword;    /* the `sorry_using` token */
    bool has_list;               /* a `[` … `]` follows (closed) */
    struct lean_span list;       /* `[` through `]`; empty at the keyword's end without one */
    const struct decl_ref *names; /* identifiers in the list, in order */
    size_t nnames;
    bool has_comment;            /* a comment appears between `[` and `]` */
    struct lean_span comment;    /* the first such comment */
    bool has_junk;               /* tokens other than names, commas, comments in the list */
};

struct decl {
    enum decl_kind kind;
    const char *keyword;         /* as written, static: "theorem", "class inductive", …;
                                  * for DECL_KIND_OTHER a copy of the token's text */
    struct lean_span keyword_span; /* both words for `class inductive` */
    struct lean_span range;      /* the whole declaration: first modifier (doc comment or
                                  * `@[`) to the last non-comment token */
    size_t tok_first, tok_end;   /* token indices [tok_first, tok_end) of range (comments
                                  * inside included; trailing comments excluded) */

    /* modifiers, in the order written */
    bool has_doc;                /* a `/-- … -/` doc comment modifier */
    size_t doc_tok;              /* its token index (content: lean_lex_content_span()) */
    struct lean_span doc;        /* its span */
    const struct decl_attr *attrs; /* every attribute of every `@[…]` block, in order */
    size_t nattrs;
    size_t nbrackets;            /* number of `@[…]` blocks (Lean allows one; more are kept) */
    struct lean_span attrs_span; /* first `@[` to the last `]`; empty at range.start if none */
    bool attrs_unclosed;         /* an `@[` without its `]` (attributes run to the keyword) */
    unsigned modifiers;          /* DECL_MOD_* flags */
    const struct decl_modifier *mods; /* the modifier keywords with their spans */
    size_t nmods;

    /* name */
    bool has_name;               /* false for example, anonymous instance, broken text */
    struct lean_span name_span;  /* the declId's identifier (universe list `.{u}` excluded) */
    const char *name;            /* as written (`_root_.` kept); "" when !has_name */
    const char *full_name;       /* with the enclosing namespaces, `_root_.` removed;
                                  * "" when !has_name */

    /* spans */
    struct lean_span header;     /* keyword through the end of the signature */
    struct lean_span signature;  /* after the name (or keyword / priority when unnamed) to
                                  * before the body: binders and type; may be empty */
    bool has_type;               /* a top-level `:` in the signature */
    struct lean_span type;       /* after that `:` to the end of the signature */
    bool has_assign;             /* a top-level `:=` */
    struct lean_span assign;     /* the `:=` token */
    enum decl_body body_kind;
    struct lean_span by;         /* the `by` token, for DECL_BODY_TACTIC */
    struct lean_span body;       /* the body: after `:=` (after `by` for tactic bodies), from
                                  * the first `|` (equations), after `where` (fields); runs to
                                  * range's end (where/termination_by/deriving included);
                                  * empty at the signature's end when there is none */
    size_t body_tok_first, body_tok_end; /* token indices of body */
    struct lean_span body_main;  /* body without its trailing clauses (`where` declarations
                                  * after `:=`/equations, `termination_by`, `decreasing_by`,
                                  * `deriving`): what the placeholder state is judged on and
                                  * what a proof replaces; equals body when it has none */
    size_t body_main_tok_end;    /* token index where body_main's tokens end */

    /* placeholders */
    enum decl_proof proof;
    enum decl_malformed malformed;
    struct lean_span placeholder; /* SORRY / SORRY_USING: the sorry / sorry_using token;
                                   * MALFORMED: the offending token; else empty */
    const struct decl_sorry *sorries; /* every sorry / sorry_using / admit token after the
                                       * keyword, outside comments, strings and «» */
    size_t nsorries;
    const struct decl_using *usings; /* every sorry_using occurrence in the body */
    size_t nusings;

    /* what the body mentions */
    const struct decl_ref *refs; /* identifiers in the body, in order (keywords and
                                  * tactic names included: the engine resolves them against
                                  * node names; sorry tokens excluded) */
    size_t nrefs;
    const struct decl_ref *sig_refs; /* identifiers in the signature (the statement) */
    size_t nsig_refs;
    const size_t *proof_docs;    /* token indices of doc comments inside the body
                                  * (LeanArchitect's proof text), in order */
    size_t nproof_docs;

    /* context */
    bool in_namespace;           /* inside at least one `namespace` */
    bool in_mutual;              /* inside `mutual … end` */
    bool blank_line_before;      /* a blank line lies between the previous command's last
                                  * line and range.start's line (true when no command comes
                                  * before); `open … in` / `set_option … in` prefixes right
                                  * before the declaration count as part of it */
    size_t prev_cmd_end_line;    /* last line of the previous command (decl or other, such
                                  * prefixes skipped); SIZE_MAX when there is none */
};

/* ---- other commands ---- */

enum decl_cmd_kind {
    DECL_CMD_NAMESPACE,
    DECL_CMD_SECTION,          /* `section [name]`, also `noncomputable section` */
    DECL_CMD_END,              /* `end [name]` */
    DECL_CMD_MUTUAL,
    DECL_CMD_OPEN,             /* `open …` (and `open … in`, which prefixes the next command) */
    DECL_CMD_VARIABLE,         /* also `include`, `omit` */
    DECL_CMD_UNIVERSE,
    DECL_CMD_SET_OPTION,
    DECL_CMD_HASH,             /* `#check`, `#eval`, `#print`, `#exit`, … */
    DECL_CMD_BLUEPRINT_COMMENT,
    DECL_CMD_ATTRIBUTE,        /* `attribute [simp] foo` */
    DECL_CMD_IMPORT,
    DECL_CMD_OTHER,            /* notation, macro, syntax, elab, deriving instance, … */
};

struct decl_cmd {
    enum decl_cmd_kind kind;
    struct lean_span keyword;  /* the command keyword (`namespace`, `end`, `#exit`); for
                                * `noncomputable section` both words */
    struct lean_span range;    /* the whole command to its last non-comment token */
    size_t tok_first, tok_end; /* token indices [tok_first, tok_end) */
    bool has_name;             /* namespace / section / end with a name */
    struct lean_span name_span;
    const char *name;          /* "" when !has_name */
    bool has_in;               /* `open X in`, `set_option o v in`: applies to the next
                                * command only */
};

/* ---- the file ---- */

/* Reads every command of the lexed file. Borrows lx (must outlive the result). Never fails;
 * text that is not valid Lean gives a best-effort result. */
struct decls *decls_new(const struct lean_lex *lx);
/* decls_new(lx) for a lexer made by lean_lex_update() from old's lexer: the same result
 * (field for field: test_incremental), reading only the commands around the edit. The
 * keyword classes of the tokens the update kept are taken from old. Old's commands before
 * the first re-lexed token are kept as they are when their reading looked at no token from
 * there on (the reader notes how far each reading looked), up to three before it;
 * reading goes on from there with the scope stack restored, and stops at the
 * first command start in the moved tokens where old had one too, with the same scope
 * stack: old's commands from there on are kept, moved (token indices, offsets, lines).
 * Consumes old (freed; NULL, or a lexer lexed from scratch: decls_new). */
struct decls *decls_update(struct decls *old, const struct lean_lex *lx);
/* Frees everything; NULL is a no-op. */
void decls_free(struct decls *d);

/* The lexer it was built from. */
const struct lean_lex *decls_lex(const struct decls *d);

/* Declarations in text order. decls_get() returns NULL when i >= decls_count(). */
size_t decls_count(const struct decls *d);
const struct decl *decls_get(const struct decls *d, size_t i);

/* Other commands in text order. decls_cmd() returns NULL when i >= decls_cmd_count(). */
size_t decls_cmd_count(const struct decls *d);
const struct decl_cmd *decls_cmd(const struct decls *d, size_t i);

/* True when the file has `#exit`; then *at (if not NULL) is its token's span. Nothing
 * after it is read. */
bool decls_exit(const struct decls *d, struct lean_span *at);

/* The canonical keyword of a kind: "def", "theorem", …, "class inductive", "other". */
const char *decls_kind_name(enum decl_kind kind);

/* A reference's span: its token's. */
struct lean_span decls_ref_span(const struct decls *d, const struct decl_ref *r);
/* A reference's text (not NUL-terminated): *len bytes at the returned pointer into the
 * lexer's text. With last true, only the last dotted component. */
const char *decls_ref_text(const struct decls *d, const struct decl_ref *r, bool last,
                           size_t *len);

#endif
