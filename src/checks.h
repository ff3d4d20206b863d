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
 * blueprint: unknown names in sorry_using/uses/proofUses [sorry-using] and \cref labels
 * [cref-unknown], duplicate names [duplicate-name], duplicate fields [duplicate-field] and
 * cycles [cycle] as errors; unbalanced braces [unbalanced-braces] and a sorry in a
 * blueprint definition [definition-sorry] as warnings.
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
