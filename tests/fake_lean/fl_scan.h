/*
 * fl_scan.h: the fake Lean server's "elaborator": a line-oriented scanner that finds
 * declarations, scopes, `sorry`s and `-- @fake` markers, and turns them into diagnostics
 * and document symbols. Written from lean-lsp-facts §9 (not from the proxy's lean_lex/decls).
 *
 * Prefix fl_scan_ / fl_ident_. Everything a scan returns is owned by struct fl_scan and freed
 * by fl_scan_release(). Positions are LSP positions (UTF-16 code units).
 */
#ifndef LSP_PROXY_FL_SCAN_H
#define LSP_PROXY_FL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fl_judge.h"
#include "fl_text.h"

enum fl_sorry_style {
    FL_SORRY_BACKTICK, /* declaration uses `sorry`   (Lean >= 4.27/4.28) */
    FL_SORRY_QUOTE,    /* declaration uses 'sorry'   (Lean <= 4.26) */
    FL_SORRY_NAMED,    /* declaration `NAME` uses `sorry` (PR #11414, uncertain) */
};

struct fl_pos {
    int64_t line;
    int64_t character; /* UTF-16 code units */
};

struct fl_range {
    struct fl_pos start, end;
};

struct fl_diag {
    struct fl_range range;      /* cut to start..(start.line+1,0) when fullRange spans lines */
    struct fl_range full_range; /* the real extent */
    int severity;               /* 1 error, 2 warning, 3 information */
    bool silent;                /* sent as "isSilent": true */
    int lean_tag;               /* 0 none, 1 unsolved goals, 2 goals accomplished */
    char *message;
    size_t report_line; /* last line of the command that reports it (its trailing included) */
};

enum fl_sym_kind {
    FL_SYM_NAMESPACE = 3, /* namespace / section (lean-lsp-facts §8) */
    FL_SYM_METHOD = 6,    /* every declaration */
};

struct fl_symbol {
    char *name;
    int kind;                  /* enum fl_sym_kind */
    struct fl_range range;     /* command start .. end of its last code line */
    struct fl_range selection; /* the name (or keyword when anonymous) */
    int parent;                /* index of the enclosing scope symbol, or -1 */
};

struct fl_scan_opts {
    enum fl_sorry_style sorry_style;
    bool silent; /* client sent capabilities.lean.silentDiagnosticSupport */
    enum fl_judge_style judge_style; /* texts of judge diagnostics (fl_judge.h) */
};

struct fl_scan {
    char *mask; /* text with comments, strings and char literals blanked ('\n' kept) */
    size_t len;
    struct fl_diag *diags; /* in report order */
    size_t ndiags;
    struct fl_symbol *syms; /* scopes, then declarations; a parent comes before its children */
    size_t nsyms;
    int64_t crash_line; /* line of the first `-- @fake worker-crash` marker, or -1 */
    int crash_code;     /* its exit code (default 1) */
    struct fl_judge *judge; /* judge markers and `#print axioms` (fl_judge.h), owned */
};

/* Scans t; res must be zeroed or released. */
void fl_scan_run(struct fl_scan *res, const struct fl_text *t, const struct fl_scan_opts *o);
void fl_scan_release(struct fl_scan *res);

/*
 * Finds the next Lean identifier in mask[*i..n): on success sets [*s, *e) and moves *i past
 * it. Identifiers follow Lean's isIdFirst/isIdRest (ASCII letters, Greek and letter-like
 * blocks, subscripts, `'`, `!`, `?`), dotted parts and «escaped» parts. Numbers are skipped.
 */
bool fl_ident_next(const char *mask, size_t n, size_t *i, size_t *s, size_t *e);

#endif
