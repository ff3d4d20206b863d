/*
 * fl_judge.h: "judge mode" of the fake Lean server: the `-- @fake proof/reject/goal/try-this/
 * axioms` markers that let tests script how Lean judges a candidate proof, and the
 * `#print axioms NAME` command. Texts and shapes follow shared/lean-lsp-facts.md §3, §12 and
 * the Lean sources named in fl_judge.c.
 *
 * fl_scan feeds it what it found (declarations, marker comments, `#print axioms` commands)
 * and gets diagnostics back through a callback; the server asks it for goals and "Try this"
 * suggestions afterwards. It owns copies of everything it keeps; the text and mask passed to
 * fl_judge_new() are borrowed until fl_judge_axioms() returns. Prefix fl_judge_.
 */
#ifndef LSP_PROXY_FL_JUDGE_H
#define LSP_PROXY_FL_JUDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "fl_text.h"

struct fl_diag;
struct fl_judge;

enum fl_judge_style {
    FL_JUDGE_NEW, /* Lean ~4.26-4.28: "Try this:\n  [apply] T", "Unknown constant `N`",
                     native_decide -> Lean.ofReduceBool + Lean.trustCompiler */
    FL_JUDGE_OLD, /* older Lean: "Try this: T", "unknown constant 'N'", Lean.ofReduceBool */
};

/* One declaration as fl_scan found it (all offsets are bytes of the text). */
struct fl_judge_decl {
    size_t start_line, end_line; /* first line (attribute/modifier), last line (trailing incl.) */
    size_t head_start;           /* where the command starts */
    size_t sig_start;            /* just after the name (after the keyword when anonymous) */
    const char *full_name;       /* namespace-qualified name, NULL when anonymous; copied */
    const char *ns;              /* enclosing namespaces "A.B", "" at top level; copied */
    bool is_axiom;               /* an `axiom` declaration */
};

/* Receives a filled diagnostic (its message is malloc'd and handed over) reported with the
 * command that ends on report_line. */
typedef void fl_judge_emit_fn(void *arg, struct fl_diag *d, size_t report_line);

/* A new judge over t and its comment/string mask (both borrowed, see the top comment). */
struct fl_judge *fl_judge_new(const struct fl_text *t, const char *mask, enum fl_judge_style st);
void fl_judge_free(struct fl_judge *j);

/* ---- input from fl_scan, in text order ----------------------------------------------- */

/* Adds the next declaration; returns its index (0, 1, ...). */
size_t fl_judge_add_decl(struct fl_judge *j, const struct fl_judge_decl *d);
/* Offers the line comment s[0..n) (starting with "--") of line `line`; returns true if it
 * is a judge marker (then it belongs to the first declaration starting on that line or
 * later). */
bool fl_judge_marker(struct fl_judge *j, size_t line, const char *s, size_t n);
/* A column-0 `#print axioms NAME`: `#print` at [tk, tk+6), NAME at [name_s, name_e), ns the
 * enclosing namespaces there (copied). */
void fl_judge_add_print(struct fl_judge *j, size_t tk, size_t name_s, size_t name_e,
                        const char *ns);

/* ---- the two passes ------------------------------------------------------------------ */

/* Judges every declaration's proof; emits errors and "Try this" infos. Call once, after all
 * declarations and markers were added. */
void fl_judge_elaborate(struct fl_judge *j, fl_judge_emit_fn *emit, void *arg);
/* Did declaration k get a judge error (rejected proof, failed `exact?`)? */
bool fl_judge_failed(const struct fl_judge *j, size_t k);
/* What fl_scan decided for declaration k: any error (markers or judge), any sorry token. */
void fl_judge_set_status(struct fl_judge *j, size_t k, bool has_error, bool has_sorry);
/* Emits the result of every `#print axioms`. Call once, after every fl_judge_set_status(). */
void fl_judge_axioms(struct fl_judge *j, fl_judge_emit_fn *emit, void *arg);

/* ---- queries (any time later; the text must be the one judged) ----------------------- */

/* The goal of the judged declaration whose proof contains byte off (its `goal` marker, else
 * "⊢ <type>"), or NULL when off is not in a judged proof. Borrowed. */
const char *fl_judge_goal_at(const struct fl_judge *j, size_t off);

enum fl_judge_hint {
    FL_JUDGE_HINT_NONE,       /* not in a judged declaration: the server's default applies */
    FL_JUDGE_HINT_NO_ACTION,  /* judged, no try-this marker: no "Try this" action */
    FL_JUDGE_HINT_SUGGESTION, /* *text = the try-this marker's TEXT (borrowed) */
};
/* For a `?` tactic token (exact? apply? simp? aesop? rw?) starting at byte off. */
enum fl_judge_hint fl_judge_suggestion(const struct fl_judge *j, size_t off, const char **text);
/* Is s[0..n) one of the `?` tactics above? */
bool fl_judge_is_query_tactic(const char *s, size_t n);

#endif
