/*
 * checks: the blueprint contract as findings (shared/blueprint-contract.md rules 1-18 and 20;
 * rule 19 is Lean's own diagnostics). Each finding has the code of shared/INTERFACE.md, the
 * range the contract names (the offending token), a severity chosen by the profile and a
 * message that says what is wrong and how to fix it.
 *
 * Pure (layer 0). It reads what lean_lex, decls, blueprint and dag built (all borrowed) and
 * owns only the findings it returns. It does not decide whether the file is a blueprint or
 * which profile applies (analysis.c does, with checks_auto_profile()).
 *
 * Profiles: strict reports every rule: errors, except spacing, closeness and
 * comment-hygiene, which are warnings. Architect reports only what is wrong for any
 * blueprint: unknown names in sorry_using [sorry-using] and \cref labels
 * [cref-unknown], duplicate names [duplicate-name], duplicate fields [duplicate-field] and
 * cycles [cycle] as errors; unbalanced braces [unbalanced-braces] and a sorry in a
 * blueprint definition [definition-sorry] as warnings.
 *
 * Decisions where the contract is silent (tests/data/rules pins each one):
 * - architect: "unknown" means resolving to no declaration of this file (names in
 *   sorry_using; labels, explicit or defaulted to the full Lean name). Entries of
 *   uses/proofUses are not judged: LeanArchitect copies strings into `\uses{…}` unchecked
 *   and resolves names against all imports (Lean reports unknown ones), and in real
 *   blueprints they name nodes of other modules, Mathlib or LaTeX-only nodes. A
 *   label shared by several declarations is one node; it is a duplicate only when two of them
 *   give different statements (white space TeX ignores does not count: people repeat the
 *   statement on every part). Duplicate full Lean names are always duplicates.
 * - strict: a missing latexEnv is latex-env and a missing label is label-prefix, both on the
 *   `blueprint` token; a modifier outside noncomputable/private/local is latex-env on the
 *   modifier; label-name is checked whenever the label has a `:`, even with a bad prefix; a
 *   label used twice is duplicate-name on the later node's name (once per node, the name
 *   check first); anonymous applies to every declaration with an allowed keyword, on the
 *   keyword; spacing applies between any two consecutive declarations with allowed keywords.
 * - placeholder-form: one finding per body, on the token decls names (`admit` included);
 *   definition-sorry: one per token (strict: every definition; architect: @[blueprint] ones).
 * - cref-parity: a dependency that is not cited is reported where it is first mentioned (its
 *   sorry_using entry or body identifier); nodes with no `proof` field or a malformed body
 *   are skipped. closeness: @[blueprint] lemmas; a use by any later node counts.
 * - comment-hygiene: `/-! -/` module docs are allowed anywhere; consecutive `--` lines are one
 *   finding. Unknown `uses`/`proofUses` entries are sorry-using in strict only.
 */
#ifndef LSP_PROXY_CHECKS_H
#define LSP_PROXY_CHECKS_H

#include <stddef.h>

#include "analysis.h"

struct lean_lex;
struct decls;
struct blueprint;
struct dag;

struct checks_input {
    const struct lean_lex *lx;
    const struct decls *decls;
    const struct blueprint *bp;
    const struct dag *dag;
    const long *decl_to_dag; /* decls index -> dag declaration index, -1: not a node */
    enum bp_profile profile; /* BP_PROFILE_STRICT or BP_PROFILE_ARCHITECT */
};

struct checks_result {
    struct analysis_finding *items; /* codes are static strings; messages are owned */
    size_t n, alloc;
};

/* Runs every check of the profile and appends the findings, sorted by position (then
 * code), to out (zeroed by the caller, or reused after checks_result_release()). */
void checks_run(const struct checks_input *in, struct checks_result *out);
void checks_result_release(struct checks_result *r);

/* The auto profile for a blueprint file: strict when every blueprint node has a def:/lem:/
 * thm: label and every lemma/theorem node a `proof` field, else architect. */
enum bp_profile checks_auto_profile(const struct decls *decls, const struct blueprint *bp);

#endif
